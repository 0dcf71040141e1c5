"""The ``random`` player: a uniform choice among legal moves that do not fill its own true eyes.

It is the baseline every other player must beat, and the opponent the conformance suite plays
against. Refusing to fill true eyes (``igo.go.sensible``) is what lets random games end.
"""

from __future__ import annotations

import numpy as np

from igo.agents.player import Clock, Resign, register_player
from igo.go.coords import Color, Point
from igo.go.sensible import sensible_moves
from igo.go.state import GameState


@register_player("random")
class RandomPlayer:
    """Plays uniformly at random among sensible moves; passes when none is left. Never resigns."""

    name = "random"

    def __init__(self, seed: int | None = None) -> None:
        """Args:
        seed: seeds the generator, so a game is reproducible; None draws fresh entropy.
        """
        self._rng = np.random.default_rng(seed)

    def reseed(self, seed: int) -> None:
        """Restart the generator from ``seed``."""
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
