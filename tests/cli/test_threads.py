"""Torch threads of the commands that play: one by default for players with networks (a busy
machine is not oversubscribed), ``--threads N`` when given, nothing at all for the others."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import torch

from igo.cli import options
from igo.cli.main import build_parser
from igo.cli.options import DEFAULT_THREADS, game_config


@pytest.fixture(autouse=True)
def restore_threads() -> Iterator[None]:
    """Threads are a process setting: put back what the test process had."""
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def _configure(monkeypatch: pytest.MonkeyPatch, *argv: str) -> argparse.Namespace:
    """Parse ``igo gtp ARGV`` and run ``game_config`` with a stand-in player (no networks load)."""
    made: list[str] = []
    monkeypatch.setattr(options, "create_player", lambda name, **kwargs: made.append(name))
    args = build_parser().parse_args(["gtp", *argv])
    game_config(args.parser, args)
    assert made == [args.player]
    return args


@pytest.mark.parametrize("player", ["zero", "alphago", "mcts", "policy"])
def test_players_with_networks_get_the_default(
    player: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    torch.set_num_threads(2)
    _configure(monkeypatch, "--player", player, "--size", "9")
    assert torch.get_num_threads() == DEFAULT_THREADS == 1


def test_threads_flag_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.set_num_threads(1)
    _configure(monkeypatch, "--player", "zero", "--size", "9", "--threads", "2")
    assert torch.get_num_threads() == 2


def test_players_without_networks_leave_threads_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.set_num_threads(2)
    _configure(monkeypatch, "--player", "random")
    assert torch.get_num_threads() == 2


def test_bad_thread_counts_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _configure(monkeypatch, "--player", "zero", "--threads", "0")
    assert exit_info.value.code == 2 and "--threads must be at least 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _configure(monkeypatch, "--player", "random", "--threads", "2")
    assert "does not take --threads" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["gtp", "play"])
def test_help_shows_the_default(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    assert f"(default {DEFAULT_THREADS}:" in " ".join(capsys.readouterr().out.split())


def test_the_default_reaches_torch_imported_later() -> None:
    # An engine builds its player without torch (networks load in the background, so that it
    # answers at once): the thread count must still reach torch when it is imported later.
    script = (
        "import sys\n"
        "from igo.cli.main import build_parser\n"
        "from igo.cli.options import game_config\n"
        "args = build_parser().parse_args(['gtp', '--player', 'zero', '--size', '9'])\n"
        "game_config(args.parser, args)\n"
        "assert 'torch' not in sys.modules, 'building the player imported torch'\n"
        "import torch\n"
        "print(torch.get_num_threads())\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, env=env, timeout=600
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(DEFAULT_THREADS)
