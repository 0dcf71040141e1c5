"""``igo report``: a markdown report of the arena database (ratings, matches, plots as PNG)."""

from __future__ import annotations

import argparse
import sys

from igo.eval.elo import DEFAULT_ANCHOR, parse_anchor
from igo.eval.report import write_report

EXAMPLES = """\
examples:
  igo report                          writes runs/report/report.md
  igo report --db runs/zero-9x9/arena/curve.sqlite --out runs/zero-9x9/report
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "report", help="write a markdown arena report with plots", epilog=EXAMPLES
    )
    parser.add_argument("--db", default="runs/arena.sqlite", help="arena database")
    parser.add_argument("--out", default="runs/report", help="output folder")
    parser.add_argument("--anchor", default=f"{DEFAULT_ANCHOR}=0", help="NAME=ELO held fixed")
    parser.add_argument(
        "--size", type=int, default=None, help="only games on this board size (default: all)"
    )
    parser.add_argument(
        "--prior-draws", type=float, default=1.0, help="virtual draws per pairing (0: pure MLE)"
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    try:
        name, elo = parse_anchor(args.anchor)
        path = write_report(args.db, args.out, name, elo, args.prior_draws, args.size)
    except ValueError as err:
        print(f"igo report: error: {err}", file=sys.stderr)
        return 2
    print(f"report written to {path}")
    return 0
