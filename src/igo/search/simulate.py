"""Compiled simulation steps: select leaves under virtual loss, prepare them, back them up.

One step of a tree collects up to ``k`` leaves (``select_leaves``), the caller evaluates the ones
that need it, and ``expand_and_backup`` gives new leaves their edges and priors and backs the
values up. A leaf's board is not stored in the tree: it is the root's board vector with the path's
moves replayed by ``igo.go.board.play``, which costs a copy and a few plays and keeps a node at
about 110 bytes (plus 10 per legal move for its edges) instead of a whole board.

Replaying a leaf, its exact legal moves (superko included), its Tromp-Taylor value and its Lee
rollout live in ``leaf_board``; its names are re-exported here.
"""

from __future__ import annotations

import numpy as np
from numba.typed import List as ListType

from igo.go.jit import njit
from igo.search.gumbel import GumbelRoot, gumbel_root_edge
from igo.search.leaf_board import (
    SUPERKO_NONE,
    SUPERKO_POSITIONAL,
    SUPERKO_SITUATIONAL,
    area_value,
    legal_moves,
    position_key,
    replay,
    rollout,
)
from igo.search.leaves import (
    LEAF_EVAL,
    LEAF_NO_EVAL,
    LEAF_TERMINAL,
    EvalBatch,
    LeafArrays,
    RootContext,
)
from igo.search.puct import exploration_constant, puct_score
from igo.search.tree import (
    EVALUATOR_PRIORS,
    NOT_EXPANDED,
    TREE_PRIORS,
    KernelParams,
    TreeArrays,
    add_child,
    add_virtual_loss,
    backup,
    mixed_mean,
    reserve,
    set_priors,
)

__all__ = [
    "SUPERKO_NONE",
    "SUPERKO_POSITIONAL",
    "SUPERKO_SITUATIONAL",
    "area_value",
    "backup_all",
    "descend",
    "expand_and_backup",
    "legal_moves",
    "position_key",
    "prepare_leaf",
    "replay",
    "rollout",
    "run_uniform",
    "select_all",
    "select_edge",
    "select_leaves",
]


@njit
def select_edge(t: TreeArrays, node: int, prm: KernelParams) -> int:
    """The PUCT choice among ``node``'s edges, pending simulations counted as losses.

    One pass: every unvisited edge shares the first-play value, so the best of them is the one
    with the highest prior, and only it is compared with the best visited edge at the end
    (ties go to the lower edge index, as a plain argmax would).
    """
    # Arrays are taken out of the tuple once: each access in a loop would cost a reference count.
    child_of, prior, visit_count, pending = t.edge_child, t.edge_prior, t.visit_count, t.pending
    value_sum, value_visits = t.value_sum, t.value_visits
    rollout_sum, rollout_visits = t.rollout_sum, t.rollout_visits
    n_vl, lam = prm.virtual_loss, prm.rollout_weight
    # N(s) is the node's own count, virtual visits included (mctx); at least 1 once expanded.
    parent_visits = float(visit_count[node] + n_vl * pending[node])
    c_explore = exploration_constant(parent_visits, prm.c_puct, prm.c_base)
    first, num = t.first_edge[node], t.num_edges[node]
    best, best_score = -1, -np.inf
    fresh, fresh_prior, visited_prior = -1, -1.0, 0.0
    for e in range(first, first + num):
        c = child_of[e]
        if c < 0:
            if prior[e] > fresh_prior:
                fresh, fresh_prior = e, prior[e]
            continue
        visited_prior += prior[e]
        vl = n_vl * pending[c]
        q = mixed_mean(
            -value_sum[c] - vl,
            value_visits[c] + vl,
            -rollout_sum[c] - vl,
            rollout_visits[c] + vl,
            lam,
        )
        score = puct_score(q, prior[e], parent_visits, visit_count[c] + vl, c_explore)
        if score > best_score:
            best, best_score = e, score
    if fresh < 0:
        return best
    if np.isnan(prm.fpu_value):
        fpu = mixed_mean(
            value_sum[node], value_visits[node], rollout_sum[node], rollout_visits[node], lam
        ) - prm.fpu_reduction * np.sqrt(visited_prior)
    else:
        fpu = prm.fpu_value
    score = puct_score(fpu, fresh_prior, parent_visits, 0.0, c_explore)
    if score > best_score or (score == best_score and fresh < best):
        return fresh
    return best


@njit
def descend(t: TreeArrays, prm: KernelParams, gumbel: GumbelRoot) -> int:
    """Walk from the root by PUCT to a leaf: a new or unexpanded node, a terminal node, a node
    already collected in this step, or (Lee) a node due for evaluator priors. Creates at most one
    node. An armed ``gumbel`` chooses the root's edge by sequential halving."""
    terminal, expanded, leaf_slot = t.terminal, t.expanded, t.leaf_slot
    visit_count, edge_child = t.visit_count, t.edge_child
    node = 0
    while True:
        if terminal[node] or expanded[node] == NOT_EXPANDED or leaf_slot[node] >= 0:
            return node
        if expanded[node] == TREE_PRIORS and (
            node == 0 or visit_count[node] >= prm.prior_threshold
        ):
            return node
        e = gumbel_root_edge(t, gumbel, prm.rollout_weight) if node == 0 else -1
        if e < 0:
            e = select_edge(t, node, prm)
        child = edge_child[e]
        if child < 0:
            return add_child(t, node, e, prm)
        node = child


@njit
def prepare_leaf(
    t: TreeArrays,
    lv: LeafArrays,
    i: int,
    batch: EvalBatch,
    r: int,
    root: RootContext,
    prm: KernelParams,
) -> None:
    """Replay leaf ``i`` into batch row ``r``; score it if terminal, else list its legal moves and
    decide whether the evaluator must see it and whose priors it expands with."""
    leaf = lv.node[i]
    depth = t.depth[leaf]
    if depth <= lv.path.shape[0]:
        path, path_keys = lv.path[:depth], lv.path_keys[:depth]
    else:
        path, path_keys = np.empty(depth, dtype=np.int64), np.empty(depth, dtype=np.int64)
    board = batch.boards[r]
    replay(t, leaf, root, prm, board, batch.history[r], path, path_keys)
    color = t.to_play[leaf]
    batch.to_play[r] = color
    batch.node[r] = leaf
    batch.needs_eval[r] = False
    batch.evaluator_priors[r] = False
    batch.tree_priors[r] = False
    if t.terminal[leaf]:
        lv.kind[i] = LEAF_TERMINAL
        lv.value[i] = area_value(board, color, root, prm, lv.owner)
        lv.rollout[i] = lv.value[i]
        return
    legal_moves(board, color, root, prm, path_keys, batch.legal[r])
    wants_priors = t.expanded[leaf] != EVALUATOR_PRIORS and (
        leaf == 0 or t.visit_count[leaf] >= prm.prior_threshold
    )
    batch.evaluator_priors[r] = wants_priors
    batch.tree_priors[r] = not wants_priors and t.expanded[leaf] == NOT_EXPANDED
    batch.needs_eval[r] = wants_priors or prm.rollout_weight < 1.0
    lv.kind[i] = LEAF_EVAL if batch.needs_eval[r] else LEAF_NO_EVAL


@njit
def select_leaves(
    t: TreeArrays,
    lv: LeafArrays,
    batch: EvalBatch,
    root: RootContext,
    prm: KernelParams,
    k: int,
    rng: np.ndarray,
) -> None:
    """Collect ``k`` leaves under virtual loss, each new one into the next row of ``batch``, and
    run their rollouts (Lee mode).

    A leaf reached twice in one step is listed twice (two visits) but has one row, so it is
    evaluated once. Room for ``k`` nodes and ``k`` batch rows must be reserved.
    """
    work = lv.work
    for i in range(k):
        leaf = descend(t, prm, root.gumbel)
        add_virtual_loss(t, leaf)
        lv.node[i] = leaf
        src = t.leaf_slot[leaf]
        if src >= 0:
            lv.kind[i], lv.row[i], lv.value[i] = lv.kind[src], lv.row[src], lv.value[src]
            lv.rollout[i] = lv.value[src]
        else:
            t.leaf_slot[leaf] = i
            lv.row[i] = batch.counts[0]
            batch.counts[0] += 1
            prepare_leaf(t, lv, i, batch, lv.row[i], root, prm)
        if lv.kind[i] != LEAF_TERMINAL and prm.rollout_weight > 0.0:
            work[:] = batch.boards[lv.row[i]]
            color = t.to_play[leaf]
            last = t.move[leaf] if leaf > 0 else root.last_move
            rollout(work, root, color, last if last < prm.num_points else -1, prm, rng)
            lv.rollout[i] = area_value(work, color, root, prm, lv.owner)
    lv.counts[0] = k


@njit
def expand_and_backup(t: TreeArrays, lv: LeafArrays, batch: EvalBatch, prm: KernelParams) -> None:
    """Give the collected leaves their edges and priors (``batch.priors``) and back up their
    values (``batch.values``, from each leaf's side to move, for evaluated leaves)."""
    for i in range(lv.counts[0]):
        leaf, kind, r = lv.node[i], lv.kind[i], lv.row[i]
        value = lv.value[i]
        if kind != LEAF_TERMINAL:
            value = batch.values[r] if kind == LEAF_EVAL else 0.0
            state = EVALUATOR_PRIORS if batch.evaluator_priors[r] else TREE_PRIORS
            if t.expanded[leaf] == NOT_EXPANDED or (
                state == EVALUATOR_PRIORS and t.expanded[leaf] == TREE_PRIORS
            ):
                set_priors(t, leaf, batch.priors[r], batch.legal[r], state)
        backup(t, leaf, value, lv.rollout[i], prm)
        t.leaf_slot[leaf] = -1


@njit
def select_all(
    trees: ListType,
    leaves: ListType,
    roots: ListType,
    params: ListType,
    rngs: ListType,
    ks: np.ndarray,
    batch: EvalBatch,
    first_rows: np.ndarray,
) -> None:
    """``select_leaves`` for every tree ``i`` with ``ks[i]`` > 0, growing trees as needed; tree
    ``i``'s rows in ``batch`` start at ``first_rows[i]``. The arguments are typed lists of the
    per-tree tuples, so a step over many trees is one call."""
    batch.counts[0] = 0
    for i in range(len(trees)):
        first_rows[i] = batch.counts[0]
        k = ks[i]
        if k == 0:
            continue
        prm = params[i]
        t = reserve(trees[i], k, k * (prm.num_points + 1))
        trees[i] = t
        select_leaves(t, leaves[i], batch, roots[i], prm, k, rngs[i])


@njit
def backup_all(
    trees: ListType,
    leaves: ListType,
    params: ListType,
    ks: np.ndarray,
    batch: EvalBatch,
    root_ready: np.ndarray,
) -> None:
    """``expand_and_backup`` for every tree with ``ks[i]`` > 0; ``root_ready[i]`` tells whether
    tree ``i``'s root has evaluator priors now."""
    for i in range(len(trees)):
        t = trees[i]
        if ks[i] > 0:
            expand_and_backup(t, leaves[i], batch, params[i])
        root_ready[i] = t.expanded[0] == EVALUATOR_PRIORS


@njit
def run_uniform(
    t: TreeArrays,
    lv: LeafArrays,
    batch: EvalBatch,
    root: RootContext,
    prm: KernelParams,
    num_simulations: int,
    rng: np.ndarray,
) -> None:
    """``num_simulations`` simulations with the uniform evaluator built in (priors uniform over
    legal moves, value 0), in steps of ``lv``'s size: the same results as the generic path with
    ``UniformEvaluator``, without leaving compiled code. Room must be reserved."""
    k_max = lv.node.shape[0]
    done = 0
    while done < num_simulations:
        k = min(k_max, num_simulations - done)
        batch.counts[0] = 0
        select_leaves(t, lv, batch, root, prm, k, rng)
        rows = batch.counts[0]
        batch.priors[:rows, :] = 1.0
        batch.values[:rows] = 0.0
        expand_and_backup(t, lv, batch, prm)
        done += k
