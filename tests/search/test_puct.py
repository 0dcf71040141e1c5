"""The pure functions of puct.py: scores, noise statistics, temperature, LCB, move choice."""

from __future__ import annotations

import math

import numpy as np
import pytest

from igo.search import SearchConfig
from igo.search.puct import (
    add_dirichlet_noise,
    dirichlet_alpha_for,
    exploration_constant,
    lower_confidence_bound,
    puct_score,
    visits_to_policy,
)
from igo.search.result import choose_move


def test_puct_score_formula() -> None:
    assert puct_score(0.25, 0.5, 16.0, 3.0, 2.0) == pytest.approx(0.25 + 2.0 * 0.5 * 4.0 / 4.0)
    # An unvisited move's bonus grows with the parent's visits; a visited one's shrinks with its
    # own.
    assert puct_score(0.0, 0.1, 100.0, 0.0, 1.0) > puct_score(0.0, 0.1, 25.0, 0.0, 1.0)
    assert puct_score(0.0, 0.1, 100.0, 9.0, 1.0) < puct_score(0.0, 0.1, 100.0, 4.0, 1.0)


def test_exploration_constant_constant_and_alphazero() -> None:
    assert exploration_constant(1000.0, 1.5, 0.0) == 1.5
    grown = exploration_constant(19652.0, 1.25, 19652.0)
    assert grown == pytest.approx(math.log((1 + 19652 + 19652) / 19652) + 1.25)
    assert exploration_constant(0.0, 1.25, 19652.0) == pytest.approx(1.25, abs=1e-4)


def test_visits_to_policy_temperatures() -> None:
    visits = np.array([1, 2, 3, 0, 4])
    assert np.allclose(visits_to_policy(visits, 1.0), visits / 10)
    squared = visits.astype(float) ** 2
    assert np.allclose(visits_to_policy(visits, 0.5), squared / squared.sum())
    assert visits_to_policy(visits, 0.0).tolist() == [0, 0, 0, 0, 1]
    assert np.allclose(visits_to_policy(np.zeros(4), 1.0), 0.25)
    tiny = visits_to_policy(np.array([1000, 999]), 1e-4)  # 0.999 ** 10000 = e ** -10
    assert np.isfinite(tiny).all() and tiny[0] > 0.99


def test_dirichlet_noise_statistics() -> None:
    """E[p'] = (1 - eps) p + eps / n; Var[p'_a] = eps^2 alpha (a0 - alpha) / (a0^2 (a0 + 1))."""
    rng = np.random.default_rng(0)
    priors = np.array([0.5, 0.3, 0.1, 0.1])
    alpha, eps, n = 0.3, 0.25, 4
    samples = np.stack([add_dirichlet_noise(priors, alpha, eps, rng) for _ in range(20000)])
    assert np.allclose(samples.sum(axis=1), 1.0)
    assert np.allclose(samples.mean(axis=0), (1 - eps) * priors + eps / n, atol=3e-3)
    a0 = alpha * n
    var = eps**2 * alpha * (a0 - alpha) / (a0**2 * (a0 + 1))
    assert np.allclose(samples.var(axis=0), var, rtol=0.06)
    assert np.array_equal(add_dirichlet_noise(priors, alpha, 0.0, rng), priors)


def test_dirichlet_alpha_scales_with_legal_moves() -> None:
    assert dirichlet_alpha_for(362, None) == pytest.approx(10 / 362)
    assert dirichlet_alpha_for(50, 0.03) == 0.03


def test_temperature_sampling_statistics() -> None:
    """With temperature 1 moves are drawn in proportion to visits; after the opening, argmax."""
    rng = np.random.default_rng(1)
    visits = np.array([10, 30, 60, 0])
    priors = np.full(4, 0.25)
    lcb = np.zeros(4)
    config = SearchConfig(temperature=1.0, temperature_moves=30)
    draws = np.bincount(
        [choose_move(visits, priors, lcb, config, 0, rng) for _ in range(10000)], minlength=4
    )
    assert np.allclose(draws / 10000, visits / 100, atol=0.015)
    assert draws[3] == 0
    assert {choose_move(visits, priors, lcb, config, 30, rng) for _ in range(50)} == {2}


def test_argmax_breaks_ties_by_prior_and_lcb_choice() -> None:
    rng = np.random.default_rng(0)
    config = SearchConfig(temperature_moves=0)
    visits = np.array([5, 5, 1])
    assert choose_move(visits, np.array([0.2, 0.7, 0.1]), np.zeros(3), config, 0, rng) == 1
    lcb_config = SearchConfig(temperature_moves=0, use_lcb=True, lcb_min_visit_fraction=0.5)
    visits = np.array([100, 90, 10])
    lcb = np.array([0.1, 0.3, 0.9])  # move 2 is not visited enough to count
    assert choose_move(visits, np.ones(3), lcb, lcb_config, 0, rng) == 1


def test_lower_confidence_bound_shrinks_with_visits() -> None:
    q = np.array([0.5, 0.5, 0.0])
    n = np.array([4, 400, 0])
    sq = q**2 * n + 0.1 * n  # variance 0.1 around the mean
    lcb = lower_confidence_bound(q, sq, n, 1.96)
    assert lcb[0] < lcb[1] < 0.5
    assert lcb[2] == -np.inf
