"""Sensible moves: the legal moves that fill none of the mover's own true eyes.

Filling one's own true eye never helps, and refusing it is what lets random games end (without
it both sides would eventually fill their last eyes and the board would empty over and over).
The random player draws from these moves, the policy players mask their priors with them, a
search player that picked an eye fill plays the best of them instead, KGS's cleanup phase
replaces a pass by one, and the policy-net games of self-play sample their random move among
them. The true-eye rule itself is ``board.is_eye`` (the compiled playouts and AlphaGo's
sensibleness plane read the same kernel).
"""

from __future__ import annotations

import numpy as np

from igo.go.coords import Color
from igo.go.state import GameState

__all__ = ["sensible_moves"]


def sensible_moves(state: GameState, color: Color | None = None) -> np.ndarray:
    """int [k]: the legal points of ``color`` (default: to play) that fill none of its true eyes,
    in increasing order (pass not included; empty once the game is over)."""
    color = state.to_play if color is None else color
    mask = state.legal_mask(color)
    g = state.geometry
    state.kernels.clear_eyes(state.board_vector, g.neighbours, g.diagonals, int(color), mask)
    return np.flatnonzero(mask[:-1])
