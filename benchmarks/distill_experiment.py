"""The seed's distillation comparison on Go: one student from scratch, with KD, with FitNets hints.

The teacher is a policy checkpoint (default: the shipped AlphaGo SL policy net, 6 conv x 64);
the student a registry variant on its planes (default: AlphaGo's plain stack, 6 conv x 24,
about a fifth of the teacher's FLOPs). The three runs take the same steps, minibatches and seed
(``igo.compress.distill``; scratch is ``soft_weight`` 0), one after the other; each resumes if
the script is killed and rerun. Then the students' and the teacher's positions/s are measured in
one process at batch 1, 8 and 32 (igo's fp32 path, ``TorchEvaluator``), interleaved rounds,
median. Writes a JSON of everything, the curves as a PNG and prints a Markdown table.

    python benchmarks/distill_experiment.py --data SL_SHARDS --work RUN_FOLDER \\
        --json benchmarks/results/distill-....json --plot docs/images/distill-curves.png
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from igo.compress.distill import DistillConfig, distill
from igo.compress.distill_recipe import build_student, flops_of
from igo.compress.positions import load_positions
from igo.extras import figure_class, png_bytes
from igo.files import write_bytes_atomic, write_text_atomic
from igo.nn.checkpoint import load_checkpoint
from igo.nn.inference import TorchEvaluator
from igo.nn.net import Net
from igo.train.alphago.supervised_loop import StageConfig

RUNS = ("scratch", "kd", "hints")


def _config(args: argparse.Namespace, run: str) -> DistillConfig:
    training = StageConfig(
        steps=args.steps, batch_size=args.batch_size, checkpoint_every=args.checkpoint_every,
        eval_positions=args.eval_positions, torch_threads=args.threads, seed=args.seed,
    )  # fmt: skip
    return DistillConfig(
        training=training,
        temperature=args.temperature,
        soft_weight=0.0 if run == "scratch" else args.soft_weight,
        hint_steps=args.steps // 4 if run == "hints" else 0,
    )


def _curve(log_dir: Path) -> list[dict[str, float]]:
    with open(log_dir / "heldout.csv", encoding="utf-8") as handle:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def _speed(nets: dict[str, Net], planes: np.ndarray, rounds: int) -> dict[str, dict[int, float]]:
    """Positions/s of each net at batch 1, 8, 32: interleaved rounds, the median."""
    runners = {name: TorchEvaluator(net, device="cpu") for name, net in nets.items()}
    out: dict[str, dict[int, float]] = {}
    for batch in (1, 8, 32):
        x = planes[:batch]
        reps = max(1, 256 // batch)
        samples: dict[str, list[float]] = {name: [] for name in runners}
        for _ in range(rounds):
            for name, runner in runners.items():
                runner.policy_logits(x)  # warm
                start = time.perf_counter()
                for _ in range(reps):
                    runner.policy_logits(x)
                samples[name].append(reps * batch / (time.perf_counter() - start))
        for name, values in samples.items():
            out.setdefault(name, {})[batch] = float(np.median(values))
    return out


def _plot(curves: dict[str, list[dict[str, float]]], teacher_top1: float, path: Path) -> None:
    fig = figure_class("the distillation curves")(figsize=(6.4, 4.2))
    ax = fig.subplots()
    for name, rows in curves.items():
        ax.plot([r["step"] for r in rows], [100 * r["top1"] for r in rows], marker="o", label=name)
    ax.axhline(100 * teacher_top1, color="black", linestyle="--", label="teacher")
    ax.axhline(90 * teacher_top1, color="grey", linestyle=":", label="90% of teacher")
    ax.set_xlabel("training steps")
    ax.set_ylabel("held-out policy top-1 (%)")
    ax.set_title("Student (1/5 of the teacher's FLOPs): scratch vs KD vs FitNets")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, png_bytes(fig, dpi=110))


def add_run_args(parser: argparse.ArgumentParser) -> None:
    """The student, its training, the outputs: the arguments this and teacher_experiment share."""
    parser.add_argument("--student", default="alphago_policy_l13c192")
    parser.add_argument("--blocks", type=int, default=6)
    parser.add_argument("--channels", type=int, default=24)
    parser.add_argument("--norm", default="batch")
    parser.add_argument("--steps", type=int, default=1600)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--eval-positions", type=int, default=4000)
    parser.add_argument("--temperature", type=float, default=2.0)
    parser.add_argument("--soft-weight", type=float, default=0.9)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5, help="speed rounds")
    parser.add_argument("--json", required=True)
    parser.add_argument("--plot", required=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder of sl shards")
    parser.add_argument("--work", required=True, help="folder for the runs' files")
    parser.add_argument("--teacher", default="src/igo/weights/alphago-9x9-policy.safetensors")
    add_run_args(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    work = Path(args.work)
    teacher = load_checkpoint(args.teacher)
    shape = {"blocks": args.blocks, "channels": args.channels, "norm": args.norm}
    result: dict[str, Any] = {"args": vars(args), "runs": {}}
    students: dict[str, Net] = {}
    for run in RUNS:
        student = build_student(args.student, teacher.config, args.seed, shape)
        start = time.perf_counter()
        net, report = distill(
            student, teacher, args.data, _config(args, run),
            out=work / f"{run}.safetensors", log_dir=work / f"{run}.logs",
        )  # fmt: skip
        students[run] = net
        result["runs"][run] = {
            "student": report.student, "teacher": report.teacher, "seconds": report.seconds,
            "call_seconds": time.perf_counter() - start, "curve": _curve(work / f"{run}.logs"),
        }  # fmt: skip
        print(run, report.student, "teacher", report.teacher, flush=True)
    result["teacher"] = result["runs"]["kd"]["teacher"]
    result["flops"] = {"teacher": flops_of(teacher), "student": flops_of(students["kd"])}
    held = load_positions(args.data, teacher.config, 64, args.seed)
    speed = _speed({"teacher": teacher, "student": students["kd"]}, held.planes, args.rounds)
    result["positions_per_s"] = speed
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.json, json.dumps(result, indent=1) + "\n")
    curves = {run: result["runs"][run]["curve"] for run in RUNS}
    _plot(curves, result["teacher"]["top1"], Path(args.plot))
    top1 = result["teacher"]["top1"]
    print("| run | top-1 | of teacher's | top-5 |\n|---|---:|---:|---:|")
    for run in RUNS:
        s = result["runs"][run]["student"]
        print(f"| {run} | {s['top1']:.1%} | {s['top1'] / top1:.1%} | {s['top5']:.1%} |")
    print(f"| teacher | {top1:.1%} | 100% | {result['teacher']['top5']:.1%} |")
    print("positions/s:", json.dumps(speed), "FLOPs:", result["flops"])


if __name__ == "__main__":
    main()
