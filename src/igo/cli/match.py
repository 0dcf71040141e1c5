"""``igo match A B``: refereed games between two engines, in parallel, recorded in the arena DB."""

from __future__ import annotations

import argparse
import sys

from igo.agents.referee import GameLimits
from igo.eval.arena import ArenaError, MatchConfig, parse_time_control, run_match
from igo.eval.progress import MatchProgress
from igo.eval.sprt import parse_sprt
from igo.eval.summary import format_summary, print_move

_FLAGS = (  # flag, type, default, help
    ("--games", int, 10, "number of games (colours alternate)"),
    ("--size", int, 9, "board size"),
    ("--komi", float, None, "komi (default: the rules')"),
    ("--rules", str, "chinese", "rules preset the referee applies"),
    ("--move-cap", int, None, "moves before a game is stopped and counted (default: 3*size^2)"),
    ("--move-timeout", float, 60.0, "seconds per reply before an engine forfeits as hung"),
    ("--time", str, None, "time control MAIN or MAIN,PERIOD,STONES seconds (default: none)"),
    ("--jobs", int, None, "games at once (default: every core)"),
    ("--db", str, "runs/arena.sqlite", "arena database the results accumulate in"),
    ("--sgf-dir", str, None, "folder for the SGF files (default: games/ next to the DB)"),
    ("--sprt", str, None, "stop early by SPRT: elo0,elo1, e.g. 0,10 (default: never)"),
    ("--alpha", float, 0.05, "SPRT false-positive rate"),
    ("--beta", float, 0.05, "SPRT false-negative rate"),
)


EXAMPLES = """\
examples:
  igo match igo:player=zero,visits=200 gnugo:level=10 --games 20 --jobs 2
  igo match igo:player=random,name=a igo:player=random,name=b --size 5
  igo match "leelaz:weights=lz.gz,visits=100" gnugo --sprt 0,50 --games 400
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "match", help="play refereed games between two GTP engines", epilog=EXAMPLES
    )
    parser.add_argument("first", help="engine spec: igo:player=random, gnugo:level=10, a command")
    parser.add_argument("second", help="engine spec of the opponent")
    for flag, kind, default, text in _FLAGS:
        parser.add_argument(flag, type=kind, default=default, help=text)
    parser.add_argument("--quiet", action="store_true", help="progress bar only, no game lines")
    parser.add_argument(
        "--moves", action="store_true", help="print every move (one game at a time)"
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    try:
        time_control = None if args.time is None else parse_time_control(args.time)
        limits = GameLimits(args.move_cap, args.move_timeout, time_control)
        sprt = None if args.sprt is None else parse_sprt(args.sprt, args.alpha, args.beta)
        config = MatchConfig(
            args.games,
            args.size,
            args.rules,
            args.komi,
            limits,
            args.jobs,
            args.db,
            args.sgf_dir,
            sprt,
        )
        with MatchProgress(config.games, quiet=args.quiet) as progress:
            on_move = print_move if args.moves else None
            summary = run_match(
                args.first, args.second, config, progress.update, progress.start, on_move
            )
    except (ValueError, ArenaError) as err:
        print(f"igo match: error: {err}", file=sys.stderr)
        return 2
    print(format_summary(summary))
    voids = summary.endings.get("void", 0)
    if voids and summary.games == 0:
        # Every game lost to a failure of the arena itself: nothing was measured, so not a success.
        print(
            f"igo match: error: all {voids} games void (see each record's comment)", file=sys.stderr
        )
        return 1
    return 0
