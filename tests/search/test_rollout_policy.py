"""The rollout and tree policies: the .npz file, the softmax, the compiled sampler, the tree
policy as an Evaluator, and Lee-mode search with policy rollouts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from igo.go import board as kernels
from igo.go.coords import from_gtp
from igo.go.playout import new_rng
from igo.go.rules import Rules
from igo.go.state import GameState
from igo.search import SearchConfig, UniformEvaluator, leaves_from_states, run_search
from igo.search.rollout import RolloutPolicy, TreePolicyEvaluator, rollout_tables
from igo.search.rollout.incremental import (
    S_CAPTURED,
    W_BLACK,
    W_MULT,
    init_work,
    new_work,
    play_and_update,
)
from igo.search.rollout.patterns import NEIGHBOUR, NUM_FIXED, TAG_SHIFT, pattern_geometry
from igo.search.rollout.playout import draw, draw_factors, policy_playout
from igo.search.rollout.policy import state_features


def _random_policy(kind: str, seed: int, states: list[GameState]) -> RolloutPolicy:
    """Random weights on every fixed feature and on the patterns of ``states``."""
    rng = np.random.default_rng(seed)
    keys = np.concatenate([state_features(s, kind == "tree")[1].ravel() for s in states])
    vocab = np.unique(keys[keys >= 1 << TAG_SHIFT])
    return RolloutPolicy(kind, vocab, rng.normal(0.0, 1.0, NUM_FIXED + vocab.shape[0]))


def _played(size: int, seed: int, moves: int) -> GameState:
    rng = np.random.default_rng(seed)
    state = GameState.new(size)
    for _ in range(moves):
        options = [
            int(p)
            for p in np.flatnonzero(state.legal_mask()[:-1])
            if not state.is_eye(int(p), state.to_play)
        ]
        if not options:
            break
        state.play(options[int(rng.integers(len(options)))])
    return state


def test_policy_file_round_trips_without_pickle(tmp_path: Path) -> None:
    policy = _random_policy("tree", 0, [_played(7, 0, 20)])
    path = tmp_path / "tree.npz"
    policy.save(path)
    again = RolloutPolicy.load(path)
    assert again.kind == "tree" and np.array_equal(again.vocabulary, policy.vocabulary)
    assert np.array_equal(again.weights, policy.weights)
    assert [p.name for p in tmp_path.iterdir()] == ["tree.npz"]  # no temporary left behind
    (tmp_path / "bad.npz").write_bytes(b"not a policy")
    with pytest.raises(ValueError, match="not a rollout policy"):
        RolloutPolicy.load(tmp_path / "bad.npz")
    with pytest.raises(ValueError):
        RolloutPolicy("rollout", np.array([3, 2]))


def test_move_probabilities_cover_the_sensible_moves_only() -> None:
    state = GameState.from_ascii(
        """
        . X . O .
        X X . O O
        . . . . .
        . . . . .
        . . . . .
        """
    )
    policy = _random_policy("rollout", 1, [state])
    probs = policy.move_probabilities(state.board_vector, 1)
    assert probs.shape == (26,) and probs.sum() == pytest.approx(1.0)
    assert probs[from_gtp("A5", 5)] == 0.0  # black's own eye
    assert np.all(probs[:25][state.stones() != 0] == 0.0)
    assert probs[from_gtp("E5", 5)] == 0.0  # suicide: white's string there has liberties
    assert probs[from_gtp("C5", 5)] > 0.0


def test_neighbour_weight_scales_the_odds_by_its_exponential() -> None:
    state = GameState.new(7)
    state.play(from_gtp("D4", 7))
    weights = np.zeros(NUM_FIXED)
    weights[NEIGHBOUR + 0] = np.log(5.0)  # the point above the previous move
    policy = RolloutPolicy("rollout", np.zeros(0, dtype=np.int64), weights)
    probs = policy.move_probabilities(state.board_vector, 2, from_gtp("D4", 7))
    assert probs[from_gtp("D5", 7)] == pytest.approx(5.0 * probs[from_gtp("A1", 7)])
    assert probs[from_gtp("D3", 7)] == pytest.approx(probs[from_gtp("A1", 7)])


@pytest.mark.parametrize("size", [7, 9])
def test_compiled_sampler_draws_from_the_policy_softmax(size: int) -> None:
    """Along a rollout, the sampler's weights times this draw's factors, normalised, equal the
    softmax computed from scratch (same previous move and captures)."""
    sample = [_played(size, 5, k) for k in (10, 30, 50)]
    policy = _random_policy("rollout", 2, sample)
    tables = policy.tables()
    g = pattern_geometry(size)
    n = size * size
    s = kernels.new_board(size)
    ints, floats, small = new_work(n)
    init_work(ints, floats, small, s, g.neighbours, g.diamond, tables)
    rng = new_rng(3)
    color, last, checked = 1, -1, 0
    for _ in range(2 * n):
        draw_factors(ints, floats, small, s, g.neighbours, g.diamond, tables, color, last)
        weights = floats[W_BLACK + color - 1] * floats[W_MULT]
        captured = ints[6, : small[S_CAPTURED]].copy()
        expected = policy.move_probabilities(s, color, last, -1, captured)
        if weights.sum() > 0:
            assert np.allclose(weights / weights.sum(), expected[:n], rtol=1e-9, atol=1e-12)
            checked += 1
        p = draw(floats, small, color, rng)
        if p < 0:
            break
        play_and_update(
            ints, floats, small, s, g.neighbours, g.diamond, g.zobrist, tables, p, color
        )
        last, color = p, 3 - color
    assert checked > n // 2


def test_policy_playout_ends_the_game_on_a_legal_board() -> None:
    policy = _random_policy("rollout", 4, [_played(9, 4, 40)])
    g = pattern_geometry(9)
    s = kernels.new_board(9)
    played = policy_playout(
        s, g.neighbours, g.diamond, g.zobrist, policy.tables(), 1, -1, 400, new_rng(9)
    )
    assert 30 < played < 400
    for p in np.flatnonzero(s[:81]):
        assert kernels.count_liberties(s, g.neighbours, int(p)) >= 1


def test_tree_policy_evaluator_gives_the_same_priors_from_states_and_from_leaves() -> None:
    states = [_played(7, seed, 12 + seed) for seed in range(3)]
    evaluator = TreePolicyEvaluator(_random_policy("tree", 5, states), pass_prior=0.01)
    priors, values = evaluator.evaluate(states)
    assert priors.shape == (3, 50) and not values.any()
    assert np.allclose(priors.sum(axis=1), 1.0, atol=1e-5)
    for state, row in zip(states, priors, strict=True):
        assert np.all(row[:-1][~state.legal_mask()[:-1]] == 0.0)
    leaf_priors, _ = evaluator.evaluate_leaves(leaves_from_states(states, 3))
    assert np.allclose(leaf_priors, priors)
    short_priors, _ = evaluator.evaluate_leaves(leaves_from_states(states, 0))
    assert np.allclose(short_priors, priors)


def test_lee_search_runs_with_policy_rollouts_and_tree_policy(tmp_path: Path) -> None:
    state = _played(7, 6, 10)
    policy = _random_policy("rollout", 6, [state])
    path = tmp_path / "rollout.npz"
    policy.save(path)
    assert rollout_tables(str(path)).exp_weights.shape[0] == policy.num_features
    loaded = RolloutPolicy.load(path)
    config = SearchConfig(num_simulations=120, mode="lee", expand_threshold=8)
    tree = TreePolicyEvaluator(_random_policy("tree", 7, [state]))
    game = GameState.new(7, Rules(komi=7.5))
    for move in state.moves:
        game.play(move[1])
    uniform = UniformEvaluator()
    first = run_search(game, uniform, config, rng=1, tree_policy=tree, rollout_policy=loaded)
    tables = loaded.tables()  # what the search reads of a policy: its tables work alike
    again = run_search(game, uniform, config, rng=1, tree_policy=tree, rollout_policy=tables)
    assert first.num_simulations == 120 and first.visit_counts.sum() >= 119
    assert np.array_equal(first.visit_counts, again.visit_counts)  # seeded: reproducible
    other = run_search(game, uniform, config, rng=1, tree_policy=tree)  # uniform rollouts
    assert not np.allclose(other.q_values, first.q_values, equal_nan=True)  # other rollouts
