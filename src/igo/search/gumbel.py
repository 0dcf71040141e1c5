"""Gumbel root selection with sequential halving, and the improved policy (Gumbel AlphaZero).

Danihelka, Guez, Schrittwieser and Silver, "Policy improvement by planning with Gumbel" (ICLR
2022), as DeepMind's mctx implements it (``gumbel_muzero_policy``), written here for igo's tree:

- At the root, Gumbel noise g(a) ~ Gumbel(0, 1) (times ``gumbel_scale``) is drawn once per search
  and added to the logits (log priors). The first m = min(``gumbel_considered``, legal moves)
  simulations visit the top m moves by g + logits (sampling without replacement).
- The budget is split by **sequential halving** (``halving_schedule``): in each of about
  log2(m) phases every move still considered gets the same number of visits, then the half with
  the best g + logits + sigma(q) stays. Like mctx, the schedule is a sequence "the k-th
  simulation goes to a move that has had ``schedule[k]`` visits so far": the k-th simulation
  takes, among the moves with exactly that many visits, the one with the best score. Pending
  (virtual-loss) simulations count as visits, so a batch of leaves spreads over the moves.
- sigma(q) = (c_visit + max_b N(b)) * c_scale * q, with q the **completed** Q (the visited moves'
  Q; the unvisited ones the mixed value v_mix, the network's value mixed with the prior-weighted
  Q of the visited moves) min-max normalised over the legal moves to [0, 1].
- The move played is the winner: among the moves with the most visits of this search, the best
  g + logits + sigma(q). No temperature is needed.
- The **improved policy** softmax(logits + sigma(completed q)) is the policy target the paper
  trains on (``SearchResult.improved_policy``).

Below the root igo keeps PUCT (the paper's deterministic non-root selection is optional; PUCT
reuses the compiled selection, and Lee mode's rollouts and thresholds work unchanged).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from igo.go.jit import njit
from igo.search.config import SearchConfig
from igo.search.tree import TreeArrays, mixed_mean

LOW_LOGIT = -1e9
"""Scores are clipped from below here (mctx), so a move of prior 0 still ranks among the rest."""


class GumbelRoot(NamedTuple):
    """A tree's Gumbel root state for one search (A = size * size + 1 moves, S simulations).

    Filled in once the root has evaluator priors (``start_halving``); ``length[0]`` = 0 means
    the root selects by PUCT.
    """

    score: np.ndarray
    """float64 [A]: g(a) + log prior(a) per move (g scaled by ``gumbel_scale``)."""
    base: np.ndarray
    """int64 [A]: visits per root move before this search (reused visits), not counted by the
    schedule."""
    schedule: np.ndarray
    """int64 [S]: sequential halving: visits (this search) of the move the k-th simulation takes."""
    length: np.ndarray
    """int64 [1]: how many entries of ``schedule`` are used (0: Gumbel selection off)."""
    value: np.ndarray
    """float64 [1]: the root's value for v_mix: the network's on a fresh tree, else the mean of
    the reused visits."""
    c_visit: float = 50.0
    """sigma's visit offset."""
    c_scale: float = 0.1
    """sigma's scale."""


def gumbel_root(
    num_moves: int = 1, num_simulations: int = 0, c_visit: float = 50.0, c_scale: float = 0.1
) -> GumbelRoot:
    """A Gumbel root state, off until ``start_halving`` arms it, with room for ``num_moves``
    moves and a schedule of ``num_simulations``."""
    return GumbelRoot(
        score=np.zeros(num_moves, dtype=np.float64),
        base=np.zeros(num_moves, dtype=np.int64),
        schedule=np.zeros(max(num_simulations, 1), dtype=np.int64),
        length=np.zeros(1, dtype=np.int64),
        value=np.zeros(1, dtype=np.float64),
        c_visit=float(c_visit),
        c_scale=float(c_scale),
    )


def halving_schedule(num_considered: int, num_simulations: int) -> np.ndarray:
    """Sequential halving as the visit count of the move each simulation takes (mctx's
    ``get_sequence_of_considered_visits``).

    Phase after phase, each of the ``num`` moves still considered gets
    max(1, floor(n / (ceil(log2 m) * num))) more visits, then ``num`` halves (never below 2).

    Returns:
        int64 [num_simulations]: entry k is the visits the k-th simulation's move has had.
    """
    if num_considered <= 1:
        return np.arange(num_simulations, dtype=np.int64)
    log2max = int(math.ceil(math.log2(num_considered)))
    sequence: list[int] = []
    visits = [0] * num_considered
    num = num_considered
    while len(sequence) < num_simulations:
        extra = max(1, int(num_simulations / (log2max * num)))
        for _ in range(extra):
            sequence.extend(visits[:num])
            for i in range(num):
                visits[i] += 1
        num = max(2, num // 2)
    return np.array(sequence[:num_simulations], dtype=np.int64)


@njit
def transformed_q(
    q: np.ndarray,
    visits: np.ndarray,
    priors: np.ndarray,
    raw_value: float,
    c_visit: float,
    c_scale: float,
) -> np.ndarray:
    """sigma(completed Q) per move (mctx's ``qtransform_completed_by_mix_value``).

    Args:
        q: [M] Q(a) from the side to move's view (read only where ``visits`` > 0).
        visits: [M] N(a).
        priors: [M] prior probabilities.
        raw_value: the root's value from the side to move's view.
        c_visit, c_scale: sigma's constants.

    Returns:
        float64 [M]: (c_visit + max N) * c_scale * normalised completed Q.
    """
    m = q.shape[0]
    total, prob_sum, weighted = 0.0, 0.0, 0.0
    for i in range(m):
        if visits[i] > 0:
            total += visits[i]
            p = max(priors[i], 1e-30)
            prob_sum += p
            weighted += p * q[i]
    mixed = raw_value
    if total > 0:
        mixed = (raw_value + total * weighted / prob_sum) / (total + 1.0)
    out = np.empty(m, dtype=np.float64)
    low, high, most = np.inf, -np.inf, 0.0
    for i in range(m):
        out[i] = q[i] if visits[i] > 0 else mixed
        low, high, most = min(low, out[i]), max(high, out[i]), max(most, visits[i])
    scale = (c_visit + most) * c_scale / max(high - low, 1e-8)
    for i in range(m):
        out[i] = (out[i] - low) * scale
    return out


@njit
def root_statistics(t: TreeArrays, lam: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(visits, in-flight visits, Q) of the root's edges: N, N + pending, Q from the root's side
    (0 where unvisited)."""
    first, num = t.first_edge[0], t.num_edges[0]
    visits = np.zeros(num, dtype=np.float64)
    flight = np.zeros(num, dtype=np.int64)
    q = np.zeros(num, dtype=np.float64)
    for i in range(num):
        c = t.edge_child[first + i]
        if c < 0:
            continue
        visits[i] = t.visit_count[c]
        flight[i] = t.visit_count[c] + t.pending[c]
        if t.visit_count[c] > 0:
            q[i] = -mixed_mean(
                t.value_sum[c], t.value_visits[c], t.rollout_sum[c], t.rollout_visits[c], lam
            )
    return visits, flight, q


@njit
def gumbel_root_edge(t: TreeArrays, g: GumbelRoot, lam: float) -> int:
    """The root edge sequential halving gives the next simulation, or -1 (Gumbel selection off,
    or the schedule spent): among the moves whose visits this search equal the schedule's entry,
    the best g + logits + sigma(completed Q)."""
    length = g.length[0]
    if length == 0:
        return -1
    first, num = t.first_edge[0], t.num_edges[0]
    visits, flight, q = root_statistics(t, lam)
    done = 0
    for i in range(num):
        done += flight[i] - g.base[t.edge_move[first + i]]
    if done >= length:
        return -1
    target = g.schedule[done]
    priors = t.edge_prior[first : first + num].astype(np.float64)
    sigma = transformed_q(q, visits, priors, g.value[0], g.c_visit, g.c_scale)
    best, best_score = -1, -np.inf
    for i in range(num):
        move = t.edge_move[first + i]
        if flight[i] - g.base[move] != target:
            continue
        score = max(LOW_LOGIT, g.score[move] + sigma[i])
        if score > best_score:
            best, best_score = i, score
    return -1 if best < 0 else first + best


def gumbel_for(config: SearchConfig, num_moves: int, num_simulations: int) -> GumbelRoot | None:
    """The Gumbel root state a search with ``config`` needs (None: PUCT at the root)."""
    if not config.gumbel:
        return None
    return gumbel_root(num_moves, num_simulations, config.gumbel_c_visit, config.gumbel_c_scale)


def start_halving(
    t: TreeArrays,
    g: GumbelRoot,
    config: SearchConfig,
    num_simulations: int,
    full: bool,
    rng: np.random.Generator,
) -> None:
    """Arm ``g`` for a search of ``num_simulations`` more simulations from the expanded root of
    ``t``: draw the Gumbel noise (``config.gumbel_scale`` in a full search, none in a cheap one),
    note the reused visits, lay out the schedule over min(``gumbel_considered``, root moves)."""
    lam = config.rollout_weight
    first, num = int(t.first_edge[0]), int(t.num_edges[0])
    moves = t.edge_move[first : first + num]
    priors = t.edge_prior[first : first + num].astype(np.float64)
    visits, _, _ = root_statistics(t, lam)
    noise = config.gumbel_scale if full else 0.0
    g.score[:] = 0.0
    g.base[:] = 0
    g.score[moves] = noise * rng.gumbel(size=num) + np.log(np.maximum(priors, 1e-30))
    g.base[moves] = visits.astype(np.int64)
    n = min(num_simulations, g.schedule.shape[0])
    g.schedule[:n] = halving_schedule(min(config.gumbel_considered, num), n)
    g.length[0] = n
    g.value[0] = root_value(t, lam)


def root_value(t: TreeArrays, lam: float) -> float:
    """The root's mean value from its side to move's view (0 without visits)."""
    return float(
        mixed_mean(t.value_sum[0], t.value_visits[0], t.rollout_sum[0], t.rollout_visits[0], lam)
    )


def improved_policy(
    t: TreeArrays, g: GumbelRoot, lam: float, num_moves: int
) -> tuple[np.ndarray, np.ndarray]:
    """(improved policy, completed scores) of the root over all ``num_moves`` moves.

    The improved policy is softmax(logits + sigma(completed Q)) over the root's moves, 0
    elsewhere; the scores are g + logits + sigma(completed Q) (-inf off the root's moves), what
    the move choice ranks. Both float64 [A]. Without an armed ``g`` (a PUCT search) the root's
    mean value stands for v_mix and there is no noise.
    """
    first, num = int(t.first_edge[0]), int(t.num_edges[0])
    moves = t.edge_move[first : first + num].astype(np.int64)
    logits = np.log(np.maximum(t.edge_prior[first : first + num].astype(np.float64), 1e-30))
    visits, _, q = root_statistics(t, lam)
    armed = g.length[0] > 0
    value = float(g.value[0]) if armed else root_value(t, lam)
    sigma = transformed_q(q, visits, np.exp(logits), value, g.c_visit, g.c_scale)
    policy = np.zeros(num_moves)
    if num:
        weights = np.exp(logits + sigma - (logits + sigma).max())
        policy[moves] = weights / weights.sum()
    scores = np.full(num_moves, -np.inf)
    noisy = g.score[moves] if armed else logits
    scores[moves] = np.maximum(LOW_LOGIT, noisy + sigma)
    return policy, scores


def halving_winner(visits: np.ndarray, base: np.ndarray, scores: np.ndarray) -> int:
    """The move sequential halving chose: among the moves with the most visits of this search
    (``visits`` - ``base``, [A]), the best ``scores`` [A]."""
    fresh = visits - base
    top = fresh.max()
    return int(np.argmax(np.where((fresh == top) & np.isfinite(scores), scores, -np.inf)))
