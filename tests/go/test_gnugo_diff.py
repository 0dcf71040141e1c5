"""Differential test against GNU Go over GTP: random games under simple ko with no suicide.

After every move both engines must hold the same stones and capture counts; each chosen move must
be legal in both; every few moves the full legal sets of both colours are compared (GNU Go's
``all_legal``); and now and then an illegal move is tried, which GNU Go must also refuse.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Iterator

import numpy as np
import pytest

from igo.go import board as kernels
from igo.go.coords import Color, from_gtp, to_gtp
from igo.go.rules import PRESETS
from igo.go.state import GameState, IllegalMove


def _find_gnugo() -> str | None:
    found = shutil.which("gnugo")
    if found:
        return found
    return "/usr/games/gnugo" if os.access("/usr/games/gnugo", os.X_OK) else None


GNUGO = _find_gnugo()
pytestmark = [
    pytest.mark.gnugo,
    pytest.mark.skipif(GNUGO is None, reason="GNU Go is not installed"),
]

# Games per board size, split into chunks of about equal time so that xdist can spread them.
GAMES = {
    5: 200,
    6: 120,
    7: 120,
    8: 80,
    9: 80,
    10: 40,
    11: 40,
    12: 30,
    13: 30,
    14: 20,
    15: 20,
    16: 15,
    17: 15,
    18: 12,
    19: 20,
}
MOVES_PER_CHUNK = 4000


class GtpFailure(Exception):
    """GNU Go answered ``?``."""


class GtpProcess:
    """A minimal GTP client over a subprocess's pipes (numbered commands, one reply each)."""

    def __init__(self, argv: list[str]) -> None:
        self._proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
        )
        self._id = 0

    def send(self, command: str) -> str:
        """Send one command and return its reply text; raise GtpFailure on ``?``."""
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._id += 1
        self._proc.stdin.write(f"{self._id} {command}\n")
        self._proc.stdin.flush()
        lines: list[str] = []
        while True:
            line = self._proc.stdout.readline()
            if not line:
                raise RuntimeError(f"GNU Go exited during {command!r}")
            line = line.rstrip("\r\n")
            if not line:
                if lines:
                    break
                continue
            lines.append(line)
        status, _, rest = lines[0].partition(" ")
        if status[1:] != str(self._id):
            raise RuntimeError(f"out-of-step GTP reply {lines!r} to {command!r}")
        text = "\n".join([rest, *lines[1:]]).strip()
        if status[0] == "?":
            raise GtpFailure(text)
        assert status[0] == "=", lines
        return text

    def close(self) -> None:
        """Quit and wait for the process."""
        try:
            self.send("quit")
        finally:
            self._proc.wait(timeout=10)


@pytest.fixture(scope="module")
def gnugo() -> Iterator[GtpProcess]:
    """One GNU Go process, Chinese rules, simple ko, suicide forbidden (as our ``chinese``)."""
    assert GNUGO is not None
    proc = GtpProcess(
        [
            GNUGO,
            "--mode",
            "gtp",
            "--chinese-rules",
            "--simple-ko",
            "--forbid-suicide",
            "--level",
            "0",
        ]
    )
    yield proc
    proc.close()


def _vertex_set(text: str) -> set[str]:
    return {v.upper() for v in text.split()}


def _igo_vertices(points: np.ndarray, size: int) -> set[str]:
    return {to_gtp(int(p), size) for p in points}


class DiffGame:
    """One random game played in step on igo and GNU Go, comparing after every move."""

    def __init__(self, gtp: GtpProcess, size: int, rng: random.Random) -> None:
        self.gtp, self.size, self.rng = gtp, size, rng
        self.state = GameState.new(size, PRESETS["chinese"], move_cap=3 * size * size)
        gtp.send(f"boardsize {size}")
        gtp.send("clear_board")
        gtp.send("komi 7.5")

    def where(self) -> str:
        """Context for a failure message: the moves so far and the board."""
        moves = " ".join(f"{c.letter}[{to_gtp(p, self.size)}]" for c, p in self.state.moves)
        return f"\nmoves: {moves}\n{self.state.to_ascii()}"

    def compare_position(self) -> None:
        stones = self.state.stones()
        for color in (Color.BLACK, Color.WHITE):
            name = "black" if color == Color.BLACK else "white"
            theirs = _vertex_set(self.gtp.send(f"list_stones {name}"))
            ours = _igo_vertices(np.flatnonzero(stones == color), self.size)
            assert ours == theirs, (
                f"{name} stones differ: igo-only {ours - theirs}, "
                f"GNU Go-only {theirs - ours}{self.where()}"
            )
            assert int(self.gtp.send(f"captures {name}")) == self.state.captures(color), (
                f"{name} captures differ{self.where()}"
            )

    def compare_legal_sets(self) -> None:
        for color in (Color.BLACK, Color.WHITE):
            name = "black" if color == Color.BLACK else "white"
            theirs = _vertex_set(self.gtp.send(f"all_legal {name}"))
            mask = self.state.legal_mask(color)[:-1]
            ours = _igo_vertices(np.flatnonzero(mask), self.size)
            assert ours == theirs, (
                f"legal {name} moves differ: igo-only {ours - theirs}, "
                f"GNU Go-only {theirs - ours}{self.where()}"
            )

    def probe_illegal(self, mask: np.ndarray) -> None:
        """Try an igo-illegal move (a suicide or ko point when there is one) on both engines."""
        illegal = np.flatnonzero(~mask[:-1])
        if illegal.size == 0:
            return
        stones = self.state.stones()
        empty = [int(p) for p in illegal if stones[p] == 0]
        point = self.rng.choice(empty) if empty else int(self.rng.choice(illegal.tolist()))
        color = self.state.to_play
        vertex = to_gtp(point, self.size)
        with pytest.raises(IllegalMove):
            self.state.play(point)
        assert self.gtp.send(f"is_legal {color.name.lower()} {vertex}") == "0", (
            f"GNU Go accepts {color.name} {vertex}, igo refuses{self.where()}"
        )
        with pytest.raises(GtpFailure):
            self.gtp.send(f"play {color.name.lower()} {vertex}")
            raise AssertionError(f"GNU Go played {color.name} {vertex}{self.where()}")

    def choose(self, mask: np.ndarray) -> int:
        """A uniformly random legal move that fills no own true eye; pass if none (or rarely)."""
        color = int(self.state.to_play)
        g = self.state.geometry
        s = self.state.board_vector
        candidates = [
            int(p)
            for p in np.flatnonzero(mask[:-1])
            if not kernels.is_eye(s, g.neighbours, g.diagonals, int(p), color)
        ]
        if not candidates or self.rng.random() < 0.01:
            return self.state.num_points
        return self.rng.choice(candidates)

    def step(self, full_check: bool) -> None:
        mask = self.state.legal_mask()
        if full_check:
            self.compare_legal_sets()
        if self.rng.random() < 0.1:
            self.probe_illegal(mask)
        point = self.choose(mask)
        color = self.state.to_play.name.lower()
        vertex = to_gtp(point, self.size)
        if point != self.state.num_points:
            assert self.gtp.send(f"is_legal {color} {vertex}") == "1", (
                f"GNU Go refuses {color} {vertex}, igo accepts{self.where()}"
            )
        self.state.play(point)
        self.gtp.send(f"play {color} {vertex}")
        self.compare_position()

    def run(self, full_every: int) -> int:
        moves = 0
        while not self.state.is_over():
            self.step(full_check=moves % full_every == 0)
            moves += 1
        return moves


def _chunks() -> list[tuple[int, int, int]]:
    """(size, first game, end game) ranges of roughly ``MOVES_PER_CHUNK`` moves each."""
    out = []
    for size, games in GAMES.items():
        step = max(1, MOVES_PER_CHUNK // (size * size))
        for start in range(0, games, step):
            out.append((size, start, min(games, start + step)))
    return out


@pytest.mark.parametrize(("size", "first", "last"), _chunks())
def test_random_games_agree_with_gnugo(gnugo: GtpProcess, size: int, first: int, last: int) -> None:
    full_every = 1 if size <= 7 else 2 if size <= 11 else 4
    for game in range(first, last):
        rng = random.Random(size * 1000 + game)
        DiffGame(gnugo, size, rng).run(full_every)


def test_gtp_vertices_match_gnugo(gnugo: GtpProcess) -> None:
    """GNU Go and igo agree on what a vertex means (letters skip I; rows count from the bottom)."""
    gnugo.send("boardsize 19")
    gnugo.send("clear_board")
    gnugo.send("play black J10")
    gnugo.send("play white A1")
    gnugo.send("play black T19")
    assert _vertex_set(gnugo.send("list_stones black")) == {"J10", "T19"}
    assert from_gtp("J10", 19) == 9 * 19 + 8
    assert from_gtp("T19", 19) == 18
