"""The ``random`` player: a uniform choice among legal moves that do not fill its own true eyes.

It is the baseline every other player must beat, and the opponent the conformance suite plays
against. Refusing to fill true eyes is what lets random games end: without it both sides would
eventually fill their last eyes and the board would empty over and over.
"""

from __future__ import annotations

import numpy as np

from igo.agents.player import Clock, Resign, register_player
from igo.go.coords import Color, Point
from igo.go.state import GameState

_OFF_BOARD = 3


def true_eye_mask(stones: np.ndarray, size: int, color: Color) -> np.ndarray:
    """bool [size*size]: empty points that are true eyes of ``color``.

    A true eye has all its orthogonal neighbours on the board held by ``color``, and opponent
    stones on none of its diagonals at the edge or in a corner, on at most one in the centre
    (the usual rule of random-playout engines; it matches ``GameState.is_eye``).

    Args:
        stones: int8 [size*size], 0 empty / 1 black / 2 white.
        size: board size.
        color: the colour whose eyes are wanted.
    """
    grid = np.pad(stones.reshape(size, size), 1, constant_values=_OFF_BOARD)
    centre = grid[1:-1, 1:-1]
    own = int(color)
    orthogonal = [grid[:-2, 1:-1], grid[2:, 1:-1], grid[1:-1, :-2], grid[1:-1, 2:]]
    surrounded = np.ones((size, size), dtype=bool)
    for side in orthogonal:
        surrounded &= (side == own) | (side == _OFF_BOARD)
    diagonal = [grid[:-2, :-2], grid[:-2, 2:], grid[2:, :-2], grid[2:, 2:]]
    opponent_diagonals = sum((d == int(color.opponent)).astype(np.int64) for d in diagonal)
    on_edge = sum((d == _OFF_BOARD).astype(np.int64) for d in diagonal) > 0
    allowed = np.where(on_edge, 0, 1)
    eyes = (centre == 0) & surrounded & (opponent_diagonals <= allowed)
    return np.asarray(eyes.reshape(-1))


def sensible_moves(state: GameState, color: Color | None = None) -> np.ndarray:
    """int [k]: the legal points of ``color`` (default: to play) that fill none of its true eyes
    (pass not included)."""
    color = state.to_play if color is None else color
    mask = state.legal_mask(color)[:-1]
    mask &= ~true_eye_mask(state.stones(), state.size, color)
    return np.flatnonzero(mask)


@register_player("random")
class RandomPlayer:
    """Plays uniformly at random among sensible moves; passes when none is left. Never resigns."""

    name = "random"

    def __init__(self, seed: int | None = None) -> None:
        """Args:
        seed: seeds the generator, so a game is reproducible; None draws fresh entropy.
        """
        self._rng = np.random.default_rng(seed)

    def reset(self, state: GameState) -> None:
        """Nothing to forget: the player keeps no game memory."""

    def observe(self, color: Color, point: Point) -> None:
        """Nothing to update."""

    def genmove(self, state: GameState, clock: Clock | None) -> Point | Resign:
        """A random sensible move for ``state.to_play``, or pass."""
        candidates = sensible_moves(state)
        if candidates.size == 0:
            return state.size * state.size
        return int(self._rng.choice(candidates))
