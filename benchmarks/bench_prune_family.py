"""Structured pruning's speed on other families of the registry: positions/s of a variant and
of its channel-pruned copies, igo's fp32 path and eager, interleaved by batch size.

    python benchmarks/bench_prune_family.py mobilenet_b10c96 [--keeps 0.5 0.625] [--rounds 3] \
        [--json benchmarks/results/prune-family-<cpu>.json]

The variant is built at 9x9 with seeded random weights (speed does not depend on the weights)
and its batch norm statistics randomised; the positions are random 0/1 planes. Prints the
markdown table of docs/compression.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
import torch
from torch import nn

from bench_compress import BATCHES, _rate
from igo.bench.machine import machine_info
from igo.compress.prune_structured import ChannelPruneConfig, channel_prune
from igo.files import write_text_atomic
from igo.nn.inference import NetRunner, TorchEvaluator, prepare_eager
from igo.nn.net import Net
from igo.nn.registry import create_net


def variant(name: str) -> Net:
    torch.manual_seed(0)
    net = create_net(name, board_size=9)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
    return net.eval()


def measure(name: str, keeps: list[float], rounds: int) -> dict[str, object]:
    net = variant(name)
    nets = {"unpruned": net}
    params = {"unpruned": sum(p.numel() for p in net.parameters())}
    for keep in keeps:
        pruned = channel_prune(net, ChannelPruneConfig(keep))
        label = f"keep {keep} ({pruned.channels_before} -> {pruned.channels_after})"
        nets[label], params[label] = pruned.net.eval(), pruned.params_after
    runners: dict[str, NetRunner] = {}
    for label, model in nets.items():
        runners[f"{label}, igo fp32 (fused)"] = TorchEvaluator(model, "cpu")
        runners[f"{label}, fp32 eager"] = TorchEvaluator(model, "cpu", prepare_fn=prepare_eager)
    rng = np.random.default_rng(0)
    planes = (rng.random((128, net.config.in_planes, 9, 9)) < 0.3).astype(np.float32)
    found: dict[str, dict[int, list[float]]] = {n: {b: [] for b in BATCHES} for n in runners}
    for _ in range(rounds):
        for batch in BATCHES:
            for label, runner in runners.items():
                found[label][batch].append(_rate(runner, planes, batch, seconds=1.0))
    rates = {n: {b: statistics.median(r) for b, r in by.items()} for n, by in found.items()}
    return {"variant": name, "params": params, "positions_per_second": rates}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variant", help="registry variant, e.g. mobilenet_b10c96")
    parser.add_argument("--keeps", type=float, nargs="+", default=[0.5, 0.625])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (median)")
    parser.add_argument("--json", type=Path, help="raw results (benchmarks/results/...)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = measure(args.variant, args.keeps, args.rounds)
    print("parameters:", result["params"])
    print("| net, path | " + " | ".join(f"batch {b}" for b in BATCHES) + " |")
    print("|---|" + "---|" * len(BATCHES))
    for label, by in result["positions_per_second"].items():  # type: ignore[attr-defined]
        print(f"| {label} | " + " | ".join(f"{by[b]:,.0f}" for b in BATCHES) + " |")
    if args.json is not None:
        result["machine"] = machine_info() | {"threads": 1}
        write_text_atomic(args.json, json.dumps(result, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
