"""Quantization measured on the shipped 9x9 AlphaGo nets: accuracy by bits and speed by path.

    python benchmarks/bench_compress.py --positions SL_SHARDS [--limit 4000] [--threads 1]

``SL_SHARDS``: a folder of ``sl`` shards (``igo data generate`` + ``igo data import``) whose
held-out split is measured on and whose training split calibrates int8. Prints two markdown
tables (docs/compression.md) and writes the raw numbers and the machine (CPU model, flags, bf16
and int8 support) to ``benchmarks/results/compress-<cpu>.json``:

- accuracy: per method (32-bit fp32, 16-bit fp16 / bf16, 8-bit w8 / int8, 6 / 5 / 4 / 3 / 2-bit
  weights), the policy net's top-1 agreement with fp32 and top-1 on the moves played, and the
  value net's MSE against the game results and against fp32;
- speed: the policy net's positions/s at batch 1, 8, 32, 128 for fp32 eager, igo's fp32 path
  (batch norm folded, NHWC), bf16 autocast, ONNX Runtime fp32 and int8, on the same planes.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights
from igo.bench.machine import machine_info
from igo.compress import Agreement, compare, get_method, load_positions, quantize
from igo.nn.checkpoint import load_checkpoint
from igo.nn.inference import NetRunner, TorchEvaluator, prepare_eager
from igo.nn.onnx_graph import OnnxEvaluator, export_onnx

ACCURACY_METHODS = ("fp16", "bf16", "w8", "int8", "w6", "w5", "w4", "w3", "w2")
BITS = {"fp16": 16, "bf16": 16, "w8": 8, "int8": 8, "w6": 6, "w5": 5, "w4": 4, "w3": 3, "w2": 2}
BATCHES = (1, 8, 32, 128)
SEED_LBW = {32: "77.66", 6: "77.05", 5: "76.99", 4: "74.37"}
"""The seed's low-bit-weight table: R-FCN ResNet-50 mAP (%) by weight bits."""


@dataclass(frozen=True)
class Row:
    """One method's accuracy: the policy net's and the value net's against fp32 and the games."""

    method: str
    bits: int
    policy: Agreement
    value: Agreement


def accuracy(folder: Path, limit: int) -> list[Row]:
    nets = []
    for part in ("policy", "value"):
        net = load_checkpoint(shipped_weights(ALPHAGO_WEIGHTS[part]))
        held = load_positions(folder, net.config, limit, seed=0, split="heldout")
        calibration = load_positions(folder, net.config, 512, seed=1, split="train")
        nets.append((net, held, calibration))
    rows = []
    for method in ("fp32", *ACCURACY_METHODS):
        found = []
        for net, held, calibration in nets:
            reference = TorchEvaluator(net, "cpu")
            if method == "fp32":
                found.append(compare(reference, reference, held))
            else:
                quantized = quantize(net, get_method(method).config, calibration)
                found.append(compare(reference, quantized.runner(), held))
        rows.append(Row(method, BITS.get(method, 32), found[0], found[1]))
    return rows


def _rate(runner: NetRunner, planes: np.ndarray, batch: int, seconds: float = 1.5) -> float:
    x = np.ascontiguousarray(np.resize(planes, (batch, *planes.shape[1:])), dtype=np.float32)
    runner.policy_logits(x)  # warm-up
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        runner.policy_logits(x)
        done += batch
    return done / (time.perf_counter() - start)


def speed(folder: Path) -> dict[str, dict[int, float]]:
    net = load_checkpoint(shipped_weights(ALPHAGO_WEIGHTS["policy"]))
    planes = load_positions(folder, net.config, 128, seed=2).planes
    calibration = load_positions(folder, net.config, 512, seed=1, split="train")
    paths: dict[str, NetRunner] = {
        "fp32 eager": TorchEvaluator(net, "cpu", prepare_fn=prepare_eager),
        "fp32 igo (fused, NHWC)": TorchEvaluator(net, "cpu"),
        "bf16 autocast": TorchEvaluator(net, "cpu", precision="bfloat16"),
        "ONNX Runtime fp32": OnnxEvaluator(export_onnx(net), net.config),
        "ONNX Runtime int8": quantize(net, get_method("int8").config, calibration).runner(),
    }
    # Interleaved by batch size so that a change in the machine's load hits every path alike.
    rates: dict[str, dict[int, float]] = {name: {} for name in paths}
    for batch in BATCHES:
        for name, runner in paths.items():
            rates[name][batch] = _rate(runner, planes, batch)
    return rates


def _pct(x: float) -> str:
    return "-" if x != x else f"{100 * x:.1f}"


def print_tables(rows: list[Row], rates: dict[str, dict[int, float]]) -> None:
    print(
        "| bits | method | policy top-1 agreement with fp32 (%) | policy top-1 on the moves played"
        " (%) | value MSE to the results | value MSE to fp32 | seed: R-FCN ResNet-50 mAP (%) |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        p, v = row.policy, row.value
        seed = SEED_LBW.get(row.bits, "") if row.method in ("fp32", "w6", "w5", "w4") else ""
        print(
            f"| {row.bits} | {row.method} | {_pct(p.top1_agreement)} | {_pct(p.top1_true)} "
            f"| {v.value_mse:.4f} | {v.value_mse_to_reference:.5f} | {seed} |"
        )
    print()
    print("| path | " + " | ".join(f"batch {b}" for b in BATCHES) + " |")
    print("|---|" + "---|" * len(BATCHES))
    for name, by_batch in rates.items():
        print(f"| {name} | " + " | ".join(f"{by_batch[b]:,.0f}" for b in BATCHES) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--positions", required=True, type=Path, help="folder of sl shards")
    parser.add_argument("--limit", type=int, default=4000, help="held-out positions measured")
    parser.add_argument("--threads", type=int, default=1, help="torch and ONNX Runtime threads")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = accuracy(args.positions, args.limit)
    rates = speed(args.positions)
    print_tables(rows, rates)
    info = machine_info() | {"threads": args.threads, "positions": args.limit}
    cpu = str(info["cpu"]).split()[0].lower() if info["cpu"] else "cpu"
    out = args.out / f"compress-{cpu}-{info['cpu_count']}vcpu-{args.threads}thread.json"
    accuracy_rows = [
        {"method": r.method, "bits": r.bits, "policy": asdict(r.policy), "value": asdict(r.value)}
        for r in rows
    ]
    record = {"machine": info, "accuracy": accuracy_rows, "positions_per_second": rates}
    out.write_text(json.dumps(record, indent=2, default=str) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
