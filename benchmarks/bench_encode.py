"""Encoding speed: AlphaGo's 48 planes and AlphaGo Zero's 17, at 9x9 and 19x19 (pytest-benchmark).

Run with ``python -m pytest benchmarks/bench_encode.py``. The positions are seeded random games
(the engine's playout policy: random moves that fill no own eye), which leave many strings with
one or two liberties, so the ladder reader has more to do than in most real games. The AlphaGo
target is under 1 ms per 19x19 position.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from igo.encode.alphago import encode_alphago
from igo.encode.symmetry import apply_planes
from igo.encode.zero_planes import ZeroHistory, encode_zero
from igo.go.playout import new_rng, random_move
from igo.go.state import GameState

Benchmark = Callable[..., Any]

# (board size, moves played): an early middle game on each board.
POSITIONS = {9: 40, 19: 150}


def _random_game(size: int, num_moves: int, seed: int = 0) -> GameState:
    state = GameState.new(size)
    rng = new_rng(seed)
    g = state.geometry
    for _ in range(num_moves):
        point = int(
            random_move(state.board_vector, g.neighbours, g.diagonals, int(state.to_play), rng)
        )
        state.play(point if point >= 0 and state.is_legal(point) else state.num_points)
    return state


@pytest.fixture(scope="module", params=sorted(POSITIONS), ids=lambda size: f"{size}x{size}")
def position(request: pytest.FixtureRequest) -> GameState:
    size = int(request.param)
    return _random_game(size, POSITIONS[size])


def test_alphago_planes(benchmark: Benchmark, position: GameState) -> None:
    planes = benchmark(encode_alphago, position)
    assert planes.shape == (48, position.size, position.size)


def test_alphago_value_planes(benchmark: Benchmark, position: GameState) -> None:
    planes = benchmark(encode_alphago, position, True)
    assert planes.shape == (49, position.size, position.size)


def test_zero_planes_replayed(benchmark: Benchmark, position: GameState) -> None:
    planes = benchmark(encode_zero, position)
    assert planes.shape == (17, position.size, position.size)


def test_zero_planes_incremental(benchmark: Benchmark, position: GameState) -> None:
    history = ZeroHistory.from_state(position)
    planes = benchmark(history.encode, position.to_play)
    assert np.array_equal(planes, encode_zero(position))


def test_zero_history_push(benchmark: Benchmark, position: GameState) -> None:
    history = ZeroHistory.from_state(position)
    benchmark(history.push, position)


def test_symmetry_of_a_batch(benchmark: Benchmark, position: GameState) -> None:
    batch = np.stack([encode_zero(position)] * 32)
    out = benchmark(apply_planes, batch, 5)
    assert out.shape == batch.shape
