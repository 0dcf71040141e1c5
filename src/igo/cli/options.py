"""Flags several subcommands share (player, rules, komi, size, seed), parsed and checked once."""

from __future__ import annotations

import argparse

from igo.agents import Player, create_player, list_players
from igo.go.coords import MAX_SIZE, MIN_SIZE
from igo.go.rules import PRESETS, Rules, rules_from_name


def add_game_options(parser: argparse.ArgumentParser, size: int) -> None:
    """Add --player, --rules, --komi, --size and --seed to ``parser``."""
    parser.add_argument("--player", default="random", choices=list_players(), help="who plays")
    parser.add_argument("--rules", default="chinese", help=f"one of {', '.join(PRESETS)}")
    parser.add_argument("--komi", type=float, default=None, help="komi (default: the rules')")
    parser.add_argument(
        "--size", type=int, default=size, help=f"board size, {MIN_SIZE}..{MAX_SIZE}"
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed of the player")


def game_config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[Player, Rules]:
    """The player and rules the flags ask for; bad values end in ``parser.error`` (exit 2)."""
    if not MIN_SIZE <= args.size <= MAX_SIZE:
        parser.error(f"--size must be from {MIN_SIZE} to {MAX_SIZE}, not {args.size}")
    try:
        rules = rules_from_name(args.rules, args.komi)
    except ValueError as err:
        parser.error(str(err))
    kwargs = {} if args.seed is None else {"seed": args.seed}
    try:
        player = create_player(args.player, **kwargs)
    except (TypeError, ValueError) as err:
        parser.error(f"cannot create player {args.player!r}: {err}")
    return player, rules
