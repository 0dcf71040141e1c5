"""``igo play``: play a game against igo in the terminal."""

from __future__ import annotations

import argparse
import sys

from igo.agents.terminal import play_in_terminal
from igo.cli.options import add_game_options, game_config, players_help
from igo.go.coords import parse_color
from igo.go.state import GameState

EXAMPLES = """\
examples:
  igo play --player zero --visits 400 --color white   you play white
  igo play --player random --size 5                    a quick game on 5x5
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "play", help="play against igo in the terminal", epilog=f"{players_help()}\n{EXAMPLES}"
    )
    add_game_options(parser, size=9)
    parser.add_argument("--color", default="black", help="your colour: black or white")
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    try:
        human = parse_color(args.color)
    except ValueError:
        args.parser.error(f"--color must be black or white, not {args.color!r}")
    player, rules = game_config(args.parser, args)
    state = GameState.new(args.size, rules)
    return play_in_terminal(player, state, human, sys.stdin, sys.stdout)
