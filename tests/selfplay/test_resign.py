"""Resignation threshold calibration: false positives under 5% on games it never saw."""

from __future__ import annotations

import numpy as np
import pytest

from igo.selfplay.resign import calibrate_threshold, false_resign_rate, games_needed


def test_false_resign_rate() -> None:
    assert false_resign_rate([], -0.9) == 0.0
    assert false_resign_rate([-0.95, -0.5, 0.2, -0.91], -0.9) == 0.5


@pytest.mark.parametrize(("target", "needed"), [(0.05, 19), (0.1, 9), (0.5, 1), (0.0, 2**31)])
def test_games_needed(target: float, needed: int) -> None:
    assert games_needed(target) == needed


def test_threshold_is_the_kth_smallest() -> None:
    lows = [-0.1 * i for i in range(40)]  # 0.0 down to -3.9 (clipped to -1 when returned)
    # n = 40: k = floor(0.05 * 41) = 2, the second smallest (-3.8), clipped to -1.
    assert calibrate_threshold(lows, 0.05, max_threshold=0.0) == -1.0
    lows = [-0.9, -0.8, -0.7, *([-0.1] * 36)]  # n = 39: k = 2
    assert calibrate_threshold(lows, 0.05, max_threshold=0.0) == -0.8
    assert false_resign_rate(lows, -0.8) == pytest.approx(1 / 39)


def test_threshold_is_capped_and_needs_games() -> None:
    assert calibrate_threshold([0.3] * 50, 0.05, max_threshold=-0.5) == -0.5
    assert calibrate_threshold([-0.99] * 18, 0.05, max_threshold=0.0) is None
    assert calibrate_threshold([-0.99] * 19, 0.05, max_threshold=0.0) == -0.99
    assert calibrate_threshold([], 0.05, max_threshold=0.0) is None
    assert calibrate_threshold([float("inf")] * 30, 0.05, max_threshold=0.0) is None


@pytest.mark.parametrize("n", [19, 20, 40, 200])
def test_expected_false_rate_on_new_games_is_under_target(n: int) -> None:
    # Calibrate on n games, check on fresh games from the same net: the rate on games the
    # threshold never saw stays under the target (k / (n + 1) <= 5%), whatever the distribution.
    rng = np.random.default_rng(n)
    rates = []
    for _ in range(400):
        calibration = -rng.beta(2, 5, size=n)
        threshold = calibrate_threshold(calibration, 0.05, max_threshold=0.0)
        assert threshold is not None
        rates.append(false_resign_rate(-rng.beta(2, 5, size=200), threshold))
    assert np.mean(rates) <= 0.05 + 0.005  # 400 draws: standard error about 0.002
