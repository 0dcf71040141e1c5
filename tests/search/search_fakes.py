"""Fake evaluators shared by the search tests (mctx's bandit ``recurrent_fn`` idea)."""

from __future__ import annotations

import numpy as np

from igo.go.coords import Color
from igo.go.state import GameState


def golden_value(state: GameState) -> tuple[np.ndarray, float]:
    """Priors 1 + (7a mod 5) (unnormalised) and value tanh((black - white stones) / 3) for the
    side to move."""
    stones = state.stones()
    diff = int((stones == 1).sum()) - int((stones == 2).sum())
    sign = 1.0 if state.to_play == Color.BLACK else -1.0
    priors = np.array([1.0 + (7 * a) % 5 for a in range(state.num_points + 1)])
    return priors, sign * float(np.tanh(diff / 3.0))
