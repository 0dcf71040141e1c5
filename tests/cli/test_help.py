"""Every subcommand's ``--help``: renders, shows defaults and at least one example command line;
``igo gtp`` and ``igo play`` list each registered player with the flags it takes."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from igo.agents import list_players
from igo.cli.main import build_parser
from igo.cli.options import player_flags


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Every (sub-)subcommand parser by its prog, e.g. ``igo data import``."""
    found = {}
    for action in parser._actions:  # argparse keeps subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found[sub.prog] = sub
                found.update(_commands(sub))
    return found


COMMANDS = _commands(build_parser())


def test_every_subcommand_is_covered() -> None:
    names = {
        "gtp",
        "analysis",
        "review",
        "serve",
        "play",
        "match",
        "ratings",
        "report",
        "bench",
        "data",
        "zero",
        "alphago",
        "compress",
        "warmup",
        "train-pipeline",
    }
    actions = {"data generate", "data import", "data train-rollout", "compress quantize"}
    actions |= {"compress prune", "compress distill"}
    assert set(COMMANDS) == {f"igo {name}" for name in names | actions}


@pytest.mark.parametrize("prog", sorted(COMMANDS))
def test_help_shows_defaults_and_an_example(prog: str) -> None:
    text = COMMANDS[prog].format_help()
    examples = text.split("\nexamples:\n", 1)
    assert len(examples) == 2, f"{prog} --help has no examples: section"
    assert re.search(rf"^  {prog}\b", examples[1], re.MULTILINE), "no example of the command"
    if prog not in ("igo data", "igo compress"):  # only sub-actions, no options
        assert "(default: " in text


@pytest.mark.parametrize("prog", ["igo gtp", "igo play"])
def test_gtp_and_play_help_list_every_player_and_its_flags(prog: str) -> None:
    text = COMMANDS[prog].format_help()
    listing = text.split("players and the flags each takes:\n", 1)[1].split("\n\n", 1)[0]
    entries = re.split(r"\n  (?=\S)", "\n" + listing)[1:]  # one per player, lines joined
    players = {entry.split()[0]: " ".join(entry.split()[1:]) for entry in entries}
    assert sorted(players) == list_players()
    for name, flags in players.items():
        assert flags.replace(",", "").split() == (player_flags(name) or ["no", "options"])


def test_help_renders_through_the_real_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "igo", "gtp", "--help"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "players and the flags each takes:" in done.stdout
    assert (
        re.search(r"^  random +--seed$", done.stdout, re.MULTILINE) and "examples:" in done.stdout
    )
