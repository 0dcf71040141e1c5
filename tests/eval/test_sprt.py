"""SPRT: bounds, and error rates near alpha and beta on simulated matches (seeded)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from igo.eval.sprt import Sprt, logistic_score, parse_sprt


def _decisions(
    sprt: Sprt, true_elo: float, draw_rate: float, seed: int, reps: int = 400, max_games: int = 4000
) -> tuple[np.ndarray, np.ndarray]:
    """Each repetition's decision (+1 H1, -1 H0, 0 none) and its length, all at once."""
    rng = np.random.default_rng(seed)
    p_win = logistic_score(true_elo) - draw_rate / 2  # keeps the expected score
    u = rng.random((reps, max_games))
    wins = (u < p_win).cumsum(axis=1)
    draws = ((u >= p_win) & (u < p_win + draw_rate)).cumsum(axis=1)
    losses = np.arange(1, max_games + 1) - wins - draws
    llr = sprt.llr(wins, draws, losses)
    lower, upper = sprt.bounds
    first_up = np.where((llr >= upper).any(1), (llr >= upper).argmax(1), max_games)
    first_down = np.where((llr <= lower).any(1), (llr <= lower).argmax(1), max_games)
    decision = np.sign(first_down - first_up)
    return decision, np.minimum(first_up, first_down) + 1


@pytest.mark.parametrize(("elo1", "draw_rate", "max_games"), [(40.0, 0.0, 4000), (20.0, 0.3, 8000)])
def test_error_rates_are_near_alpha_and_beta(elo1: float, draw_rate: float, max_games: int) -> None:
    sprt = Sprt(0.0, elo1, alpha=0.05, beta=0.05)
    under_h0, _ = _decisions(sprt, sprt.elo0, draw_rate, 1, max_games=max_games)
    under_h1, length = _decisions(sprt, sprt.elo1, draw_rate, 2, max_games=max_games)
    assert (under_h0 != 0).all() and (under_h1 != 0).all()  # every test ended
    false_positive, false_negative = (under_h0 == 1).mean(), (under_h1 == -1).mean()
    # 400 repetitions estimate a 5% rate to about ±2.2% (2 standard errors); the GSPRT is an
    # approximation that gets exact as elo1 - elo0 shrinks, so the band is a little wider.
    assert 0.01 <= false_positive <= 0.09 and 0.01 <= false_negative <= 0.09
    assert 100 < length.mean() < max_games / 2


def test_a_clear_difference_is_decided_quickly() -> None:
    decision, length = _decisions(Sprt(0.0, 40.0), 300.0, 0.0, seed=3, reps=100)
    assert (decision == 1).all() and length.max() < 100


def test_bounds_decisions_and_parsing() -> None:
    sprt = parse_sprt("0,10", alpha=0.05, beta=0.1)
    lower, upper = sprt.bounds
    assert lower == pytest.approx(math.log(0.1 / 0.95)) and upper == pytest.approx(math.log(18.0))
    assert sprt.decide(0, 0, 0) == (pytest.approx(0.0, abs=1e-3), None)
    assert sprt.decide(2000, 0, 1000)[1] == "H1" and sprt.decide(1000, 0, 2000)[1] == "H0"
    for bad in ("10", "a,b", "10,0", "1,2,3"):
        with pytest.raises(ValueError):
            parse_sprt(bad)
    with pytest.raises(ValueError, match="alpha and beta"):
        Sprt(0, 10, alpha=0.0)
