"""``igo gtp``: speak GTP on standard input/output (for Sabaki, GoGui, Lizzie, KGS, twogtp)."""

from __future__ import annotations

import argparse
import os
import sys

from igo.agents.gtp import GoEngine
from igo.cli.options import add_game_options, game_config, players_help
from igo.io.gtp import serve

USAGE = "igo gtp [--player NAME] [player options] [--rules R] [--komi K] [--size N] [--seed S]"
EXAMPLES = """\
examples:
  igo gtp --player zero --visits 800       the shipped 9x9 Zero network
  igo gtp --player mcts --checkpoint runs/zero-9x9/models/best.safetensors
  igo gtp --player random --size 19        a random mover, to try a GUI
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "gtp",
        help="run a GTP engine on stdin/stdout",
        usage=USAGE,
        epilog=f"{players_help()}\n{EXAMPLES}",
    )
    add_game_options(parser, size=19)
    parser.add_argument(
        "--gtp-version",
        metavar="TEXT",
        help="what the GTP version command answers (default: igo's version); Lizzie wants a "
        "Leela Zero version of 0.15 or later: --gtp-version 0.17",
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    player, rules = game_config(args.parser, args)
    # The engine answers at once; networks and compiled kernels load in the background.
    engine = GoEngine(
        player, size=args.size, rules=rules, version=args.gtp_version, background=True
    )
    print(f"igo: GTP engine ready ({player.name}, {args.size}x{args.size})", file=sys.stderr)
    status = serve(engine, sys.stdin.buffer, sys.stdout.buffer)
    if not engine.player_ready:
        # The start-up thread may be deep in numba's compiler: leave without waiting for it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status
