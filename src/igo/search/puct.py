"""Pure selection and move-choice functions: PUCT score, root noise, visits -> policy, LCB.

The selection rule of AlphaGo (Silver et al. 2016, "Selection") and AlphaGo Zero (Silver et al.
2017, Methods "Select") picks at each node the action maximising

    a_t = argmax_a ( Q(s, a) + U(s, a) ),   U(s, a) = c(s) * P(s, a) * sqrt(N(s)) / (1 + N(s, a))

with c(s) = c_puct constant, or AlphaZero's c(s) = log((1 + N(s) + c_base) / c_base) + c_init.
Here N(s) = sum_b N(s, b) + 1, the node's own visit included (as mctx does), so that the first
choice at a fresh node follows the prior instead of a tie. Root noise is
P(s, a) = (1 - eps) * p_a + eps * eta_a with eta ~ Dir(alpha) over the legal moves, and the
move policy is pi(a) = N(s, a)^(1 / tau) / sum_b N(s, b)^(1 / tau).

The scalar functions are numba-compiled so the tree kernels inline them; they work from Python too.
"""

from __future__ import annotations

import math

import numpy as np

from igo.go.jit import inline


@inline
def exploration_constant(parent_visits: float, c_puct: float, c_base: float) -> float:
    """c(s): ``c_puct`` when ``c_base`` <= 0, else AlphaZero's growing constant."""
    if c_base <= 0.0:
        return c_puct
    return math.log((1.0 + parent_visits + c_base) / c_base) + c_puct


@inline
def puct_score(
    mean_value: float, prior: float, parent_visits: float, visit_count: float, c: float
) -> float:
    """Q + c * prior * sqrt(parent_visits) / (1 + visit_count), Q from the chooser's view."""
    return mean_value + c * prior * math.sqrt(parent_visits) / (1.0 + visit_count)


def dirichlet_alpha_for(num_legal: int, alpha: float | None) -> float:
    """``alpha`` if given, else 10 / ``num_legal`` (AlphaGo Zero's 0.03 on an open 19x19)."""
    if alpha is not None:
        return alpha
    return 10.0 / max(num_legal, 1)


def add_dirichlet_noise(
    priors: np.ndarray, alpha: float, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """Mix Dirichlet noise into root priors.

    Args:
        priors: [M] priors of the root's legal moves (sum 1).
        alpha: concentration of the symmetric Dirichlet.
        epsilon: weight of the noise.
        rng: the generator that draws the noise.

    Returns:
        [M] float64: ``(1 - epsilon) * priors + epsilon * eta``, eta ~ Dir(alpha).
    """
    priors = np.asarray(priors, dtype=np.float64)
    if epsilon == 0.0 or priors.shape[0] == 0:
        return priors.copy()
    noise = rng.dirichlet(np.full(priors.shape[0], alpha))
    return (1.0 - epsilon) * priors + epsilon * noise


def visits_to_policy(visit_counts: np.ndarray, temperature: float) -> np.ndarray:
    """Visit counts -> move probabilities with temperature.

    Args:
        visit_counts: [A] non-negative counts.
        temperature: tau; 0 gives all mass to the most visited move (the first on ties).

    Returns:
        [A] float64 summing to 1 (uniform if every count is 0).
    """
    counts = np.asarray(visit_counts, dtype=np.float64)
    if counts.shape[0] == 0:
        return counts
    total = counts.sum()
    if total <= 0.0:
        return np.full(counts.shape, 1.0 / counts.shape[0])
    if temperature == 0.0:
        policy = np.zeros_like(counts)
        policy[int(np.argmax(counts))] = 1.0
        return policy
    # N^(1/tau) computed relative to the largest count, so small tau cannot overflow.
    with np.errstate(divide="ignore"):
        logs = np.log(counts / counts.max()) / temperature
    weights: np.ndarray = np.exp(logs)
    return weights / float(weights.sum())


def lower_confidence_bound(
    mean_value: np.ndarray, sq_sum: np.ndarray, visit_count: np.ndarray, z: float
) -> np.ndarray:
    """Q - z * sqrt(var / N) per move, -inf where N is 0.

    The variance estimate adds one pseudo-observation of unit variance, so a move seen a handful of
    times gets a wide interval: var = (sum x^2 - N * Q^2 + 1) / N.

    Args:
        mean_value: [A] Q from the chooser's view.
        sq_sum: [A] sum of the squared backed-up values.
        visit_count: [A] N.
        z: standard deviations below the mean.

    Returns:
        [A] float64 lower bounds.
    """
    n = np.asarray(visit_count, dtype=np.float64)
    q = np.asarray(mean_value, dtype=np.float64)
    out = np.full(n.shape, -np.inf)
    seen = n > 0
    var = (sq_sum[seen] - n[seen] * q[seen] ** 2 + 1.0) / n[seen]
    out[seen] = q[seen] - z * np.sqrt(np.maximum(var, 0.0) / n[seen])
    return out
