"""Pruning measured on the shipped 9x9 AlphaGo SL policy net: the seed's alpha table, and
structured pruning's speed and accuracy.

    python benchmarks/bench_prune.py --data SL_SHARDS --work DIR [--steps 400] \
        [--finetune-steps 400] [--limit 4000]

``SL_SHARDS``: a folder of ``sl`` shards whose held-out split is measured on and whose training
split retrains. ``DIR`` holds the pruned checkpoints (a killed run resumes: finished retrainings
are read back). Prints three markdown tables (docs/compression.md) and writes the raw numbers and
the machine to ``benchmarks/results/prune-<cpu>.json``:

- magnitude pruning (``igo compress prune --alpha A``) at the seed's alphas and at alpha 0 (the
  original retrained alike: the control): parameters removed in all and per layer, top-1 on the
  moves played before and after ``--steps`` retraining steps with the mask fixed;
- structured pruning (``--structured --keep K``): parameters, top-1 before and after
  ``--finetune-steps`` steps of fine-tuning, and positions/s at batch 1, 8, 32, 128 beside the
  unpruned net, igo's fp32 path (batch norm folded) and fp32 eager, interleaved by batch size.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
import torch

from bench_compress import BATCHES, _rate
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights
from igo.bench.machine import machine_info
from igo.compress import load_positions
from igo.compress.prune_recipe import PruneReport, RetrainConfig, prune_checkpoint
from igo.files import write_text_atomic
from igo.nn.checkpoint import load_checkpoint
from igo.nn.inference import NetRunner, TorchEvaluator, prepare_eager

ALPHAS = (0.0, 0.5, 1.0, 1.3, 1.5, 2.0, 2.6)
SEED = {
    0.5: ("48.86", "91.66"),
    1.0: ("80.62", "91.11"),
    1.3: ("90.43", "91.02"),
    1.5: ("94.18", "90.69"),
    2.0: ("98.26", "89.56"),
    2.6: ("99.50", "87.08"),
}
"""The seed's table: CaffeNet on Oxford 102 flowers (fully connected layers), alpha -> (% of
parameters removed, % accuracy after retraining)."""


def run_prunes(args: argparse.Namespace) -> tuple[list[PruneReport], list[PruneReport]]:
    source = shipped_weights(ALPHAGO_WEIGHTS["policy"])
    common = {"data": args.data, "positions": args.limit, "progress": True}
    retrain = RetrainConfig(steps=args.steps, learning_rate=args.lr)
    magnitude = [
        prune_checkpoint(
            source, args.work / f"alpha-{a}.safetensors", alpha=a, retrain=retrain, **common
        )
        for a in ALPHAS
    ]
    finetune = RetrainConfig(steps=args.finetune_steps, learning_rate=args.lr)
    structured = [
        prune_checkpoint(
            source,
            args.work / f"keep-{k}-{args.finetune_steps}.safetensors",
            keep=k,
            retrain=finetune,
            **common,
        )
        for k in args.keeps
    ]
    return magnitude, structured


def speed(data: Path, nets: dict[str, Path], rounds: int) -> dict[str, dict[int, float]]:
    """Median positions/s over ``rounds`` interleaved rounds of every net and batch size."""
    runners: dict[str, NetRunner] = {}
    planes = None
    for name, path in nets.items():
        net = load_checkpoint(path)
        planes = load_positions(data, net.config, 128, seed=2).planes
        runners[f"{name}, igo fp32 (fused)"] = TorchEvaluator(net, "cpu")
        runners[f"{name}, fp32 eager"] = TorchEvaluator(net, "cpu", prepare_fn=prepare_eager)
    assert planes is not None
    found: dict[str, dict[int, list[float]]] = {n: {b: [] for b in BATCHES} for n in runners}
    for _ in range(rounds):
        for batch in BATCHES:
            for name, runner in runners.items():
                found[name][batch].append(_rate(runner, planes, batch, seconds=1.0))
    return {n: {b: statistics.median(r) for b, r in by.items()} for n, by in found.items()}


def _pct(x: float) -> str:
    return "-" if x != x else f"{100 * x:.1f}"


def print_tables(
    magnitude: list[PruneReport], structured: list[PruneReport], rates: dict[str, dict[int, float]]
) -> None:
    print("| alpha | removed (%) | top-1, no retraining (%) | top-1, retrained (%) | seed removed "
          "(%) | seed accuracy (%) |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for r in magnitude:
        alpha = r.pruning["alpha"]
        seed = SEED.get(alpha, ("", ""))
        print(
            f"| {alpha} | {_pct(r.pruning['fraction'])} | {_pct(r.top1_pruned)} "
            f"| {_pct(r.top1_retrained)} | {seed[0]} | {seed[1]} |"
        )
    print("\nremoved per layer (%):\n")
    names = [x["name"] for x in magnitude[0].pruning["layers"]]
    print("| alpha | " + " | ".join(f"`{n.removesuffix('.weight')}`" for n in names) + " |")
    print("|---|" + "---|" * len(names))
    for r in magnitude:
        cells = [_pct(x["removed"] / x["total"]) for x in r.pruning["layers"]]
        print(f"| {r.pruning['alpha']} | " + " | ".join(cells) + " |")
    print("\n| keep | channels | parameters | top-1 before fine-tuning (%) | after (%) |")
    print("|---|---|---|---|---|")
    for r in structured:
        p = r.pruning
        print(
            f"| {p['keep']} | {p['channels_before']} -> {p['channels_after']} | "
            f"{p['params_before']:,} -> {p['params_after']:,} | {_pct(r.top1_pruned)} "
            f"| {_pct(r.top1_retrained)} |"
        )
    print(f"\noriginal top-1: {_pct(magnitude[0].top1_original)}\n")
    print("| net, path | " + " | ".join(f"batch {b}" for b in BATCHES) + " |")
    print("|---|" + "---|" * len(BATCHES))
    for name, by_batch in rates.items():
        print(f"| {name} | " + " | ".join(f"{by_batch[b]:,.0f}" for b in BATCHES) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="folder of sl shards")
    parser.add_argument("--work", required=True, type=Path, help="folder of pruned checkpoints")
    parser.add_argument("--steps", type=int, default=400, help="retraining steps, every net")
    parser.add_argument("--finetune-steps", type=int, default=400, help="structured's steps")
    parser.add_argument("--lr", type=float, default=0.01, help="retraining's rate")
    parser.add_argument("--keeps", type=float, nargs="+", default=[0.5, 0.75])
    parser.add_argument("--limit", type=int, default=4000, help="held-out positions measured")
    parser.add_argument("--rounds", type=int, default=3, help="speed rounds (median)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    magnitude, structured = run_prunes(args)
    nets = {"unpruned": shipped_weights(ALPHAGO_WEIGHTS["policy"])}
    nets |= {f"keep {r.pruning['keep']}": r.out for r in structured}
    rates = speed(args.data, nets, args.rounds)
    print_tables(magnitude, structured, rates)
    info = machine_info() | {"threads": 1, "positions": args.limit, "steps": args.steps}
    info["finetune_steps"] = args.finetune_steps
    cpu = str(info["cpu"]).split()[0].lower() if info["cpu"] else "cpu"
    out = args.out / f"prune-{cpu}-{info['cpu_count']}vcpu-1thread.json"
    record = {
        "machine": info,
        "magnitude": [{**r.pruning, **_top1(r)} for r in magnitude],
        "structured": [{**r.pruning, **_top1(r)} for r in structured],
        "positions_per_second": rates,
    }
    write_text_atomic(out, json.dumps(record, indent=2, default=str) + "\n")
    print(f"\nwrote {out}")


def _top1(r: PruneReport) -> dict[str, float]:
    return {
        k: float(np.float64(getattr(r, k)))
        for k in ("top1_original", "top1_pruned", "top1_retrained")
    }


if __name__ == "__main__":
    main()
