"""SearchResult: what one search says about its root, and how it is read off the tree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from igo.search.config import SearchConfig
from igo.search.gumbel import GumbelRoot, gumbel_root, halving_winner, improved_policy
from igo.search.puct import lower_confidence_bound, visits_to_policy
from igo.search.tree import TreeArrays


@dataclass(frozen=True)
class SearchResult:
    """The root's statistics after a search (A = size * size + 1 moves, pass last)."""

    visit_counts: np.ndarray
    """int64 [A]: N(root, a), reused visits included."""
    policy: np.ndarray
    """float64 [A]: the policy target: visit counts ** (1 / temperature), normalised."""
    root_value: float
    """Mean value of the root from the side to move's view, in [-1, 1]."""
    move: int
    """The chosen move (sampled by temperature in the opening, else most visits or best LCB)."""
    principal_variation: tuple[int, ...]
    """The chosen move, then the most visited reply at each node below it."""
    q_values: np.ndarray
    """float64 [A]: Q(root, a) from the side to move's view; NaN where unvisited."""
    priors: np.ndarray
    """float64 [A]: P(root, a) as the search used them (noise included); 0 for illegal moves."""
    lcb: np.ndarray
    """float64 [A]: lower confidence bound of Q; -inf where unvisited."""
    legal_mask: np.ndarray
    """bool [A]: the root's legal moves."""
    num_simulations: int
    """Simulations run by this search (not counting reused visits)."""
    full_search: bool
    """False for a cheap search of playout cap randomisation (not a training target)."""
    improved_policy: np.ndarray
    """float64 [A]: Gumbel AlphaZero's policy target softmax(logits + sigma(completed Q)) over
    the root's moves (``igo.search.gumbel``), from the priors the search used."""


def mixed_means(t: TreeArrays, nodes: np.ndarray, lam: float) -> np.ndarray:
    """[len(nodes)] mean values of ``nodes`` from their own side to move (0 without visits)."""
    vs, vv = t.value_sum[nodes], t.value_visits[nodes].astype(np.float64)
    rs, rv = t.rollout_sum[nodes], t.rollout_visits[nodes].astype(np.float64)
    value: np.ndarray = np.divide(vs, vv, out=np.zeros_like(vs), where=vv > 0)
    rollout: np.ndarray = np.divide(rs, rv, out=np.zeros_like(rs), where=rv > 0)
    if lam <= 0.0:
        return value
    if lam >= 1.0:
        return rollout
    mixed: np.ndarray = np.where(
        vv > 0, np.where(rv > 0, (1 - lam) * value + lam * rollout, value), rollout
    )
    return mixed


def root_edges(t: TreeArrays, node: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(moves, priors, children) of ``node``'s edges; children are -1 where never selected."""
    first, num = int(t.first_edge[node]), int(t.num_edges[node])
    if num == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, np.zeros(0), empty
    sl = slice(first, first + num)
    return (
        t.edge_move[sl].astype(np.int64),
        t.edge_prior[sl].astype(np.float64),
        t.edge_child[sl].astype(np.int64),
    )


def best_child(t: TreeArrays, node: int) -> int:
    """The most visited child of ``node`` (ties: the higher prior), -1 if none was visited."""
    _, priors, children = root_edges(t, node)
    visits = np.where(children >= 0, t.visit_count[np.maximum(children, 0)], 0)
    if visits.size == 0 or visits.max() == 0:
        return -1
    return int(children[np.lexsort((-priors, -visits))[0]])


def variation(t: TreeArrays, first_move: int, max_length: int = 32) -> tuple[int, ...]:
    """The line starting with ``first_move`` at the root, then the most visited replies."""
    moves, _, children = root_edges(t)
    hit = np.flatnonzero(moves == first_move)
    if hit.size == 0:
        return ()
    line = [first_move]
    node = int(children[hit[0]])
    while node >= 0 and t.visit_count[node] > 0 and len(line) < max_length:
        node = best_child(t, node)
        if node < 0:
            break
        line.append(int(t.move[node]))
    return tuple(line)


def choose_move(
    visits: np.ndarray,
    priors: np.ndarray,
    lcb: np.ndarray,
    config: SearchConfig,
    move_number: int,
    rng: np.random.Generator,
) -> int:
    """Sample by temperature in the first ``temperature_moves`` moves, else most visits (ties:
    higher prior) or, with ``use_lcb``, the best LCB among well-visited moves."""
    if move_number < config.temperature_moves and config.temperature > 0:
        policy = visits_to_policy(visits, config.temperature)
        return int(rng.choice(visits.shape[0], p=policy))
    best = int(np.lexsort((-priors, -visits))[0])
    if config.use_lcb and visits[best] > 0:
        eligible = visits >= max(config.lcb_min_visit_fraction * visits[best], 1)
        candidates = np.where(eligible, lcb, -np.inf)
        if np.isfinite(candidates.max()):
            return int(np.argmax(candidates))
    return best


def build_result(
    t: TreeArrays,
    config: SearchConfig,
    num_moves: int,
    move_number: int,
    num_simulations: int,
    full_search: bool,
    rng: np.random.Generator,
    gumbel: GumbelRoot | None = None,
) -> SearchResult:
    """Read the root of ``t`` into a SearchResult and choose the move: by visits
    (``choose_move``), or, with an armed ``gumbel`` root, sequential halving's winner."""
    lam = config.rollout_weight
    moves, edge_priors, children = root_edges(t)
    visited = children >= 0
    visits = np.zeros(num_moves, dtype=np.int64)
    q_values = np.full(num_moves, np.nan)
    sq_sum = np.zeros(num_moves)
    priors = np.zeros(num_moves)
    legal = np.zeros(num_moves, dtype=np.bool_)
    legal[moves] = True
    priors[moves] = edge_priors
    kids = children[visited]
    visits[moves[visited]] = t.visit_count[kids]
    sq_sum[moves[visited]] = t.sq_sum[kids]
    seen = visits > 0
    q_values[moves[visited]] = -mixed_means(t, kids, lam)
    q_values[~seen] = np.nan
    lcb = lower_confidence_bound(np.nan_to_num(q_values), sq_sum, visits, config.lcb_z)
    g = gumbel_root() if gumbel is None else gumbel
    improved, scores = improved_policy(t, g, lam, num_moves)
    if g.length[0] > 0:
        move = halving_winner(visits, g.base, scores)
    else:
        move = choose_move(visits, priors, lcb, config, move_number, rng)
    pv = variation(t, move) if visits[move] > 0 else (move,)
    return SearchResult(
        visit_counts=visits,
        policy=visits_to_policy(visits, config.temperature),
        root_value=float(mixed_means(t, np.zeros(1, dtype=np.int64), lam)[0]),
        move=move,
        principal_variation=pv,
        q_values=q_values,
        priors=priors,
        lcb=lcb,
        legal_mask=legal,
        num_simulations=num_simulations,
        full_search=full_search,
        improved_policy=improved,
    )
