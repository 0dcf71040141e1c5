"""The shipped Zero net's speed by path: fp32 (eager, igo's), ONNX Runtime fp32 and int8, pruned.

    python benchmarks/bench_compress_zero.py --replay RUN/replay --int8 zero-int8.onnx \
        --net pruned=zero-keep0.625.safetensors [--threads 1]

Positions/s at batch 1, 8, 32, 128 on 128 real positions of ``--replay`` (a Zero run's replay
folder, ``benchmarks/zero_selfplay.py``), every path interleaved by batch size, median of
``--rounds``; each ``--net NAME=CHECKPOINT`` (a pruned or low-bit Zero net) on igo's fp32 path.
Prints a markdown table and writes the raw numbers with the machine to ``--json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from bench_compress import BATCHES, _rate
from igo.agents.nets import shipped_weights
from igo.bench.machine import machine_info
from igo.compress import load_positions
from igo.files import write_text_atomic
from igo.nn.checkpoint import load_checkpoint
from igo.nn.inference import NetRunner, TorchEvaluator, prepare_eager
from igo.nn.onnx_graph import OnnxEvaluator, export_onnx, load_onnx_checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replay", required=True, type=Path, help="a Zero run's replay folder")
    parser.add_argument("--int8", type=Path, help="the int8 .onnx checkpoint of the Zero net")
    parser.add_argument("--net", action="append", default=[], help="NAME=CHECKPOINT, igo fp32")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=1.0, help="per cell and round")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    net = load_checkpoint(shipped_weights())
    planes = load_positions(args.replay, net.config, 128, seed=2).planes
    paths: dict[str, NetRunner] = {
        "fp32 eager": TorchEvaluator(net, "cpu", prepare_fn=prepare_eager),
        "fp32 igo (fused, NHWC)": TorchEvaluator(net, "cpu"),
        "ONNX Runtime fp32": OnnxEvaluator(export_onnx(net), net.config),
    }
    if args.int8 is not None:
        paths["ONNX Runtime int8"] = load_onnx_checkpoint(args.int8)
    for item in args.net:
        name, _, path = item.partition("=")
        paths[f"{name}, igo fp32"] = TorchEvaluator(load_checkpoint(path), "cpu")
    found: dict[str, dict[int, list[float]]] = {n: {b: [] for b in BATCHES} for n in paths}
    for _ in range(args.rounds):  # interleaved: a change in the load hits every path alike
        for batch in BATCHES:
            for name, runner in paths.items():
                found[name][batch].append(_rate(runner, planes, batch, args.seconds))
    rates = {n: {b: float(np.median(v)) for b, v in by.items()} for n, by in found.items()}
    print("| path | " + " | ".join(f"batch {b}" for b in BATCHES) + " |")
    print("|---|" + "---|" * len(BATCHES))
    for name, by_batch in rates.items():
        print(f"| {name} | " + " | ".join(f"{by_batch[b]:,.0f}" for b in BATCHES) + " |")
    if args.json is not None:
        raw = {"machine": machine_info(), "threads": args.threads, "rates": rates}
        write_text_atomic(args.json, json.dumps(raw, indent=1) + "\n")


if __name__ == "__main__":
    main()
