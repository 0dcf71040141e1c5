"""Bigger teachers and ensembles of teachers, measured: each teacher's and each ensemble's held-out
policy accuracy, then the same student distilled (KD) from each teacher set at equal steps.

Teachers are named checkpoints (``--teacher NAME=PATH``); a teacher set is names joined by ``+``
(``shipped+big``: an ensemble, the mean of its members' soft policies, ``igo.compress.distill``).
``--ensemble SET`` sets are only measured; ``--run SET`` sets are measured and distilled into a
student (same variant, shape, seed, data, steps and KD settings for every run, so the students
differ only by their teacher); ``--run scratch`` is the same student on the moves played
alone. Then, in one process and interleaved rounds (median, one thread), what a training step
costs: each run's teacher pass (its soft policy of a minibatch) and the student's own step
(forward, backward, update). Each run resumes if the script is killed and
rerun (a finished one is read back). Writes a JSON of everything, the curves as a PNG and prints
Markdown tables.

    python benchmarks/teacher_experiment.py --data SL_SHARDS --work RUN_FOLDER \\
        --teacher shipped=src/igo/weights/alphago-9x9-policy.safetensors \\
        --teacher big=BIG.safetensors --run shipped --run big --run shipped+big \\
        --json benchmarks/results/teachers-....json --plot docs/images/teacher-curves.png
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from distill_experiment import _config, _curve, add_run_args
from igo.compress.distill import Teacher, distill
from igo.compress.distill_alphago import teacher_metrics
from igo.compress.distill_recipe import build_student, flops_of, load_teacher
from igo.compress.positions import Positions, load_positions
from igo.extras import figure_class, png_bytes
from igo.files import write_bytes_atomic, write_text_atomic
from igo.nn.net import Net

CPU = torch.device("cpu")
SCRATCH = "scratch"
"""The run name of the same student trained on the moves played alone (no teacher run)."""


def _members(teachers: dict[str, Net], spec: str) -> list[Net]:
    if spec == SCRATCH:  # distill() checks the student against a teacher it does not run
        return [next(iter(teachers.values()))]
    unknown = [name for name in spec.split("+") if name not in teachers]
    if unknown:
        raise SystemExit(f"teacher set {spec}: no --teacher named {', '.join(unknown)}")
    return [teachers[name] for name in spec.split("+")]


def _median_seconds(call: Any, rounds: int) -> float:
    call()  # warm
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return float(np.median(samples))


def _step_costs(
    args: argparse.Namespace, teachers: dict[str, Net], student: Net, held: Positions
) -> dict[str, float]:
    """Seconds per minibatch: each run's teacher pass and the student's step (interleaved).
    The rounds are ``--rounds`` (the speed rounds of distill_experiment)."""
    x = torch.from_numpy(held.planes[: args.batch_size])
    moves = torch.from_numpy(held.moves[: args.batch_size])
    sets = {spec: Teacher(_members(teachers, spec), CPU) for spec in args.run if spec != SCRATCH}
    optimizer = torch.optim.SGD(student.parameters(), lr=1e-9, momentum=0.9)
    student.train()

    def student_step() -> None:
        optimizer.zero_grad()
        F.cross_entropy(student(x), moves).backward()
        optimizer.step()

    calls = {f"teacher {spec}": (lambda t=t: t.soft_policy(x, args.temperature))
             for spec, t in sets.items()}  # fmt: skip
    calls["student step"] = student_step
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(args.rounds):
        for name, call in calls.items():
            samples[name].append(_median_seconds(call, 3))
    return {name: float(np.median(values)) for name, values in samples.items()}


def _teacher_table(
    args: argparse.Namespace, teachers: dict[str, Net], known: dict[str, dict[str, float]]
) -> dict[str, Any]:
    """Held-out top-1, top-5 and cross-entropy of each teacher set (of the mean soft policy at
    T = 1 for an ensemble): single teachers on every folder, ensembles on ``--data`` only;
    ``known``: the runs' reports, the same measure on ``--data``'s same positions."""
    first = next(iter(teachers.values())).config
    folders = list(dict.fromkeys([args.data, *args.measure_on]))
    held = {d: load_positions(d, first, args.eval_positions, args.seed) for d in folders}
    table: dict[str, Any] = {}
    runs = [spec for spec in args.run if spec != SCRATCH]
    for spec in dict.fromkeys([*teachers, *runs, *args.ensemble]):
        nets = _members(teachers, spec)
        row: dict[str, Any] = {"flops": sum(flops_of(net) for net in nets)}
        for folder in folders if len(nets) == 1 else [args.data]:
            if folder == args.data and spec in known:
                row[folder] = known[spec]
            else:
                row[folder] = teacher_metrics(Teacher(nets, CPU), held[folder], True, CPU)
        table[spec] = row
        print(spec, json.dumps(row), flush=True)
    return table


def _plot(result: dict[str, Any], path: Path) -> None:
    fig = figure_class("the teacher curves")(figsize=(6.4, 4.2))
    ax = fig.subplots()
    for spec, run in result["runs"].items():
        rows = run["curve"]
        label = (
            "from scratch"
            if spec == SCRATCH
            else f"KD from {spec} ({100 * run['teacher']['top1']:.1f}%)"
        )
        ax.plot([r["step"] for r in rows], [100 * r["top1"] for r in rows], marker="o", label=label)
    ax.set_xlabel(f"training steps (minibatches of {result['args']['batch_size']})")
    ax.set_ylabel("held-out policy top-1 (%)")
    ax.set_title("One student (6 x 24), different teachers, equal steps")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, png_bytes(fig, dpi=110))


def _cell(metrics: dict[str, float]) -> str:
    """top-1 / top-5 / cross-entropy."""
    return f"{metrics['top1']:.1%} / {metrics['top5']:.1%} / {metrics['loss']:.3f}"


def _print_tables(result: dict[str, Any]) -> None:
    print("| teacher set | MFLOPs | " + " | ".join(result["measured_on"]) + " |")
    for spec, row in result["teachers"].items():
        cells = [_cell(row[d]) if d in row else "" for d in result["measured_on"]]
        print(f"| {spec} | {row['flops'] / 1e6:.1f} | " + " | ".join(cells) + " |")
    costs = result["step_seconds"]
    print("\n| student from | top-1 | of teacher's | top-5 | CE | teacher ms/step | run s |")
    for spec, run in result["runs"].items():
        s, t = run["student"], run["teacher"]
        cost = 1000 * costs.get("teacher " + spec, 0.0)
        print(
            f"| {spec} | {s['top1']:.1%} | {s['top1'] / t['top1']:.1%} | {s['top5']:.1%} | "
            f"{s['loss']:.3f} | {cost:.0f} | {run['seconds']:.0f} |"
        )
    print(f"student step alone: {1000 * costs['student step']:.0f} ms")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder of sl shards (train and held-out)")
    parser.add_argument("--work", required=True, help="folder for the runs' files")
    add = parser.add_argument
    add("--teacher", action="append", required=True, help="NAME=CHECKPOINT (repeat)")
    add("--run", action="append", default=[], help="a teacher set to distill (a+b: ensemble)")
    add("--ensemble", action="append", default=[], help="a teacher set only measured")
    add("--measure-on", action="append", default=[], help="more sl folders to measure on")
    add_run_args(parser)
    return parser


def main() -> None:
    args = _parser().parse_args()
    torch.set_num_threads(args.threads)
    pairs = [item.split("=", 1) for item in args.teacher]
    teachers = {name: load_teacher(path) for name, path in pairs}
    first = next(iter(teachers.values())).config
    result: dict[str, Any] = {"args": vars(args), "runs": {}}
    result["measured_on"] = list(dict.fromkeys([args.data, *args.measure_on]))
    shape = {"blocks": args.blocks, "channels": args.channels, "norm": args.norm}
    work = Path(args.work)
    for spec in args.run:
        student = build_student(args.student, first, args.seed, shape)
        name = spec.replace("+", "-")
        config = _config(args, SCRATCH if spec == SCRATCH else "kd")
        net, report = distill(
            student, _members(teachers, spec), args.data, config,
            out=work / f"{name}.safetensors", log_dir=work / f"{name}.logs",
        )  # fmt: skip
        result["runs"][spec] = {
            "student": report.student, "teacher": report.teacher, "seconds": report.seconds,
            "curve": _curve(work / f"{name}.logs"), "student_flops": flops_of(net),
        }  # fmt: skip
        print(spec, report.student, "teacher", report.teacher, flush=True)
    known = {spec: run["teacher"] for spec, run in result["runs"].items() if spec != SCRATCH}
    result["teachers"] = _teacher_table(args, teachers, known)
    probe = build_student(args.student, first, args.seed, shape)
    held = load_positions(args.data, first, args.batch_size, args.seed)
    result["step_seconds"] = _step_costs(args, teachers, probe, held)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(args.json, json.dumps(result, indent=1) + "\n")
    if result["runs"]:
        _plot(result, Path(args.plot))
    _print_tables(result)


if __name__ == "__main__":
    main()
