"""Flags several subcommands share (player, its options, rules, komi, size, seed), parsed and
checked once.

Player options are plain ``--key value`` flags (the arena turns ``igo:player=mcts,visits=400``
into ``--player mcts --visits 400``). Only the flags given reach the player's factory, and a flag
the chosen player does not take is an error that names what it does take.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from typing import Any

from igo.agents import Player, create_player, default_player, list_players
from igo.agents.player import board_sizes_of, player_options
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


# flag -> (player keyword, type, help); every one defaults to None (not given).
PLAYER_FLAGS: dict[str, tuple[str, Any, str]] = {
    "--checkpoint": ("checkpoint", str, "network checkpoint (.safetensors with its .json)"),
    "--visits": ("visits", int, "search: new simulations per move (default: 400)"),
    "--seconds": ("seconds", float, "search: most seconds per move (the clock may give less)"),
    "--batch": ("batch", int, "search: leaves per network call (default: 8)"),
    "--mode": ("mode", str, "search: zero (value head) or lee (value + rollouts)"),
    "--policy-checkpoint": ("policy_checkpoint", str, "Lee mode: AlphaGo policy net"),
    "--value-checkpoint": ("value_checkpoint", str, "Lee mode: AlphaGo value net"),
    "--rollout-checkpoint": ("rollout_checkpoint", str, "Lee mode: rollout policy (.npz)"),
    "--tree-policy": ("tree_policy", str, "Lee mode: tree policy (.npz)"),
    "--lambda": ("lee_lambda", float, "Lee mode: weight of rollouts in Q (0..1)"),
    "--expand-threshold": ("expand_threshold", int, "Lee mode: visits before net priors"),
    "--c-puct": ("c_puct", float, "search: exploration constant"),
    "--noise": ("noise", float, "search: Dirichlet noise weight at the root (default: 0)"),
    "--temperature": (
        "temperature",
        float,
        "0: best move; > 0: sample (policy, opening) (default: 0)",
    ),
    "--lcb": ("lcb", _bool, "search: choose by lower confidence bound (default: false)"),
    "--resign-threshold": (
        "resign_threshold",
        float,
        "resign below this root value (default: -0.9)",
    ),
    "--resign-moves": ("resign_moves", int, "... for this many own moves in a row (default: 3)"),
    "--resign-after": ("resign_after", int, "never resign before this move number (default: 20)"),
    "--device": ("device", str, "where networks run: auto, cpu, cuda, cuda:N (default: auto)"),
    "--symmetry": (
        "symmetry",
        str,
        "Zero nets: none, random or all symmetries (default: random; policy: none)",
    ),
    "--run-dir": ("run_dir", str, "alphago: the parts of an igo alphago run (default: shipped)"),
}


def add_game_options(parser: argparse.ArgumentParser, size: int) -> None:
    """Add --player and its options, --rules, --komi, --size and --seed to ``parser``.

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
    parser.add_argument("--rules", default="chinese", help=f"one of {', '.join(PRESETS)}")
    parser.add_argument("--komi", type=float, default=None, help="komi (default: the rules')")
    parser.add_argument(
        "--size",
        type=int,
        default=None,
        help=f"board size, {MIN_SIZE}..{MAX_SIZE} (default: the network's, else {size})",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed of the player")
    group = parser.add_argument_group("player options (each player takes some of these)")
    for flag, (dest, kind, text) in PLAYER_FLAGS.items():
        metavar = "BOOL" if kind is _bool else flag.strip("-").upper().replace("-", "_")
        group.add_argument(flag, dest=dest, type=kind, default=None, metavar=metavar, help=text)
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
    return "device" in player_options(player)


def player_flags(name: str) -> list[str]:
    """The flags player ``name`` takes, read from its factory's signature (so never stale)."""
    accepted = player_options(name)
    flags = [flag for flag, (dest, _, _) in PLAYER_FLAGS.items() if dest in accepted]
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
    accepted = player_options(args.player)
    given = {dest: getattr(args, dest) for dest, _, _ in PLAYER_FLAGS.values()}
    given["seed"] = args.seed
    kwargs = {key: value for key, value in given.items() if value is not None}
    flags = {dest: flag for flag, (dest, _, _) in PLAYER_FLAGS.items()} | {"seed": "--seed"}
    wrong = [flags[key] for key in kwargs if key not in accepted]
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
        args.player = default_player(args.size)
    try:
        rules = rules_from_name(args.rules, args.komi)
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
        args.size = sizes[0] if sizes else args.default_size
    elif sizes is not None and args.size not in sizes:
        parser.error(f"--player {args.player} plays {sizes[0]}x{sizes[0]} only, not {args.size}")
    if chosen:
        best = f"igo: playing {args.player}, the strongest shipped player for the board size"
        print(f"{best} (--player chooses another)", file=sys.stderr)
    return player, rules
