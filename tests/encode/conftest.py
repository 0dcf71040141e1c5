"""Fixtures for the encoding tests: seeded random games and symmetric copies of a game."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from igo.encode.symmetry import apply_point
from igo.go.coords import Color
from igo.go.playout import new_rng, random_move
from igo.go.rules import Rules
from igo.go.state import GameState

RandomGame = Callable[..., GameState]
Transform = Callable[[GameState, int], GameState]


def random_game(size: int, num_moves: int, seed: int, rules: Rules | None = None) -> GameState:
    """A game of ``num_moves`` random moves that fill no own eye (the engine's playout policy);
    a side with no such move passes, and the game stops early if both pass."""
    state = GameState.new(size, rules)
    rng = new_rng(seed)
    g = state.geometry
    for _ in range(num_moves):
        point = int(
            random_move(state.board_vector, g.neighbours, g.diagonals, int(state.to_play), rng)
        )
        if point < 0 or not state.is_legal(point):
            point = state.num_points
        state.play(point)
        if state.is_over():
            break
    return state


def transformed(state: GameState, k: int) -> GameState:
    """The same game under board symmetry ``k``: starting stones and every move mapped."""
    size = state.size
    start = state.start_position()
    stones = start.stones()
    black = [apply_point(int(p), k, size) for p in np.flatnonzero(stones == Color.BLACK)]
    white = [apply_point(int(p), k, size) for p in np.flatnonzero(stones == Color.WHITE)]
    copy = GameState.new(size, state.rules)
    copy.setup(black=black, white=white, to_play=start.to_play)
    for color, point in state.moves:
        copy.play(apply_point(point, k, size), color)
    return copy


@pytest.fixture(name="random_game")
def random_game_fixture() -> RandomGame:
    """The ``random_game`` helper, as a fixture."""
    return random_game


@pytest.fixture(name="transformed")
def transformed_fixture() -> Transform:
    """The ``transformed`` helper, as a fixture."""
    return transformed
