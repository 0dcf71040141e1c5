"""Flags several subcommands share (player, its options, rules, komi, size, seed), parsed and
checked once.

Player options are plain ``--key value`` flags (the arena turns ``igo:player=mcts,visits=400``
into ``--player mcts --visits 400``), one for each entry of ``igo.agents.player_options``'s list,
their types, help and defaults read from the dataclass fields they set and the players' presets.
Only the flags given reach the player's factory, and a flag the chosen player does not take is an
error that names what it does take.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import textwrap
from typing import Any

from igo.agents import Player, create_player, default_player, list_players
from igo.agents.player import OptionDefaults, accepted_options, board_sizes_of, option_defaults
from igo.agents.player_options import (
    OPTIONS,
    PLAYER_OPTIONS,
    SEED,
    PlayerOption,
    defaults_text,
)
from igo.go.coords import MAX_SIZE, MIN_SIZE
from igo.go.rules import PRESETS, Rules, rules_from_name

DEFAULT_THREADS = 1
"""Torch CPU threads of a process that plays with networks, unless ``--threads`` says otherwise.
torch's default (one per core) makes its threads wait on each other, spinning, as soon as other
work shares the cores: on a loaded 2-core machine a 400-visit ``genmove`` of the zero or alphago
player took 10-12x longer with 2 threads than with 1, burning 13x the CPU (``igo bench threads``,
docs/benchmarks.md). The search sends the network small batches (8 leaves), which one thread
serves; ``--threads N`` is there for free cores and bigger batches."""


def _bool(word: str) -> bool:
    if word.lower() in ("1", "true", "yes", "on"):
        return True
    if word.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, not {word!r}")


def _parser(kind: type) -> Any:
    """How a flag's word becomes the value its field wants."""
    return _bool if kind is bool else kind


def _metavar(option: PlayerOption) -> str:
    return "BOOL" if option.value_type is bool else option.flag.strip("-").upper().replace("-", "_")


@functools.cache
def _players_defaults() -> dict[str, OptionDefaults]:
    """Every player's option defaults, computed once (both ``igo gtp`` and ``igo play`` ask)."""
    return {name: option_defaults(name) for name in list_players()}


def _help(option: PlayerOption) -> str:
    """The option's field docstring, then every player's default where there is one (from the
    players' presets, never a copy)."""
    defaults: dict[str, Any] = {}
    for name, presets in _players_defaults().items():
        if option.name in accepted_options(name):
            for label, values in presets.items():
                if option.name in values:
                    defaults[label] = values[option.name]
    text = option.doc.replace("``", "")
    said = defaults_text(defaults)
    return (f"{text} ({said})" if said else text).replace("%", "%%")


def add_game_options(
    parser: argparse.ArgumentParser, size: int, rules: bool = True, board_size: bool = True
) -> None:
    """Add --player and its options, --rules, --komi (unless ``rules`` is False: each request
    says its own), --size (unless ``board_size`` is False: each input says its own) and --seed
    to ``parser``.

    Args:
        parser: the subcommand's parser.
        size: the board size when neither --size nor the player's network decides it.
    """
    parser.add_argument(
        "--player",
        default=None,
        choices=list_players(),
        help="who plays (default: the strongest shipped player for the board size: alphago on "
        "9x9, else mcts)",
    )
    if rules:
        parser.add_argument("--rules", default="chinese", help=f"one of {', '.join(PRESETS)}")
        parser.add_argument("--komi", type=float, default=None, help="komi (default: the rules')")
    if board_size:
        parser.add_argument(
            "--size",
            type=int,
            default=None,
            help=f"board size, {MIN_SIZE}..{MAX_SIZE} (default: the network's, else {size})",
        )
    parser.add_argument("--seed", type=int, default=None, help="random seed of the player")
    group = parser.add_argument_group("player options (each player takes some of these)")
    for option in PLAYER_OPTIONS:
        group.add_argument(
            option.flag,
            dest=option.name,
            type=_parser(option.value_type),
            default=None,
            metavar=_metavar(option),
            help=_help(option),
        )
    group.add_argument(
        "--threads",
        type=int,
        default=None,
        metavar="N",
        help=f"CPU threads of the networks (default {DEFAULT_THREADS}: one per engine process,"
        " so a busy machine is not oversubscribed; see docs/gtp.md)",
    )
    parser.set_defaults(default_size=size)


def takes_threads(player: str) -> bool:
    """Whether ``player`` plays with networks, so that ``--threads`` concerns it: the players
    that take ``--device``."""
    return "device" in accepted_options(player)


def player_flags(name: str) -> list[str]:
    """The flags player ``name`` takes, read from its registration (so never stale)."""
    accepted = accepted_options(name)
    flags = [option.flag for option in PLAYER_OPTIONS if option.name in accepted]
    return flags + ["--threads"] * ("device" in accepted) + ["--seed"] * ("seed" in accepted)


def players_help() -> str:
    """Every registered player with the flags it takes, for a help page's epilog."""
    width = max(len(name) for name in list_players())
    lines = ["players and the flags each takes:"]
    for name in list_players():
        lead = f"  {name:<{width}}  "
        flags = ", ".join(player_flags(name)) or "no options"
        lines.append(
            textwrap.fill(
                flags,
                79,
                initial_indent=lead,
                subsequent_indent=" " * len(lead),
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines) + "\n"


def player_kwargs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, Any]:
    """The given player flags as keyword arguments, checked against what the player takes."""
    accepted = accepted_options(args.player)
    given = {option.name: getattr(args, option.name) for option in PLAYER_OPTIONS}
    given[SEED.name] = args.seed
    kwargs = {key: value for key, value in given.items() if value is not None}
    wrong = [OPTIONS[key].flag for key in kwargs if key not in accepted]
    if args.threads is not None and not takes_threads(args.player):
        wrong.append("--threads")
    if wrong:
        takes = player_flags(args.player)
        parser.error(
            f"--player {args.player} does not take {', '.join(wrong)}"
            f" (it takes: {', '.join(takes) or 'no options'})"
        )
    return kwargs


def _set_threads(threads: int | None, uses_networks: bool) -> None:
    """Threads are a process setting, so the entry point makes it (never library code): the
    given count, else ``DEFAULT_THREADS`` for a player with networks (others never load torch)."""
    if threads is None:
        if not uses_networks:
            return
        threads = DEFAULT_THREADS
    if threads < 1:
        raise ValueError(f"--threads must be at least 1, not {threads}")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)
    else:
        # torch reads it when it is first imported: importing torch here would cost an engine
        # a second or two before its first answer (it loads its networks in the background).
        os.environ["OMP_NUM_THREADS"] = str(threads)


def game_config(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[Player, Rules]:
    """The player and rules the flags ask for; bad values end in ``parser.error`` (exit 2).

    Sets ``args.size`` when it was not given: the size the player's network plays, else the
    subcommand's default.
    """
    if args.size is not None and not MIN_SIZE <= args.size <= MAX_SIZE:
        parser.error(f"--size must be from {MIN_SIZE} to {MAX_SIZE}, not {args.size}")
    chosen = args.player is None
    if chosen:
        args.player = default_player(None)
    try:
        rules = rules_from_name(getattr(args, "rules", "chinese"), getattr(args, "komi", None))
    except ValueError as err:
        parser.error(str(err))
    kwargs = player_kwargs(parser, args)
    try:
        _set_threads(args.threads, takes_threads(args.player))
        player = create_player(args.player, **kwargs)
    except (TypeError, ValueError, OSError) as err:
        parser.error(f"cannot create player {args.player!r}: {err}")
    sizes = board_sizes_of(player)
    if args.size is None:
        # The size a player that plays every size starts on: its own choice (auto: 9x9, where
        # its strongest player is), else the subcommand's default.
        args.size = sizes[0] if sizes else getattr(player, "start_size", args.default_size)
    elif sizes is not None and args.size not in sizes:
        parser.error(f"--player {args.player} plays {sizes[0]}x{sizes[0]} only, not {args.size}")
    if chosen:
        best = f"igo: playing {args.player}, the strongest shipped player for each board size"
        print(f"{best} (--player chooses another)", file=sys.stderr)
    return player, rules
