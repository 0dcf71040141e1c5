"""Tree kernels and less common paths: superko keys, growth, subtree extraction, options."""

from __future__ import annotations

import numpy as np
import pytest

from igo.go import board as kernels
from igo.go.rules import Rules
from igo.go.state import GameState
from igo.search import MultiSearch, SearchConfig, run_search
from igo.search.root import kernel_params, root_context
from igo.search.simulate import SUPERKO_POSITIONAL, SUPERKO_SITUATIONAL, legal_moves, position_key
from igo.search.tree import TreeArrays, allocate_tree, extract_subtree, reserve
from search_fakes import FakeEvaluator, golden_value


def _legal_with_keys(state: GameState, superko: str, extra_keys: list[int]) -> np.ndarray:
    params = kernel_params(state, SearchConfig(), 0)._replace(
        superko={"positional": SUPERKO_POSITIONAL, "situational": SUPERKO_SITUATIONAL}[superko]
    )
    root = root_context(state, params)
    root = root._replace(keys=np.unique(np.concatenate([root.keys, np.array(extra_keys)])))
    legal = np.zeros(state.num_points + 1, dtype=np.bool_)
    path_keys = np.zeros(0, dtype=np.int64)
    legal_moves(state.board_vector, int(state.to_play), root, params, path_keys, legal)
    return legal


def test_superko_keys_forbid_repeated_positions() -> None:
    """A move whose resulting position is among the earlier keys is illegal; situational keys
    also carry the side to move."""
    state = GameState.new(5, Rules(ko="positional"))
    g = state.geometry
    after = int(kernels.hash_after(state.board_vector, g.neighbours, g.zobrist, 12, 1))
    assert not _legal_with_keys(state, "positional", [after])[12]
    assert _legal_with_keys(state, "positional", [after + 1])[12]
    white_to_move = position_key(after, 2, SUPERKO_SITUATIONAL)
    assert not _legal_with_keys(state, "situational", [white_to_move])[12]
    assert _legal_with_keys(state, "situational", [after])[12]  # same stones, black to move
    assert _legal_with_keys(state, "positional", [])[state.num_points]  # pass stays legal


def test_reserve_grows_and_keeps_the_tree() -> None:
    config = SearchConfig(num_simulations=60, dirichlet_epsilon=0.0)
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0])
    search.search([GameState.new(4, Rules(komi=0.5))])
    t = search.tree_arrays(0)
    assert t is not None
    grown = reserve(t, t.parent.shape[0] * 3, 10)
    assert grown.parent.shape[0] >= t.counts[0] + t.parent.shape[0] * 3
    assert np.shares_memory(reserve(grown, 1, 1).parent, grown.parent)
    used, edges = int(t.counts[0]), int(t.counts[1])
    for name in ("visit_count", "value_sum", "parent", "first_edge"):
        assert np.array_equal(getattr(grown, name)[:used], getattr(t, name)[:used])
    assert np.array_equal(grown.edge_prior[:edges], t.edge_prior[:edges])


def test_extract_subtree_renumbers_and_rebases_depth() -> None:
    config = SearchConfig(num_simulations=80, dirichlet_epsilon=0.0)
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0])
    search.search([GameState.new(4, Rules(komi=0.5))])
    t = search.tree_arrays(0)
    assert t is not None
    child = int(np.argmax(np.where(t.parent[: t.counts[0]] == 0, t.visit_count[: t.counts[0]], 0)))
    out = allocate_tree(t.parent.shape[0], t.edge_move.shape[0])
    extract_subtree(t, child, out)
    num = int(out.counts[0])
    assert out.parent[0] == -1 and out.depth[0] == 0 and out.visit_count[0] == t.visit_count[child]
    assert np.all(out.parent[1:num] < np.arange(1, num))  # breadth-first: parents come first
    assert np.all(out.depth[1:num] == out.depth[out.parent[1:num]] + 1)
    subtree_visits = out.visit_count[:num].sum()
    assert subtree_visits == sum_subtree(t, child)


def sum_subtree(t: TreeArrays, node: int) -> int:
    """Total visits of ``node`` and every node below it."""
    total = int(t.visit_count[node])
    first, num = int(t.first_edge[node]), int(t.num_edges[node])
    for e in range(first, first + num):
        if t.edge_child[e] >= 0:
            total += sum_subtree(t, int(t.edge_child[e]))
    return total


@pytest.mark.parametrize(
    "changes",
    [
        {"c_base": 19652.0},
        {"fpu_value": 0.0},
        {"fpu_reduction": 0.0},
        {"use_lcb": True},
        {"virtual_loss": 0, "leaves_per_batch": 4},
        {"temperature": 0.0},
    ],
)
def test_options_run_and_keep_invariants(changes: dict[str, object]) -> None:
    config = SearchConfig(num_simulations=64, **changes)  # type: ignore[arg-type]
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0])
    result = search.search([GameState.new(5, Rules(komi=0.5))])[0]
    t = search.tree_arrays(0)
    assert t is not None and not t.pending[: t.counts[0]].any()
    assert result.visit_counts.sum() == 63 and result.legal_mask[result.move]


def test_tree_policy_priors_below_the_threshold() -> None:
    """Lee mode: new nodes take the tree policy's priors (here: all mass on pass)."""

    def pass_only(state: GameState) -> tuple[np.ndarray, float]:
        priors = np.zeros(state.num_points + 1)
        priors[-1] = 1.0
        return priors, 0.0

    config = SearchConfig(num_simulations=50, mode="lee", expand_threshold=1000)
    search = MultiSearch(FakeEvaluator(golden_value), config, 1, [0], FakeEvaluator(pass_only))
    search.search([GameState.new(4, Rules(komi=0.5))])
    t = search.tree_arrays(0)
    assert t is not None
    for node in range(1, int(t.counts[0])):
        if t.expanded[node] == 1:
            first, num = int(t.first_edge[node]), int(t.num_edges[node])
            moves, priors = t.edge_move[first : first + num], t.edge_prior[first : first + num]
            assert priors[moves == 16].tolist() == [1.0] and priors[moves != 16].sum() == 0.0


def test_one_board_size_per_call() -> None:
    search = MultiSearch(FakeEvaluator(golden_value), SearchConfig(num_simulations=4), 2)
    with pytest.raises(ValueError, match="board size"):
        search.search([GameState.new(4), GameState.new(5)])


def test_search_does_not_change_the_state() -> None:
    state = GameState.new(5, Rules(komi=0.5))
    state.play(12)
    before = state.board_vector.copy(), state.moves
    run_search(state, FakeEvaluator(golden_value), SearchConfig(num_simulations=40), rng=0)
    assert np.array_equal(state.board_vector, before[0]) and state.moves == before[1]


def test_move_cap_makes_children_terminal() -> None:
    """With one move left before the cap every child is scored exactly by area: a stone on an
    empty 3x3 owns the board (+1 for black); a pass leaves it empty and komi wins it for white."""
    state = GameState.new(3, Rules(komi=0.5), move_cap=1)
    config = SearchConfig(num_simulations=60, dirichlet_epsilon=0.0, temperature_moves=0)
    result = run_search(state, FakeEvaluator(golden_value), config, rng=0)
    visited = result.visit_counts > 0
    assert result.q_values[9] == -1.0
    assert np.all(result.q_values[:9][visited[:9]] == 1.0)
    assert result.move != 9
