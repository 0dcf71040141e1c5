"""The torch <-> search seam: planes from leaf arrays equal the encoder's, priors are legal."""

from __future__ import annotations

import numpy as np
import pytest

from igo.agents.net_evaluator import ZeroNetEvaluator, masked_softmax
from igo.encode.zero_planes import encode_zero_batch, zero_planes_batch
from igo.go.state import GameState
from igo.nn.registry import create_net
from igo.search import MultiSearch, SearchConfig
from igo.search.evaluator import leaves_from_states


def _states(count: int, size: int = 5, seed: int = 0) -> list[GameState]:
    rng = np.random.default_rng(seed)
    states = []
    for i in range(count):
        state = GameState.new(size)
        for _ in range(3 + 2 * i):
            moves = state.legal_moves()[:-1]
            if not moves:
                break
            state.play(int(rng.choice(moves)))
        states.append(state)
    return states


def test_leaf_planes_equal_the_encoder() -> None:
    states = _states(4)
    leaves = leaves_from_states(states, history_length=8)
    planes = zero_planes_batch(leaves.history, leaves.to_play, leaves.size)
    np.testing.assert_array_equal(planes, encode_zero_batch(states, 8))


@pytest.mark.parametrize("symmetry", ["none", "random", "all"])
def test_priors_cover_only_legal_moves(symmetry: str) -> None:
    net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=8)
    evaluator = ZeroNetEvaluator(net, device="cpu", symmetry=symmetry)  # type: ignore[arg-type]
    states = _states(3)
    leaves = leaves_from_states(states, history_length=evaluator.history_length)
    priors, values = evaluator.evaluate_leaves(leaves)
    assert priors.shape == (3, 26) and values.shape == (3,)
    assert np.all(priors[~leaves.legal_mask] == 0)
    np.testing.assert_allclose(priors.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(np.abs(values) <= 1)
    if symmetry == "none":
        again, again_values = evaluator.evaluate(states)
        np.testing.assert_allclose(again, priors, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(again_values, values, rtol=1e-5, atol=1e-6)


def test_all_symmetries_make_the_evaluation_invariant() -> None:
    net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=8)
    evaluator = ZeroNetEvaluator(net, device="cpu", symmetry="all")
    state = _states(1)[0]
    _, value = evaluator.evaluate([state])
    mirrored = GameState.new(5)
    for color, point in state.moves:
        row, col = divmod(point, 5) if point < 25 else (None, None)
        mirrored.play(25 if row is None else row * 5 + (4 - col), color)
    _, mirrored_value = evaluator.evaluate([mirrored])
    np.testing.assert_allclose(value, mirrored_value, rtol=1e-4, atol=1e-5)


def test_a_search_runs_on_the_net() -> None:
    net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=8)
    evaluator = ZeroNetEvaluator(net, device="cpu")
    config = SearchConfig(num_simulations=32, dirichlet_epsilon=0.0, temperature_moves=0)
    results = MultiSearch(evaluator, config, num_trees=2).search(_states(2))
    assert all(int(r.visit_counts.sum()) >= 31 for r in results)


def test_masked_softmax_ignores_illegal_entries() -> None:
    probs = masked_softmax(np.array([[10.0, 0.0, 0.0]]), np.array([[False, True, True]]))
    np.testing.assert_allclose(probs, [[0.0, 0.5, 0.5]])


def test_wrong_board_size_is_refused() -> None:
    net = create_net("resnet_b6c64", board_size=7, blocks=1, channels=8)
    with pytest.raises(ValueError, match="7x7"):
        ZeroNetEvaluator(net).evaluate(_states(1))
