"""Moves <-> policy indices: a policy vector has one entry per point, then one for pass.

The index of a move is its flat ``Point`` (``row * size + col``, row 0 at the top) and pass is
``size * size``, so a policy over a ``size`` board has ``size * size + 1`` entries, as the
AlphaGo Zero policy head (Silver et al. 2017, Methods: "19 x 19 + 1 logits").

| move (9x9)  | Point | policy index |
|-------------|-------|--------------|
| A9 (0, 0)   | 0     | 0            |
| J1 (8, 8)   | 80    | 80           |
| pass        | 81    | 81           |
"""

from __future__ import annotations

import numpy as np

from igo.go.coords import Point
from igo.go.state import GameState


def policy_size(size: int) -> int:
    """Entries of a policy vector on a ``size`` board: size * size + 1 (pass last)."""
    return size * size + 1


def move_to_index(point: Point, size: int) -> int:
    """The policy index of ``point`` (``size * size`` is pass).

    Raises:
        ValueError: if ``point`` is neither on the board nor pass.
    """
    if not 0 <= point <= size * size:
        raise ValueError(f"point {point} is not a move on a {size}x{size} board")
    return int(point)


def index_to_move(index: int, size: int) -> Point:
    """The move of policy entry ``index`` (the last index is pass).

    Raises:
        ValueError: if ``index`` is outside the policy vector.
    """
    if not 0 <= index <= size * size:
        raise ValueError(f"index {index} is outside a {size}x{size} policy")
    return int(index)


def one_hot_policy(point: Point, size: int) -> np.ndarray:
    """float32 [size*size + 1]: 1 at the index of ``point``, 0 elsewhere (a supervised target)."""
    target = np.zeros(policy_size(size), dtype=np.float32)
    target[move_to_index(point, size)] = 1.0
    return target


def policy_mask(state: GameState) -> np.ndarray:
    """bool [size*size + 1]: the legal moves of the side to play (pass last), to mask logits."""
    return state.legal_mask()
