"""The search tree as a struct of arrays (mctx style), and its compiled structural kernels.

One tree is a :class:`TreeArrays` named tuple: one array per node statistic and a compact edge list
(KataGo / Leela Zero style: a node owns ``num_edges`` consecutive edges from ``first_edge``, one per
legal move, so selection never walks illegal moves). Node 0 is the root.

| array            | shape  | meaning                                                            |
|------------------|--------|--------------------------------------------------------------------|
| parent, move     | [N]    | parent node (-1 at the root) and the move that led here            |
| to_play          | [N]    | 1 black, 2 white: the side to move at this node                    |
| passes, depth    | [N]    | consecutive passes ending here; plies below the root               |
| terminal         | [N]    | 1 if the game is over here (two passes or the move cap)            |
| expanded         | [N]    | 0 no edges yet, 1 edges with tree-policy priors, 2 evaluator priors |
| first_edge       | [N]    | index of the node's first edge; ``num_edges`` of them              |
| visit_count      | [N]    | N: finished simulations through the node                           |
| pending          | [N]    | simulations in flight through the node (virtual loss)              |
| value_sum        | [N]    | W_v: sum of evaluator values, from this node's side to move        |
| value_visits     | [N]    | N_v: how many values were added                                    |
| rollout_sum      | [N]    | W_r: sum of rollout results, same view (Lee mode)                  |
| rollout_visits   | [N]    | N_r (Lee mode)                                                     |
| sq_sum           | [N]    | sum of squared mixed values, for the LCB                           |
| leaf_slot        | [N]    | index of this node in the leaf batch being collected, else -1      |
| edge_move        | [E]    | the edge's move (flat point, pass = size * size)                   |
| edge_prior       | [E]    | P(s, a)                                                            |
| edge_child       | [E]    | the child node, -1 until the edge is first selected                |
| counts           | [2]    | nodes used, edges used                                             |

Values are stored from the view of the side to move at the node (mctx convention), so the mean
value of edge (s, a) seen from s is minus its child's. Virtual loss is kept apart in ``pending``
and never touches the sums, so removing it leaves no floating-point residue.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from igo.go.jit import inline, njit

NOT_EXPANDED, TREE_PRIORS, EVALUATOR_PRIORS = 0, 1, 2
_NODE_INT_FIELDS = (
    "parent",
    "move",
    "depth",
    "first_edge",
    "num_edges",
    "visit_count",
    "pending",
    "value_visits",
    "rollout_visits",
    "leaf_slot",
)
_NODE_FLAG_FIELDS = ("to_play", "passes", "terminal", "expanded")
_NODE_FLOAT_FIELDS = ("value_sum", "rollout_sum", "sq_sum")


class TreeArrays(NamedTuple):
    """One search tree; see the module docstring for every field's meaning and shape."""

    parent: np.ndarray
    move: np.ndarray
    to_play: np.ndarray
    passes: np.ndarray
    depth: np.ndarray
    terminal: np.ndarray
    expanded: np.ndarray
    first_edge: np.ndarray
    num_edges: np.ndarray
    visit_count: np.ndarray
    pending: np.ndarray
    value_sum: np.ndarray
    value_visits: np.ndarray
    rollout_sum: np.ndarray
    rollout_visits: np.ndarray
    sq_sum: np.ndarray
    leaf_slot: np.ndarray
    edge_move: np.ndarray
    edge_prior: np.ndarray
    edge_child: np.ndarray
    counts: np.ndarray


class KernelParams(NamedTuple):
    """The scalars the compiled kernels read (built from SearchConfig, rules and the root)."""

    num_points: int
    c_puct: float
    c_base: float
    fpu_reduction: float
    fpu_value: float
    virtual_loss: int
    rollout_weight: float
    prior_threshold: int
    rollout_cap: int
    komi: float
    multi_suicide: bool
    superko: int
    moves_left: int
    history_length: int


def allocate_tree(node_capacity: int, edge_capacity: int) -> TreeArrays:
    """An empty tree with room for ``node_capacity`` nodes and ``edge_capacity`` edges."""
    fields: dict[str, np.ndarray] = {}
    for name in _NODE_INT_FIELDS:
        fields[name] = np.zeros(node_capacity, dtype=np.int64)
    for name in _NODE_FLAG_FIELDS:
        fields[name] = np.zeros(node_capacity, dtype=np.int8)
    for name in _NODE_FLOAT_FIELDS:
        fields[name] = np.zeros(node_capacity, dtype=np.float64)
    fields["leaf_slot"][:] = -1
    fields["edge_move"] = np.zeros(edge_capacity, dtype=np.int32)
    fields["edge_prior"] = np.zeros(edge_capacity, dtype=np.float32)
    fields["edge_child"] = np.full(edge_capacity, -1, dtype=np.int32)
    fields["counts"] = np.zeros(2, dtype=np.int64)
    return TreeArrays(**fields)


def new_tree(to_play: int, passes: int, node_capacity: int, edge_capacity: int) -> TreeArrays:
    """A tree holding only an unexpanded root with ``to_play`` and ``passes`` so far."""
    t = allocate_tree(max(node_capacity, 1), max(edge_capacity, 1))
    t.parent[0] = -1
    t.move[0] = -1
    t.to_play[0] = to_play
    t.passes[0] = passes
    t.counts[0] = 1
    return t


@njit
def _grown(a: np.ndarray, size: int, used: int) -> np.ndarray:
    out = np.zeros(size, dtype=a.dtype)
    out[:used] = a[:used]
    return out


@njit
def reserve(t: TreeArrays, num_nodes: int, num_edges: int) -> TreeArrays:
    """``t`` itself if it has room for ``num_nodes`` and ``num_edges`` more, else a copy with at
    least twice the room (compiled, so a batched step can grow trees without leaving numba)."""
    used_nodes, used_edges = t.counts[0], t.counts[1]
    node_cap, edge_cap = t.parent.shape[0], t.edge_move.shape[0]
    if used_nodes + num_nodes <= node_cap and used_edges + num_edges <= edge_cap:
        return t
    n = max(2 * node_cap, used_nodes + num_nodes)
    e = max(2 * edge_cap, used_edges + num_edges)
    u = used_nodes
    return TreeArrays(
        _grown(t.parent, n, u), _grown(t.move, n, u), _grown(t.to_play, n, u),
        _grown(t.passes, n, u), _grown(t.depth, n, u), _grown(t.terminal, n, u),
        _grown(t.expanded, n, u), _grown(t.first_edge, n, u), _grown(t.num_edges, n, u),
        _grown(t.visit_count, n, u), _grown(t.pending, n, u), _grown(t.value_sum, n, u),
        _grown(t.value_visits, n, u), _grown(t.rollout_sum, n, u),
        _grown(t.rollout_visits, n, u), _grown(t.sq_sum, n, u), _grown(t.leaf_slot, n, u),
        _grown(t.edge_move, e, used_edges), _grown(t.edge_prior, e, used_edges),
        _grown(t.edge_child, e, used_edges), t.counts.copy(),
    )  # fmt: skip


@njit
def add_child(t: TreeArrays, node: int, edge: int, prm: KernelParams) -> int:
    """Create the child of ``node`` along ``edge`` (room must be reserved). Returns its index."""
    c = t.counts[0]
    t.counts[0] = c + 1
    move = t.edge_move[edge]
    t.parent[c] = node
    t.move[c] = move
    t.to_play[c] = 3 - t.to_play[node]
    t.passes[c] = t.passes[node] + 1 if move == prm.num_points else 0
    t.depth[c] = t.depth[node] + 1
    t.terminal[c] = 1 if t.passes[c] >= 2 or t.depth[c] >= prm.moves_left else 0
    t.expanded[c] = NOT_EXPANDED
    t.first_edge[c] = -1
    t.num_edges[c] = 0
    t.visit_count[c] = 0
    t.pending[c] = 0
    t.value_sum[c] = 0.0
    t.value_visits[c] = 0
    t.rollout_sum[c] = 0.0
    t.rollout_visits[c] = 0
    t.sq_sum[c] = 0.0
    t.leaf_slot[c] = -1
    t.edge_child[edge] = c
    return int(c)


@njit
def set_priors(t: TreeArrays, node: int, priors: np.ndarray, legal: np.ndarray, state: int) -> None:
    """Give ``node`` its edge priors from ``priors`` [A] normalised over its legal moves.

    A node without edges first gets one edge per True entry of ``legal`` [A]. Negative or
    non-finite priors count as 0; if nothing is left the priors are uniform. ``state`` is
    TREE_PRIORS or EVALUATOR_PRIORS.
    """
    edge_move, edge_prior, edge_child = t.edge_move, t.edge_prior, t.edge_child
    if t.expanded[node] == NOT_EXPANDED:
        first = t.counts[1]
        num = 0
        for a in range(legal.shape[0]):
            if legal[a]:
                edge_move[first + num] = a
                edge_child[first + num] = -1
                num += 1
        t.first_edge[node] = first
        t.num_edges[node] = num
        t.counts[1] = first + num
    first, num = t.first_edge[node], t.num_edges[node]
    total = 0.0
    for e in range(first, first + num):
        p = priors[edge_move[e]]
        if np.isfinite(p) and p > 0.0:
            total += p
    for e in range(first, first + num):
        p = priors[edge_move[e]]
        if total > 0.0:
            edge_prior[e] = (p if np.isfinite(p) and p > 0.0 else 0.0) / total
        else:
            edge_prior[e] = 1.0 / num
    t.expanded[node] = state


@njit
def add_virtual_loss(t: TreeArrays, leaf: int) -> None:
    """Mark one simulation in flight on every node from ``leaf`` up to the root."""
    parent, pending = t.parent, t.pending
    node = leaf
    while node >= 0:
        pending[node] += 1
        node = parent[node]


@njit
def backup(t: TreeArrays, leaf: int, value: float, rollout: float, prm: KernelParams) -> None:
    """Add one finished simulation from ``leaf`` to the root and lift its virtual loss.

    ``value`` and ``rollout`` are from the leaf's side to move; the sign flips at every ply
    (zero-sum game). Value statistics are kept when lambda < 1, rollout statistics when lambda > 0.
    """
    lam = prm.rollout_weight
    mixed = (1.0 - lam) * value + lam * rollout
    parent, pending, visit_count, sq_sum = t.parent, t.pending, t.visit_count, t.sq_sum
    value_sum, value_visits = t.value_sum, t.value_visits
    rollout_sum, rollout_visits = t.rollout_sum, t.rollout_visits
    node = leaf
    while node >= 0:
        pending[node] -= 1
        visit_count[node] += 1
        if lam < 1.0:
            value_sum[node] += value
            value_visits[node] += 1
        if lam > 0.0:
            rollout_sum[node] += rollout
            rollout_visits[node] += 1
        sq_sum[node] += mixed * mixed
        value, rollout = -value, -rollout
        node = parent[node]


@inline
def mixed_mean(
    value_sum: float, value_visits: float, rollout_sum: float, rollout_visits: float, lam: float
) -> float:
    """(1 - lambda) W_v / N_v + lambda W_r / N_r, falling back on whichever part has visits."""
    if lam <= 0.0 or rollout_visits <= 0.0:
        return value_sum / value_visits if value_visits > 0.0 else 0.0
    if lam >= 1.0 or value_visits <= 0.0:
        return rollout_sum / rollout_visits
    return (1.0 - lam) * value_sum / value_visits + lam * rollout_sum / rollout_visits


@njit
def extract_subtree(t: TreeArrays, root: int, out: TreeArrays) -> None:
    """Copy the subtree under ``root`` into the empty tree ``out`` (room reserved), renumbered
    breadth-first so that ``root`` becomes node 0 at depth 0."""
    num_nodes = t.counts[0]
    new_index = np.full(num_nodes, -1, dtype=np.int64)
    order = np.empty(num_nodes, dtype=np.int64)
    order[0] = root
    new_index[root] = 0
    head, tail, num_edges_out = 0, 1, 0
    while head < tail:
        old = order[head]
        new = head
        head += 1
        out.parent[new] = -1 if old == root else new_index[t.parent[old]]
        out.move[new] = -1 if old == root else t.move[old]
        out.to_play[new] = t.to_play[old]
        out.passes[new] = t.passes[old]
        out.depth[new] = t.depth[old] - t.depth[root]
        out.terminal[new] = t.terminal[old]
        out.expanded[new] = t.expanded[old]
        out.visit_count[new] = t.visit_count[old]
        out.pending[new] = 0
        out.value_sum[new] = t.value_sum[old]
        out.value_visits[new] = t.value_visits[old]
        out.rollout_sum[new] = t.rollout_sum[old]
        out.rollout_visits[new] = t.rollout_visits[old]
        out.sq_sum[new] = t.sq_sum[old]
        out.leaf_slot[new] = -1
        first, num = t.first_edge[old], t.num_edges[old]
        out.first_edge[new] = num_edges_out if num > 0 else -1
        out.num_edges[new] = num
        for e in range(first, first + num):
            e_out = num_edges_out
            num_edges_out += 1
            out.edge_move[e_out] = t.edge_move[e]
            out.edge_prior[e_out] = t.edge_prior[e]
            child = t.edge_child[e]
            if child >= 0:
                new_index[child] = tail
                order[tail] = child
                tail += 1
                out.edge_child[e_out] = new_index[child]
            else:
                out.edge_child[e_out] = -1
    out.counts[0] = tail
    out.counts[1] = num_edges_out


def restrict_root(t: TreeArrays, allowed: np.ndarray) -> None:
    """Keep only the root's edges whose move ``allowed`` (bool [A]) marks: they move to the front
    of its edge list and ``num_edges`` shrinks, so selection never sees the others (KataGo's
    ``avoidMoves`` / ``allowMoves`` at the root). Nothing changes when every edge is allowed or
    none is (a root with no move would end the game)."""
    first, num = int(t.first_edge[0]), int(t.num_edges[0])
    edges = slice(first, first + num)
    keep = allowed[t.edge_move[edges]]
    if keep.all() or not keep.any():
        return
    order = np.concatenate([np.flatnonzero(keep), np.flatnonzero(~keep)])
    for array in (t.edge_move, t.edge_prior, t.edge_child):
        array[edges] = array[edges][order]
    t.num_edges[0] = int(keep.sum())


def root_moves(legal: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """bool [A]: the moves a root restricted to ``allowed`` keeps (all legal ones when the
    restriction would leave none, as ``restrict_root`` does)."""
    if allowed is None:
        return legal
    kept = legal & allowed
    return kept if kept.any() else legal
