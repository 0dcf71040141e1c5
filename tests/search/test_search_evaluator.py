"""The evaluator seam: Leaves built from states, UniformEvaluator's two paths, answer checks."""

from __future__ import annotations

import numpy as np
import pytest

from igo.go.rules import Rules
from igo.go.state import GameState
from igo.search import UniformEvaluator, leaves_from_states
from igo.search.evaluator import evaluate_leaves


def _game(moves: list[int]) -> GameState:
    state = GameState.new(4, Rules(komi=0.5))
    for move in moves:
        state.play(move)
    return state


def test_leaves_from_states_hold_the_positions_and_zero_filled_history() -> None:
    states = [_game([]), _game([5, 6, 16]), _game([0, 1, 2, 3, 16, 4])]
    leaves = leaves_from_states(states, history_length=3)
    assert len(leaves) == 3 and leaves.size == 4
    for i, state in enumerate(states):
        assert np.array_equal(leaves.boards[i, :16], state.stones())
        assert np.array_equal(leaves.legal_mask[i], state.legal_mask())
        assert leaves.to_play[i] == int(state.to_play)
        assert np.array_equal(leaves.history[i, 0], state.stones())
    assert not leaves.history[0, 1:].any()  # before the start: empty rows
    assert leaves.history[1, 1].sum() == 1 + 2  # after the first two moves (B at 5, W at 6)
    assert np.array_equal(leaves.history[2, 1], leaves.history[2, 2])  # a pass repeats
    assert [s.stones().tolist() for s in leaves.states()] == [s.stones().tolist() for s in states]


def test_uniform_evaluator_paths_agree() -> None:
    states = [_game([]), _game([5, 6])]
    evaluator = UniformEvaluator()
    by_states = evaluator.evaluate(states)
    by_leaves = evaluate_leaves(evaluator, leaves_from_states(states))
    assert np.allclose(by_states[0], by_leaves[0]) and np.array_equal(by_states[1], by_leaves[1])
    assert np.allclose(by_leaves[0].sum(axis=1), 1.0)


def test_values_are_clipped_and_nan_rejected() -> None:
    class Wild:
        def evaluate(self, states: list[GameState]) -> tuple[np.ndarray, np.ndarray]:
            return np.ones((len(states), 17)), np.full(len(states), 3.0)

    class Broken(Wild):
        def evaluate(self, states: list[GameState]) -> tuple[np.ndarray, np.ndarray]:
            return np.ones((len(states), 17)), np.full(len(states), np.nan)

    leaves = leaves_from_states([_game([])])
    assert evaluate_leaves(Wild(), leaves)[1].tolist() == [1.0]
    with pytest.raises(ValueError, match="non-finite"):
        evaluate_leaves(Broken(), leaves)
