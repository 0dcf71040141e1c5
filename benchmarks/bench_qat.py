"""Quantization-aware training against post-training rounding, on the shipped 9x9 SL policy net.

    python benchmarks/bench_qat.py --data SL_SHARDS --work DIR [--steps 100] [--bits 2 3 4 5 6] \
        [--limit 4000] [--json benchmarks/results/qat-<cpu>.json]

For each width b: ``igo compress quantize --method wb`` (rounded after training) and the same
with ``--qat-steps STEPS --data SL_SHARDS`` (trained through the rounding), both measured on the
same held-out positions of ``SL_SHARDS``; and the control: the fp32 net fine-tuned for the same
steps with the same rate (``igo compress prune --alpha 0 --retrain-steps STEPS``), since the
shipped net itself gains on this data when trained further. ``DIR`` holds the checkpoints (a
killed run resumes: finished trainings are read back). Prints the markdown table of
docs/compression.md and writes the raw numbers and the machine to ``--json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights
from igo.bench.machine import machine_info
from igo.compress.prune_recipe import RetrainConfig, prune_checkpoint
from igo.compress.recipe import quantize_checkpoint
from igo.files import write_text_atomic

SEED_LBW = {4: "74.37", 5: "76.99", 6: "77.05"}
"""The seed's low-bit-weight rows: R-FCN ResNet-50 mAP (%) by weight bits (32-bit: 77.66)."""


def measure(args: argparse.Namespace) -> dict[str, object]:
    source = shipped_weights(ALPHAGO_WEIGHTS["policy"])
    retrain = RetrainConfig(steps=args.steps, learning_rate=args.lr)
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for bits in args.bits:
        method = f"w{bits}"
        post = quantize_checkpoint(
            source, args.work / f"{method}-post.safetensors", method, args.data, args.limit
        )
        qat = quantize_checkpoint(
            source, args.work / f"{method}-qat.safetensors", method, None, args.limit,
            qat=retrain, data=args.data, progress=True,
        )  # fmt: skip
        assert post.agreement is not None and qat.agreement is not None
        rows.append(
            {
                "bits": bits,
                "post_top1": post.agreement.top1_true,
                "post_agreement": post.agreement.top1_agreement,
                "qat_top1": qat.agreement.top1_true,
                "qat_agreement": qat.agreement.top1_agreement,
                "bytes": qat.bytes_after,
            }
        )
        print(rows[-1], flush=True)
    control = prune_checkpoint(
        source, args.work / "fp32-finetuned.safetensors", alpha=0.0, retrain=retrain,
        data=args.data, positions=args.limit, progress=True,
    )  # fmt: skip
    return {
        "positions": control.positions,
        "steps": args.steps,
        "learning_rate": args.lr,
        "fp32_top1": control.top1_original,
        "fp32_finetuned_top1": control.top1_retrained,
        "rows": rows,
    }


def table(result: dict[str, object]) -> str:
    lines = [
        "| bits | top-1, rounded after training (%) | top-1, QAT (%) | QAT agreement with fp32 "
        "(%) | seed: R-FCN ResNet-50 mAP (%) |",
        "|---|---|---|---|---|",
        f"| 32 | {100 * float(result['fp32_top1']):.1f} | fine-tuned alike: "  # type: ignore[arg-type]
        f"{100 * float(result['fp32_finetuned_top1']):.1f} | 100 | 77.66 |",  # type: ignore[arg-type]
    ]
    for row in sorted(result["rows"], key=lambda r: -r["bits"]):  # type: ignore[attr-defined]
        lines.append(
            f"| {row['bits']} | {100 * row['post_top1']:.1f} | {100 * row['qat_top1']:.1f} | "
            f"{100 * row['qat_agreement']:.1f} | {SEED_LBW.get(row['bits'], '')} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="sl shards (igo data import)")
    parser.add_argument("--work", type=Path, required=True, help="folder for the checkpoints")
    parser.add_argument("--steps", type=int, default=100, help="QAT and control steps")
    parser.add_argument("--lr", type=float, default=0.01, help="their initial rate")
    parser.add_argument("--bits", type=int, nargs="+", default=[2, 3, 4, 5, 6])
    parser.add_argument("--limit", type=int, default=4000, help="held-out positions measured")
    parser.add_argument("--json", type=Path, help="raw results (benchmarks/results/...)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = measure(args)
    print(table(result))
    if args.json is not None:
        result["machine"] = machine_info()
        write_text_atomic(args.json, json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
