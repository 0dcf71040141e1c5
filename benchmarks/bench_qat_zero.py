"""Quantization-aware training of the shipped Zero net against post-training rounding.

    python benchmarks/bench_qat_zero.py --data SL_SHARDS --work DIR [--steps 200] [--bits 2 3 4] \
        [--limit 4000] [--lr 0.01] [--json benchmarks/results/qat-zero-<cpu>.json]

For each width b: the shipped Zero net's weights rounded to b bits after training (``--method
wb``), and the same net trained through the rounding for STEPS steps towards its own fp32 outputs
(``--method wb --qat-steps STEPS --data SL_SHARDS``: ``igo.compress.qat.train_zero``), both
measured on the same held-out positions of SL_SHARDS read as Zero planes: top-1 agreement with
the fp32 net over the open moves, value MSE to the fp32 net's value, top-1 on the moves played.
``DIR`` holds the QAT checkpoints ``zero-wB-qatSTEPS.safetensors`` (a killed run resumes, a
finished one is read back). One torch thread. Prints the markdown rows of docs/compression.md and
writes the raw numbers and the machine to ``--json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from igo.agents.nets import zero_weights
from igo.bench.machine import machine_info
from igo.compress.distill_zero import zero_metrics
from igo.compress.positions import load_positions
from igo.compress.prune_recipe import RetrainConfig
from igo.compress.prune_train import measured_at
from igo.compress.qat import QatConfig, quantization_aware_train
from igo.compress.quantize import WeightOnlyConfig
from igo.files import write_text_atomic
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import Net
from igo.train.alphago.supervised_data import held_out_evaluator


def measure(args: argparse.Namespace) -> dict[str, object]:
    source = zero_weights()
    net = load_checkpoint(source).eval()
    held = load_positions(args.data, net.config, args.limit)
    device = torch.device("cpu")
    reference = held_out_evaluator(net, device).evaluate(held.planes)

    def metrics(model: Net) -> dict[str, float]:
        return zero_metrics(held_out_evaluator(model, device).evaluate(held.planes), held,
                            reference)  # fmt: skip

    rows: list[dict[str, object]] = [{"bits": 32, "fp32": metrics(net)}]
    args.work.mkdir(parents=True, exist_ok=True)
    for bits in args.bits:
        config = QatConfig(WeightOnlyConfig(bits), RetrainConfig(args.steps, args.lr))
        out = args.work / f"zero-w{bits}-qat{args.steps}.safetensors"
        trained = quantization_aware_train(net, config, args.data, out, progress=True)
        rows.append({
            "bits": bits,
            "post": metrics(measured_at(net, bits)),
            "qat": metrics(trained.quantized.net),
            "qat_seconds": trained.report.seconds,
        })  # fmt: skip
        print(rows[-1], flush=True)
    return {"source": str(source.name), "steps": args.steps, "lr": args.lr,
            "positions": len(held), "rows": rows}  # fmt: skip


def table(result: dict[str, object]) -> str:
    lines = [
        "| bits | agreement with fp32, rounded after training (%) | after QAT (%) | value MSE to "
        "fp32, rounded | after QAT | top-1 on the moves played, rounded (%) | after QAT (%) |",
        "|---|---|---|---|---|---|---|",
    ]
    rows = result["rows"]
    assert isinstance(rows, list)
    for row in rows[1:]:
        post, qat = row["post"], row["qat"]
        lines.append(
            f"| {row['bits']} | {100 * post['agree']:.1f} | **{100 * qat['agree']:.1f}** | "
            f"{post['mse_teacher']:.4f} | **{qat['mse_teacher']:.4f}** | "
            f"{100 * post['top1']:.1f} | {100 * qat['top1']:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="sl shards with a held-out split")
    parser.add_argument("--work", type=Path, required=True, help="folder of the QAT checkpoints")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--bits", type=int, nargs="+", default=[2, 3, 4])
    parser.add_argument("--limit", type=int, default=4000, help="held-out positions measured")
    parser.add_argument("--json", type=Path, help="raw results (and the machine) to this file")
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = measure(args)
    print(table(result))
    if args.json is not None:
        text = json.dumps({"machine": machine_info(), **result}, indent=1) + "\n"
        write_text_atomic(args.json, text)


if __name__ == "__main__":
    main()
