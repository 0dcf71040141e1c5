"""Move <-> policy index: flat points, pass last."""

from __future__ import annotations

import numpy as np
import pytest

from igo.encode.moves import (
    index_to_move,
    move_to_index,
    one_hot_policy,
    policy_mask,
    policy_size,
)
from igo.go.coords import from_gtp
from igo.go.state import GameState


@pytest.mark.parametrize("size", [5, 9, 19])
def test_indices(size: int) -> None:
    assert policy_size(size) == size * size + 1
    assert move_to_index(from_gtp("A" + str(size), size), size) == 0  # top left
    assert move_to_index(from_gtp("pass", size), size) == size * size
    for point in range(size * size + 1):
        assert index_to_move(move_to_index(point, size), size) == point
    for bad in (-1, size * size + 1):
        with pytest.raises(ValueError):
            move_to_index(bad, size)
        with pytest.raises(ValueError):
            index_to_move(bad, size)


def test_one_hot_and_mask() -> None:
    target = one_hot_policy(81, 9)
    assert target.shape == (82,) and target.dtype == np.float32
    assert target[81] == 1 and target.sum() == 1
    state = GameState.new(9)
    state.play(40)
    mask = policy_mask(state)
    assert mask.shape == (82,) and mask.dtype == np.bool_
    assert not mask[40] and mask[81] and mask.sum() == 81
