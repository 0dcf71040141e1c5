"""``igo warmup``: compile and cache every numba kernel now, so that the first game starts warm
(``scripts/setup.sh`` runs it; see ``igo.warmup``)."""

from __future__ import annotations

import argparse
import sys

from igo.warmup import TaskReport, task_names, warm_up

EXAMPLES = """\
examples:
  igo warmup                      # every task, two processes (about 2-5 minutes on a new install)
  igo warmup --tasks rules zero   # only the rules kernels and the Zero player's search
  igo warmup --check              # developers: which kernels does no task compile?
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "warmup",
        help="compile and cache every numba kernel ahead of use",
        epilog=EXAMPLES,
    )
    parser.add_argument(
        "--tasks", nargs="+", choices=task_names(), default=None, help="tasks (default: all)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--check",
        action="store_true",
        help="run on an empty cache (caching nothing) and list the kernels no task compiled",
    )
    parser.set_defaults(run=run, parser=parser)


def _line(report: TaskReport) -> None:
    status = "ok" if report.error is None else f"FAILED: {report.error}"
    print(f"igo warmup: {report.name:8s} {report.seconds:6.1f} s  {status}", flush=True)


def run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        args.parser.error(f"--jobs must be at least 1, not {args.jobs}")
    print("igo warmup: compiling igo's kernels (minutes on a new install, seconds after)")
    report = warm_up(args.tasks, args.jobs, on_task=_line, check=args.check)
    if report.missed:
        print(f"igo warmup: not compiled by any task: {', '.join(report.missed)}", file=sys.stderr)
    print(f"igo warmup: done in {report.seconds:.1f} s")
    return 0 if report.ok else 1
