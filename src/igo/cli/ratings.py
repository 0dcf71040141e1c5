"""``igo ratings``: Elo of every engine in the arena database, fitted at once, as a table."""

from __future__ import annotations

import argparse
import sys

from igo.eval.elo import DEFAULT_ANCHOR, format_table, parse_anchor, ratings_from_db

EXAMPLES = """\
examples:
  igo ratings                                   runs/arena.sqlite's engines
  igo ratings --size 9 --anchor gnugo-l10=1500  9x9 games, GNU Go 10 at 1500
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ratings", help="fit Elo ratings of every engine in the DB", epilog=EXAMPLES
    )
    parser.add_argument("--db", default="runs/arena.sqlite", help="arena database")
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
        table = ratings_from_db(args.db, name, elo, args.prior_draws, args.size)
    except ValueError as err:
        print(f"igo ratings: error: {err}", file=sys.stderr)
        return 2
    print(format_table(table))
    return 0
