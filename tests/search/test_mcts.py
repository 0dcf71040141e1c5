"""MultiSearch / run_search: tree invariants, batching, reuse, modes and the evaluator seam."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from igo.go.coords import Color
from igo.go.rules import PRESETS, Rules
from igo.go.state import GameState
from igo.search import (
    Leaves,
    MultiSearch,
    SearchConfig,
    SearchResult,
    UniformEvaluator,
    run_search,
    run_searches,
)
from igo.search.tree import TreeArrays
from search_fakes import FakeEvaluator, constant_evaluator, golden_value

OPEN_5x5 = """
. . . . .
. X . O .
. . X . .
. O . . .
. . . . .
"""
OTHER_5x5 = OPEN_5x5.replace(". . X . .", ". . X X .")


def _state(text: str = OPEN_5x5, rules: Rules | None = None) -> GameState:
    return GameState.from_ascii(text, rules=rules or Rules(komi=0.5))


def _node_state(root: GameState, t: TreeArrays, node: int) -> GameState:
    path = []
    while t.parent[node] >= 0:
        path.append(int(t.move[node]))
        node = int(t.parent[node])
    state = root.copy()
    for move in reversed(path):
        state.play(move)
    return state


def _same(a: SearchResult, b: SearchResult) -> None:
    assert np.array_equal(a.visit_counts, b.visit_counts)
    assert np.allclose(a.q_values, b.q_values, equal_nan=True, atol=1e-12)
    assert np.allclose(a.priors, b.priors)
    assert a.move == b.move and a.root_value == pytest.approx(b.root_value, abs=1e-12)


def test_virtual_loss_leaves_no_residue_and_backup_is_exact() -> None:
    """After a batched search every node's statistics are its real visits: no pending visit, each
    expanded node has one own evaluation plus its children's visits, and its value sum is its own
    value minus its children's sums (sign flip per ply)."""
    root = _state()
    config = SearchConfig(
        num_simulations=300, leaves_per_batch=16, virtual_loss=3, dirichlet_epsilon=0.0
    )
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0])
    search.search([root])
    t = search.tree_arrays(0)
    assert t is not None
    num = int(t.counts[0])
    assert not t.pending[:num].any()
    assert t.visit_count[0] == 300
    assert np.array_equal(t.value_visits[:num], t.visit_count[:num])
    child_visits = np.zeros(num, dtype=np.int64)
    child_values = np.zeros(num)
    np.add.at(child_visits, t.parent[1:num], t.visit_count[1:num])
    np.add.at(child_values, t.parent[1:num], t.value_sum[1:num])
    for node in range(num):
        state = _node_state(root, t, node)
        if t.terminal[node]:
            assert abs(t.value_sum[node]) == pytest.approx(t.visit_count[node])
            continue
        assert t.visit_count[node] == 1 + child_visits[node]
        own = golden_value(state)[1]
        assert t.value_sum[node] == pytest.approx(own - child_values[node], abs=1e-9)


def test_uniform_fast_path_equals_python_path() -> None:
    for mode in ("zero", "lee"):
        config = SearchConfig(
            num_simulations=200, leaves_per_batch=5, mode=mode, expand_threshold=3
        )
        fast = run_search(_state(), UniformEvaluator(), config, rng=3)
        slow = run_search(_state(), constant_evaluator(0.0), config, rng=3)
        _same(fast, slow)


def test_uniform_fast_path_equals_python_path_with_reuse_and_noise() -> None:
    config = SearchConfig(num_simulations=150, leaves_per_batch=3, temperature_moves=0)
    results = []
    for evaluator in (UniformEvaluator(), constant_evaluator(0.0)):
        search = MultiSearch(evaluator, config, 1, [11])
        state = _state()
        first = search.search([state])[0]
        search.advance(0, first.move)
        state.play(first.move)
        results.append((first, search.search([state])[0]))
    _same(results[0][0], results[1][0])
    _same(results[0][1], results[1][1])
    assert results[0][1].visit_counts.sum() > 149  # the reused visits are there


def test_lambda_zero_equals_zero_mode() -> None:
    zero = SearchConfig(num_simulations=200, mode="zero", leaves_per_batch=4)
    lee = SearchConfig(
        num_simulations=200, mode="lee", lee_lambda=0.0, expand_threshold=0, leaves_per_batch=4
    )
    _same(
        run_search(_state(), FakeEvaluator(golden_value), zero, rng=7),
        run_search(_state(), FakeEvaluator(golden_value), lee, rng=7),
    )


def test_many_trees_batched_equal_one_at_a_time() -> None:
    states = [_state(), GameState.new(5, Rules(komi=0.5)), _state(OTHER_5x5)]
    config = SearchConfig(num_simulations=120, leaves_per_batch=4)
    evaluator = FakeEvaluator(golden_value)
    batched = run_searches(states, evaluator, config, rngs=[1, 2, 3])
    # one evaluator call per step serves every tree: 1 (roots) + 30 steps
    assert len(evaluator.batch_sizes) == 31 and max(evaluator.batch_sizes) > 4
    for state, seed, result in zip(states, [1, 2, 3], batched, strict=True):
        _same(result, run_search(state, FakeEvaluator(golden_value), config, rng=seed))


def test_lee_mode_batched_equals_single_with_rollouts() -> None:
    states = [_state(), GameState.new(5, Rules(komi=0.5))]
    config = SearchConfig(num_simulations=100, mode="lee", expand_threshold=2)
    batched = run_searches(states, FakeEvaluator(golden_value), config, rngs=[4, 5])
    for state, seed, result in zip(states, [4, 5], batched, strict=True):
        _same(result, run_search(state, FakeEvaluator(golden_value), config, rng=seed))


def test_lee_priors_wait_for_the_threshold() -> None:
    """Below n_thr visits a node keeps the tree policy's priors; the root gets evaluator priors."""
    config = SearchConfig(
        num_simulations=300, mode="lee", expand_threshold=10, dirichlet_epsilon=0.0
    )
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0])
    search.search([_state()])
    t = search.tree_arrays(0)
    assert t is not None
    num = int(t.counts[0])
    expanded = t.expanded[:num]
    live = ~t.terminal[:num].astype(bool)
    assert expanded[0] == 2
    assert np.all(expanded[live & (t.visit_count[:num] < 10) & (np.arange(num) > 0)] == 1)
    assert np.all(expanded[live & (t.visit_count[:num] > 10)] == 2)
    assert np.array_equal(t.rollout_visits[:num], t.visit_count[:num])


def test_tree_reuse_keeps_the_subtree() -> None:
    config = SearchConfig(num_simulations=200, dirichlet_epsilon=0.0, temperature_moves=0)
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0])
    state = _state()
    result = search.search([state])[0]
    old = search.tree_arrays(0)
    assert old is not None
    child = int(
        old.edge_child[
            old.first_edge[0]
            + np.flatnonzero(
                old.edge_move[old.first_edge[0] : old.first_edge[0] + old.num_edges[0]]
                == result.move
            )[0]
        ]
    )
    search.advance(0, result.move)
    new = search.tree_arrays(0)
    assert new is not None
    assert new.visit_count[0] == result.visit_counts[result.move] == old.visit_count[child]
    assert new.value_sum[0] == old.value_sum[child]
    state.play(result.move)
    again = search.search([state])[0]
    assert again.visit_counts.sum() == result.visit_counts[result.move] - 1 + 200
    # without reuse the same call starts from scratch
    fresh = MultiSearch(
        FakeEvaluator(golden_value),
        SearchConfig(num_simulations=200, dirichlet_epsilon=0.0, reuse_tree=False),
        1,
        [0],
    )
    fresh.search([state.start_position()])
    fresh.advance(0, result.move)
    assert fresh.tree_arrays(0) is None


def test_reuse_is_refused_for_another_position() -> None:
    config = SearchConfig(num_simulations=50)
    search = MultiSearch(UniformEvaluator(), config, 1, [0])
    search.search([_state()])
    search.advance(0, 0)
    other = GameState.new(5, Rules(komi=0.5))
    result = search.search([other])[0]
    assert result.visit_counts.sum() == 49


def test_simulations_per_call_leave_the_config_alone() -> None:
    """``search(num_simulations=n)`` runs what a config of n simulations runs; the config stays
    as built, and a cheap search of playout cap randomisation keeps its own count."""
    config = SearchConfig(num_simulations=300, dirichlet_epsilon=0.0, leaves_per_batch=4)
    for evaluator in (FakeEvaluator(golden_value), UniformEvaluator()):
        search = MultiSearch(evaluator, config, 1, [2])
        asked = search.search([_state()], num_simulations=40)[0]
        assert asked.num_simulations == 40 and search.config is config
        fixed = SearchConfig(num_simulations=40, dirichlet_epsilon=0.0, leaves_per_batch=4)
        _same(asked, MultiSearch(evaluator, fixed, 1, [2]).search([_state()])[0])
    cheap = replace(config, full_search_prob=0.0, cheap_simulations=7)
    result = MultiSearch(UniformEvaluator(), cheap, 1, [0]).search([_state()], num_simulations=90)
    assert not result[0].full_search and result[0].num_simulations == 7
    with pytest.raises(ValueError, match="num_simulations"):
        search.search([_state()], num_simulations=0)
    with pytest.raises(AttributeError):
        search.config = fixed  # type: ignore[misc]  # fixed at construction


def test_root_noise_is_fresh_each_search_and_off_in_cheap_searches() -> None:
    config = SearchConfig(num_simulations=30, dirichlet_epsilon=0.25)
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0])
    first = search.search([_state()])[0]
    second = search.search([_state()])[0]
    clean = golden_value(_state())[0] * _state().legal_mask()
    clean = clean / clean.sum()
    assert not np.allclose(first.priors, clean) and not np.allclose(first.priors, second.priors)
    assert first.priors.sum() == pytest.approx(1.0)
    cheap = SearchConfig(num_simulations=30, cheap_simulations=7, full_search_prob=0.0)
    result = run_search(_state(), FakeEvaluator(golden_value), cheap, rng=0)
    assert not result.full_search and result.num_simulations == 7
    assert np.allclose(result.priors, clean, atol=1e-6)


def test_leaf_arrays_match_the_rules() -> None:
    """Leaves under positional superko and multi-stone suicide: legal masks, stone history and
    GameStates agree with igo.go's own, and replaying a path never hits an illegal move."""

    class Checking:
        history_length = 3

        def __init__(self) -> None:
            self.checked = 0

        def evaluate_leaves(self, leaves: Leaves) -> tuple[np.ndarray, np.ndarray]:
            for i, state in enumerate(leaves.states()):
                assert np.array_equal(leaves.legal_mask[i], state.legal_mask())
                assert np.array_equal(leaves.boards[i, : state.num_points], state.stones())
                assert leaves.to_play[i] == int(state.to_play)
                assert np.array_equal(leaves.history[i], _stone_history(state, 3))
                self.checked += 1
            return leaves.legal_mask.astype(np.float32), np.zeros(len(leaves))

    rng = np.random.default_rng(5)
    checking = Checking()
    for _ in range(5):
        state = GameState.new(4, PRESETS["tromp-taylor"])
        for _ in range(int(rng.integers(0, 12))):
            if state.is_over():
                break
            state.play(int(rng.choice(state.legal_moves())))
        if not state.is_over():
            run_search(state, checking, SearchConfig(num_simulations=40), rng=0)
    assert checking.checked > 40


def _stone_history(state: GameState, length: int) -> np.ndarray:
    """Stones now and before, newest first; all 0 before the starting position."""
    out = np.zeros((length, state.num_points), dtype=np.int8)
    cur = state.copy()
    for i in range(min(length, len(state.moves) + 1)):
        out[i] = cur.stones()
        if cur.moves:
            cur.undo()
    return out


def test_time_limit_and_game_over() -> None:
    config = SearchConfig(num_simulations=100_000, leaves_per_batch=2)
    for evaluator in (constant_evaluator(), UniformEvaluator()):
        search = MultiSearch(evaluator, config, 1, [0])
        quick = search.search([_state()], time_limit=0.0)[0]
        assert 1 <= quick.num_simulations <= 1024
    over = _state()
    over.pass_move()
    over.pass_move()
    with pytest.raises(ValueError):
        run_search(over, UniformEvaluator(), config)


def test_result_fields_are_consistent() -> None:
    config = SearchConfig(num_simulations=100, temperature_moves=0, dirichlet_epsilon=0.0)
    result = run_search(_state(), FakeEvaluator(golden_value), config, rng=0)
    state = _state()
    assert result.visit_counts.shape == (26,) and result.policy.sum() == pytest.approx(1.0)
    assert np.array_equal(result.legal_mask, state.legal_mask())
    assert result.visit_counts.sum() == 99  # the root's own evaluation is the first simulation
    assert result.move == int(np.argmax(result.visit_counts))
    assert result.principal_variation[0] == result.move
    replay = state.copy()
    for move in result.principal_variation:
        replay.play(move)
    visited = result.visit_counts > 0
    assert np.isnan(result.q_values[~visited]).all() and np.isfinite(result.q_values[visited]).all()
    assert np.all(result.lcb[visited] <= result.q_values[visited])


def test_evaluator_answers_are_checked() -> None:
    def bad(states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        return np.ones((len(states), 3)), np.zeros(len(states))

    class Bad:
        def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
            return bad(states)

    with pytest.raises(ValueError, match="expected"):
        run_search(_state(), Bad(), SearchConfig(num_simulations=4))


def test_white_to_play_values_are_from_whites_view() -> None:
    """A position good for white gives a positive root value when white is to move."""

    def fn(state: GameState) -> tuple[np.ndarray, float]:
        return np.ones(state.num_points + 1), 0.8 if state.to_play == Color.WHITE else -0.8

    state = GameState.from_ascii(OPEN_5x5, rules=Rules(komi=0.5), to_play=Color.WHITE)
    result = run_search(state, FakeEvaluator(fn), SearchConfig(num_simulations=50), rng=0)
    assert result.root_value == pytest.approx(0.8, abs=1e-9)
