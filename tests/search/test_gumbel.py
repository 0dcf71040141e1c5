"""Gumbel root selection: sequential halving's budget split, the improved policy on a hand-made
tree, the halving's winner, batching, reuse and both modes (``igo.search.gumbel``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from igo.go.coords import from_gtp
from igo.go.rules import Rules
from igo.go.state import GameState
from igo.search import MultiSearch, SearchConfig, UniformEvaluator, run_search, run_searches
from igo.search.gumbel import gumbel_root, halving_schedule, improved_policy
from igo.search.result import root_edges
from igo.search.tree import EVALUATOR_PRIORS, new_tree, set_priors
from search_fakes import FakeEvaluator, constant_evaluator, golden_value

GUMBEL = SearchConfig(root_selection="gumbel", temperature_moves=0)

# Black to play: the white group of six has one liberty, c2; capturing it is the only good move
# (8 legal moves with pass).
CAPTURE_5x5 = """
. X X X .
X O O O X
X O O O X
. X . X .
X . X . X
"""


def _material(state: GameState) -> tuple[np.ndarray, float]:
    """Uniform priors; value tanh((own - other stones) / 10) for the side to move."""
    stones = state.stones()
    own = int((stones == int(state.to_play)).sum())
    diff = 2 * own - int((stones > 0).sum())
    return state.legal_mask().astype(np.float64), float(np.tanh(diff / 10.0))


def _final_visits(schedule: np.ndarray) -> list[int]:
    """Visits per move after the schedule, most first (entry k: the k-th simulation's move had
    that many visits, so each move's count is one more than the largest entry it reached)."""
    counts: dict[int, int] = {}
    for visits in schedule.tolist():
        counts[visits + 1] = counts.get(visits + 1, 0) + 1
    # A move that reached v visits was counted once at every level 1..v: peel the levels.
    out: list[int] = []
    levels = sorted(counts)
    for i, level in enumerate(levels):
        above = counts[levels[i + 1]] if i + 1 < len(levels) else 0
        out += [level] * (counts[level] - above)
    return sorted(out, reverse=True)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        # m = 16, ceil(log2 16) = 4 phases. n = 32: 16 x 1 (32 / 64 < 1: one each), 8 x 1,
        # 4 x 2 -> 4 moves 4 visits, 4 moves 2, 8 moves 1.
        (32, [4] * 4 + [2] * 4 + [1] * 8),
        # n = 64: 16 x 1, 8 x 2, 4 x 4, 2 x 8 -> 15, 15, 7, 7, 3 x 4, 1 x 8.
        (64, [15] * 2 + [7] * 2 + [3] * 4 + [1] * 8),
        # n = 200: 16 x 3, 8 x 6, 4 x 12, 2 x 25, then the last 6 simulations over the last 2
        # -> 49, 49, 21, 21, 9 x 4, 3 x 8.
        (200, [49] * 2 + [21] * 2 + [9] * 4 + [3] * 8),
    ],
)
def test_sequential_halving_budget_for_16_moves(n: int, expected: list[int]) -> None:
    schedule = halving_schedule(16, n)
    assert schedule.shape == (n,) and sum(expected) == n
    assert _final_visits(schedule) == expected
    # The search lays out the same split: n simulations below the root (the root's own
    # evaluation first), whatever the batch size.
    for batch in (1, 8):
        config = replace(GUMBEL, num_simulations=n + 1, leaves_per_batch=batch)
        result = run_search(GameState.new(9), constant_evaluator(0.0), config, rng=3)
        visits = result.visit_counts[result.visit_counts > 0]
        assert sorted(visits.tolist(), reverse=True) == expected
        assert result.visit_counts[result.move] == expected[0]


def test_schedule_with_fewer_moves_than_considered() -> None:
    assert halving_schedule(1, 4).tolist() == [0, 1, 2, 3]
    assert halving_schedule(2, 6).tolist() == [0, 0, 1, 1, 2, 2]  # one phase of 3 rounds
    # m = 3: 2 phases; 3 x 1 (6 / 6), then 2 x 1 (int(6 / 4)), then the last one: 3, 2, 1.
    assert _final_visits(halving_schedule(3, 6)) == [3, 2, 1]


def test_improved_policy_of_a_hand_made_tree() -> None:
    """Root with priors 0.5, 0.3, 0.2 and value 0.1; move 0 visited twice with Q 0.3, move 1 once
    with Q -0.2, move 2 never. The completed Q, its sigma and the softmax by hand."""
    t = new_tree(1, 0, 8, 8)
    set_priors(t, 0, np.array([0.5, 0.3, 0.2]), np.ones(3, dtype=np.bool_), EVALUATOR_PRIORS)
    t.visit_count[0], t.value_visits[0], t.value_sum[0] = 4, 4, 0.4
    for edge, (visits, q) in enumerate([(2, 0.3), (1, -0.2)]):
        child = int(t.counts[0])
        t.counts[0] += 1
        t.parent[child], t.edge_child[edge] = 0, child
        t.visit_count[child] = t.value_visits[child] = visits
        t.value_sum[child] = -q * visits  # stored from the child's side to move
    policy, scores = improved_policy(t, gumbel_root(3), 0.0, 3)
    # v_mix = (0.1 + 3 * (0.5 * 0.3 + 0.3 * -0.2) / 0.8) / 4 = 0.109375
    completed = np.array([0.3, -0.2, 0.109375])
    normalised = (completed + 0.2) / 0.5
    sigma = (50 + 2) * 0.1 * normalised
    logits = np.log([0.5, 0.3, 0.2]) + sigma
    expected = np.exp(logits) / np.exp(logits).sum()
    assert policy == pytest.approx(expected, rel=1e-6)
    assert scores == pytest.approx(logits, rel=1e-6)  # no noise when the root is not armed


@pytest.mark.parametrize("simulations", [9, 16])
def test_capture_is_found_at_small_budgets(simulations: int) -> None:
    """Without noise the halving always keeps the capture; with the paper's noise (it explores:
    a lucky draw can outscore sigma's ~4 points) it wins most seeds. Fixed seeds: no flakiness."""
    state = GameState.from_ascii(CAPTURE_5x5, rules=Rules(komi=0.5))
    assert state.legal_mask().sum() == 8
    capture = from_gtp("c2", 5)
    config = replace(GUMBEL, num_simulations=simulations, leaves_per_batch=4, gumbel_scale=0.0)
    for seed in range(4):
        result = run_search(state, FakeEvaluator(_material), config, rng=seed)
        assert result.move == capture
        assert int(np.argmax(result.improved_policy)) == capture
    noisy = replace(config, gumbel_scale=1.0)
    wins = [
        run_search(state, FakeEvaluator(_material), noisy, rng=seed).move == capture
        for seed in range(16)
    ]
    assert sum(wins) >= 10


def test_winner_has_the_most_visits_and_ignores_temperature() -> None:
    config = replace(GUMBEL, num_simulations=40, temperature=1.0, temperature_moves=30)
    for seed in range(5):
        result = run_search(GameState.new(5), FakeEvaluator(golden_value), config, rng=seed)
        assert result.visit_counts[result.move] == result.visit_counts.max()
        assert result.improved_policy.sum() == pytest.approx(1.0)
        assert np.all(result.improved_policy[~result.legal_mask] == 0)


def test_noise_scale_zero_takes_the_top_priors() -> None:
    """Without noise the first round visits the m moves of highest prior (golden priors: the
    points a with 7a mod 5 = 4 weigh 5)."""
    config = replace(GUMBEL, num_simulations=9, gumbel_scale=0.0, gumbel_considered=8)
    result = run_search(GameState.new(5), constant_evaluator(0.0), config, rng=0)
    assert (result.visit_counts > 0).sum() == 8
    golden = FakeEvaluator(golden_value)
    result = run_search(GameState.new(5), golden, config, rng=0)
    seen = result.visit_counts > 0
    assert seen.sum() == 8 and np.all(seen[result.priors == result.priors.max()])
    assert result.priors[seen].min() >= result.priors[result.legal_mask & ~seen].max()


def test_batched_trees_equal_one_at_a_time_and_lee_mode_runs() -> None:
    states = [GameState.new(5), GameState.from_ascii(CAPTURE_5x5, rules=Rules(komi=0.5))]
    for mode in ("zero", "lee"):
        config = replace(GUMBEL, num_simulations=30, leaves_per_batch=4, mode=mode)
        batched = run_searches(states, FakeEvaluator(golden_value), config, rngs=[1, 2])
        for state, seed, result in zip(states, [1, 2], batched, strict=True):
            alone = run_search(state, FakeEvaluator(golden_value), config, rng=seed)
            assert np.array_equal(result.visit_counts, alone.visit_counts)
            assert result.move == alone.move
            assert result.improved_policy == pytest.approx(alone.improved_policy)


def test_uniform_fast_path_equals_python_path() -> None:
    config = replace(GUMBEL, num_simulations=50, leaves_per_batch=3)
    fast = run_search(GameState.new(5), UniformEvaluator(), config, rng=4)
    slow = run_search(GameState.new(5), constant_evaluator(0.0), config, rng=4)
    assert np.array_equal(fast.visit_counts, slow.visit_counts) and fast.move == slow.move


def test_reused_tree_halves_over_the_new_visits() -> None:
    """With the subtree of the move played kept, the next search's schedule counts only its own
    simulations: the new visits split as a fresh search's would."""
    config = replace(GUMBEL, num_simulations=33)
    search = MultiSearch(constant_evaluator(0.0), config, 1, [5])
    state = GameState.new(5)
    first = search.search([state])[0]
    search.advance(0, first.move)
    state.play(first.move)
    t = search.tree_arrays(0)
    assert t is not None and t.visit_count[0] > 1
    moves, _, children = root_edges(t)
    reused = np.zeros(26, dtype=np.int64)
    reused[moves] = np.where(children >= 0, t.visit_count[np.maximum(children, 0)], 0)
    assert reused.sum() > 0
    second = search.search([state], num_simulations=32)[0]
    new = second.visit_counts - reused
    assert sorted(new[new > 0].tolist(), reverse=True) == [4] * 4 + [2] * 4 + [1] * 8
    assert new[second.move] == 4


def test_config_checks() -> None:
    with pytest.raises(ValueError, match="root_selection"):
        SearchConfig(root_selection="best")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="use_lcb"):
        SearchConfig(root_selection="gumbel", use_lcb=True)
    for field in ("gumbel_considered", "gumbel_c_visit", "gumbel_c_scale", "gumbel_scale"):
        with pytest.raises(ValueError, match=field):
            SearchConfig(root_selection="gumbel", **{field: -1})
