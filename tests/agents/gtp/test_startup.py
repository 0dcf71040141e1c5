"""An engine answers at once: heavy start-up work runs in the background, moves wait for it.

The in-process tests hold a player's ``prepare`` on an event, so they show without any clock that
every command but a move is answered while it runs. The subprocess test starts the real
``igo gtp --player alphago`` on an empty numba cache and checks that ``name``, ``boardsize``,
``komi`` and ``play`` are answered before the first kernel is compiled (the engine writes a line
on standard error when the rules kernels are ready).
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

import pytest

from igo.agents import Clock
from igo.agents.gtp import GoEngine
from igo.agents.gtp.conformance import GtpSession
from igo.agents.mcts_player import MctsPlayer, mcts_player
from igo.go.coords import Color, Point
from igo.go.state import GameState
from igo.io.gtp import Stream

HANG_GUARD = 600.0
"""Seconds after which a test gives up on a reply: a hang guard, not a speed check (a cold
start compiles for minutes on a busy machine)."""


class SlowToPrepare:
    """A player whose ``prepare`` waits until the test lets it finish (or fails if told to)."""

    name = "slow"

    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.fail = fail
        self.prepared = False

    def prepare(self) -> None:
        assert self.release.wait(HANG_GUARD)
        if self.fail:
            raise ValueError("the network file is corrupt")
        self.prepared = True

    def reset(self, state: GameState) -> None:
        pass

    def observe(self, color: Color, point: Point) -> None:
        pass

    def genmove(self, state: GameState, clock: Clock | None) -> Point:
        assert self.prepared, "genmove before prepare finished"
        return state.legal_moves()[0]


def test_commands_are_answered_while_the_player_prepares() -> None:
    player = SlowToPrepare()
    engine = GoEngine(player, size=9, background=True)  # type: ignore[arg-type]
    gtp = GtpSession(engine)
    assert gtp.ok("name") == "igo (slow)"
    for line in ("protocol_version", "version", "list_commands", "boardsize 9", "komi 6.5"):
        gtp.ok(line)
    gtp.ok("play b e5")
    gtp.fails("play w e5", "illegal move")
    gtp.ok("clear_board")
    gtp.ok("play b d4")
    assert not engine.player_ready
    player.release.set()
    assert gtp.ok("genmove w") != ""
    assert engine.player_ready and player.prepared


def test_a_player_that_cannot_be_prepared_answers_each_move_with_the_reason() -> None:
    player = SlowToPrepare(fail=True)
    engine = GoEngine(player, size=9, background=True)  # type: ignore[arg-type]
    gtp = GtpSession(engine)
    gtp.ok("play b e5")
    player.release.set()
    gtp.fails("genmove w", "cannot prepare slow: the network file is corrupt")
    gtp.ok("play w e6")  # the engine goes on answering
    gtp.fails("genmove b", "cannot prepare slow: the network file is corrupt")


def test_without_background_the_first_move_prepares_the_player() -> None:
    player = SlowToPrepare()
    player.release.set()
    gtp = GtpSession(GoEngine(player, size=9))  # type: ignore[arg-type]
    assert not player.prepared
    gtp.ok("genmove b")
    assert player.prepared


def _lines(stream: IO[str], into: queue.Queue[tuple[str, str]], tag: str) -> None:
    for line in stream:
        into.put((tag, line.rstrip()))
    into.put((tag, "<eof>"))


def test_a_cold_engine_answers_before_any_kernel_compiles(tmp_path: Path) -> None:
    # An empty numba cache of its own: every kernel of this engine compiles from scratch.
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    engine = subprocess.Popen(
        [sys.executable, "-P", "-m", "igo", "gtp", "--player", "alphago"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert engine.stdin is not None and engine.stdout is not None and engine.stderr is not None
    events: queue.Queue[tuple[str, str]] = queue.Queue()
    for tag, stream in (("out", engine.stdout), ("err", engine.stderr)):
        threading.Thread(target=_lines, args=(stream, events, tag), daemon=True).start()
    engine.stdin.write("name\nboardsize 9\nkomi 7\nplay b e5\nplay w e5\nquit\n")
    engine.stdin.flush()
    replies: list[str] = []
    stderr: list[str] = []
    while len(replies) < 6:
        tag, line = events.get(timeout=HANG_GUARD)
        if tag == "err":
            stderr.append(line)
            assert "kernels ready" not in line, f"a kernel compiled before the replies: {replies}"
        elif line == "<eof>":
            break
        elif line:
            replies.append(line)
    assert replies == ["= igo (alphago)", "=", "=", "=", "? illegal move", "="], stderr
    assert engine.wait(timeout=HANG_GUARD) == 0
    assert not any("Traceback" in line for line in stderr), stderr


@pytest.mark.parametrize("player", ["random", "mcts"])
def test_quit_ends_the_engine_while_it_still_prepares(player: str, tmp_path: Path) -> None:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    out = subprocess.run(
        [sys.executable, "-P", "-m", "igo", "gtp", "--player", player, "--size", "9"],
        input="name\nquit\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_GUARD,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["=", "igo", f"({player})", "="]
    assert "Traceback" not in out.stderr and "Fatal" not in out.stderr, out.stderr


class SlowSearch(MctsPlayer):
    """A search player whose preparation waits for the test."""

    def __init__(self) -> None:
        plain = mcts_player(visits=16, seed=0)
        super().__init__(plain.config, plain.setup)
        self.release = threading.Event()

    def prepare(self) -> None:
        assert self.release.wait(HANG_GUARD)
        super().prepare()


def test_analysis_waits_for_the_player_and_the_next_line_stops_the_wait() -> None:
    player = SlowSearch()
    engine = GoEngine(player, size=5, background=True)
    gtp = GtpSession(engine)
    assert "lz-analyze" in gtp.ok("list_commands").split()
    assert gtp.ok("lz-analyze 10") == ""  # stopped while waiting: no info line, a clean reply
    gtp.ok("play b c3")
    player.release.set()
    assert gtp.ok("genmove w") != ""
    stream = engine.commands()["lz-analyze"](["1"])
    assert isinstance(stream, Stream)
    first_line = next(chunk for chunk in stream.chunks if chunk)
    assert first_line.startswith("info move")
