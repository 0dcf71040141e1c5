"""Rules-engine kernels under pytest-benchmark: playouts, play, legality, the Python API.

``pytest benchmarks/bench_rules.py`` times them; with ``--benchmark-disable`` each runs once as a
quick correctness check. The headline numbers (vs OpenSpiel) come from ``igo bench rules``.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from igo.go import board as kernels
from igo.go import board_core as layout
from igo.go.board import geometry
from igo.go.playout import new_rng, random_move, run_playout
from igo.go.rules import PRESETS
from igo.go.state import GameState

SIZES = [9, 19]


def _midgame(size: int, seed: int = 0) -> np.ndarray:
    """A board vector after a random playout stopped at about one stone per two points."""
    g = geometry(size)
    s = kernels.new_board(size)
    run_playout(s, g.neighbours, g.diagonals, g.zobrist, 1, size * size // 2, new_rng(seed))
    return s


def _record_game(size: int, seed: int = 0) -> list[tuple[int, int]]:
    """The (point, colour) moves of one random playout, passes left out."""
    g = geometry(size)
    s = kernels.new_board(size)
    rng = new_rng(seed)
    moves, color, passes = [], 1, 0
    while passes < 2 and len(moves) < 3 * size * size:
        p = random_move(s, g.neighbours, g.diagonals, color, rng)
        if p < 0:
            passes += 1
        else:
            passes = 0
            kernels.play(s, g.neighbours, g.zobrist, p, color)
            moves.append((int(p), color))
        color = 3 - color
    return moves


@pytest.mark.parametrize("size", SIZES)
def test_playout(benchmark: Any, size: int) -> None:
    """One random playout from the empty board to two passes."""
    g = geometry(size)
    empty = kernels.new_board(size)
    rng = new_rng(1)

    def run() -> tuple[np.ndarray, int]:
        s = empty.copy()
        return s, int(run_playout(s, g.neighbours, g.diagonals, g.zobrist, 1, 3 * size**2, rng))

    s, played = benchmark(run)
    n = size * size
    m = layout.NUM_FIELDS * n
    on_board = int(np.count_nonzero(s[:n]))
    assert played > n // 2
    assert on_board + int(s[m + layout.M_CAP_B]) + int(s[m + layout.M_CAP_W]) == played


@pytest.mark.parametrize("size", SIZES)
def test_play_recorded_game(benchmark: Any, size: int) -> None:
    """``board.play`` called from Python: replay a recorded random game move by move."""
    g = geometry(size)
    moves = _record_game(size)

    def run() -> np.ndarray:
        s = kernels.new_board(size)
        for p, color in moves:
            kernels.play(s, g.neighbours, g.zobrist, p, color)
        return s

    s = benchmark(run)
    reference = kernels.new_board(size)
    for p, color in moves:
        assert kernels.check(reference, g.neighbours, p, color, False) == kernels.OK
        kernels.play(reference, g.neighbours, g.zobrist, p, color)
    assert np.array_equal(s, reference)


@pytest.mark.parametrize("size", SIZES)
def test_legal_points(benchmark: Any, size: int) -> None:
    """``board.legal_points``: the legality mask and move hashes of a mid-game position."""
    g = geometry(size)
    s = _midgame(size)
    n = size * size
    mask = np.zeros(n, dtype=np.bool_)
    hashes = np.zeros(n, dtype=np.int64)
    benchmark(kernels.legal_points, s, g.neighbours, g.zobrist, 1, False, mask, hashes)
    expected = [kernels.check(s, g.neighbours, p, 1, False) == kernels.OK for p in range(n)]
    assert mask.tolist() == expected
    assert not mask[s[:n] != 0].any()


@pytest.mark.parametrize("size", SIZES)
def test_legal_list(benchmark: Any, size: int) -> None:
    """``board.legal_list``: the legal points of a mid-game position, no hashes (simple ko)."""
    g = geometry(size)
    s = _midgame(size)
    n = size * size
    out = np.zeros(n, dtype=np.int64)
    num = benchmark(kernels.legal_list, s, g.neighbours, 1, False, out)
    expected = [p for p in range(n) if kernels.check(s, g.neighbours, p, 1, False) == kernels.OK]
    assert out[:num].tolist() == expected


@pytest.mark.parametrize("size", SIZES)
def test_python_api_random_game(benchmark: Any, size: int) -> None:
    """``GameState``: a random game of up to 100 moves through ``legal_moves`` and ``play``."""

    def run() -> GameState:
        rng = random.Random(0)
        state = GameState.new(size, PRESETS["chinese"], move_cap=100)
        while not state.is_over():
            state.play(rng.choice(state.legal_moves()))
        return state

    state = benchmark(run)
    assert len(state.moves) <= 100
    assert state.is_over()


@pytest.mark.parametrize("rules", ["chinese", "tromp-taylor"])
def test_legal_mask_with_superko(benchmark: Any, rules: str) -> None:
    """``GameState.legal_mask`` on 19x19 (positional superko hashes every candidate)."""
    rng = random.Random(1)
    state = GameState.new(19, PRESETS[rules])
    for _ in range(150):
        state.play(rng.choice(state.legal_moves()[:-1]))
    mask = benchmark(state.legal_mask)
    assert mask.sum() == len(state.legal_moves())
