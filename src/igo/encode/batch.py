"""Stacking one encoder's planes over a batch of positions (every encoder's ``*_batch``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from igo.go.state import GameState


def stack_encoded(
    states: Sequence[GameState], encode: Callable[[GameState], np.ndarray]
) -> np.ndarray:
    """``encode`` of each state, stacked along a new first axis: [B, ...].

    Raises:
        ValueError: if ``states`` is empty or mixes board sizes (a network batch holds one).
    """
    if not states:
        raise ValueError("cannot encode an empty batch")
    if len({state.size for state in states}) != 1:
        raise ValueError("a batch must hold one board size")
    return np.stack([encode(state) for state in states])
