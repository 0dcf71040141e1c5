"""``igo play``: a person against igo in the terminal, driven through piped standard input."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from igo.agents.random_player import RandomPlayer
from igo.agents.terminal import play_in_terminal
from igo.cli.main import main
from igo.go.coords import Color
from igo.go.rules import PRESETS
from igo.go.state import GameState

HANG_GUARD_S = 600.0
"""A hang guard, not a speed claim: a fresh engine process imports torch and may compile kernels
for minutes on a loaded machine (speed is measured by ``igo bench``, docs/benchmarks.md)."""


def run_igo_play(stdin: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "igo", "play", "--player", "random", "--seed", "3", *args],
        input=stdin, capture_output=True, text=True, timeout=HANG_GUARD_S, cwd=cwd,
    )  # fmt: skip


def test_bad_input_reprompts_then_eof_exits(tmp_path: Path) -> None:
    lines = ["xyz", "Z9", "", "help", "undo", "C3", "C3", "undo", "C3", "pass"]
    process = run_igo_play("\n".join(lines) + "\n", "--size", "5", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    out = process.stdout
    assert "Not a move: 'xyz'" in out and "Not a move: 'Z9'" in out
    assert "Nothing to undo." in out
    assert "Illegal move C3: occupied." in out
    assert out.count("igo (white) plays") >= 3
    assert "   A B C D E\n" in out and " 5 " in out
    assert "Game abandoned." in out
    assert "Traceback" not in process.stderr


def test_resign_gives_a_result(tmp_path: Path) -> None:
    process = run_igo_play("resign\n", "--size", "9", "--color", "white", cwd=tmp_path)
    assert process.returncode == 0, process.stderr
    assert "igo (black) plays" in process.stdout
    assert "Result: B+R" in process.stdout


def test_quit(tmp_path: Path) -> None:
    process = run_igo_play("quit\nD4\n", cwd=tmp_path)
    assert process.returncode == 0 and "Game abandoned." in process.stdout


@pytest.mark.parametrize(
    "args", [["--size", "0"], ["--color", "red"], ["--player", "nobody"], ["--rules", "x"]]
)
def test_bad_arguments(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["play", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_no_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "gtp" in capsys.readouterr().err


def test_a_game_played_to_the_end() -> None:
    """The person passes every turn; the engine fills the board until it has only eyes, passes,
    and the game is counted."""
    state = GameState.new(5, PRESETS["chinese"])
    stdout = io.StringIO()
    status = play_in_terminal(
        RandomPlayer(seed=2), state, Color.BLACK, io.StringIO("pass\n" * 200), stdout
    )
    assert status == 0
    out = stdout.getvalue()
    assert "Result: W+" in out
    assert state.is_over() and state.consecutive_passes == 2


def test_undo_takes_back_the_reply_too() -> None:
    state = GameState.new(5, PRESETS["chinese"])
    stdin = io.StringIO("C3\nundo\nquit\n")
    play_in_terminal(RandomPlayer(seed=2), state, Color.BLACK, stdin, io.StringIO())
    assert state.moves == ()
