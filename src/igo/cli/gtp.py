"""``igo gtp``: speak GTP on standard input/output (for Sabaki, GoGui, Lizzie, KGS, twogtp)."""

from __future__ import annotations

import argparse
import sys

from igo.agents.gtp_engine import GoEngine
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
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    player, rules = game_config(args.parser, args)
    engine = GoEngine(player, size=args.size, rules=rules)
    print(f"igo: GTP engine ready ({player.name}, {args.size}x{args.size})", file=sys.stderr)
    return serve(engine, sys.stdin.buffer, sys.stdout.buffer)
