"""Resignation threshold calibration (AlphaGo Zero: false positives under 5%)."""

from __future__ import annotations

import numpy as np
import pytest

from igo.selfplay.resign import calibrate_threshold, false_resign_rate, newest_played_out


def test_false_resign_rate() -> None:
    assert false_resign_rate([], -0.9) == 0.0
    assert false_resign_rate([-0.95, -0.5, 0.2, -0.91], -0.9) == 0.5


def test_threshold_keeps_false_resignations_under_target() -> None:
    rng = np.random.default_rng(0)
    lows = rng.uniform(-1, 0.5, size=400)
    threshold = calibrate_threshold(lows, 0.05, max_threshold=0.0)
    assert threshold is not None
    assert false_resign_rate(lows, threshold) <= 0.05
    # The highest such threshold: one more game below it would break the target.
    above = np.sort(lows)[np.sort(lows) > threshold]
    assert false_resign_rate(lows, float(above[0]) + 1e-9) > 0.05


def test_threshold_is_capped_and_needs_games() -> None:
    assert calibrate_threshold([0.3] * 50, 0.05, max_threshold=-0.5) == -0.5
    assert calibrate_threshold([-0.99, -0.2], 0.05, max_threshold=0.0, min_games=10) is None
    assert calibrate_threshold([], 0.05, max_threshold=0.0) is None


@pytest.mark.parametrize("target", [0.0, 0.1])
def test_small_samples(target: float) -> None:
    lows = [-0.95, -0.8, -0.7, -0.6, -0.5, -0.4, -0.3, -0.2, -0.1, 0.0]
    threshold = calibrate_threshold(lows, target, max_threshold=0.0)
    # target 0: nobody may resign falsely, so the lowest value; 0.1 of 10: one game may.
    assert threshold == (-0.95 if target == 0.0 else -0.8)


def test_newest_played_out_takes_whole_newest_generations() -> None:
    by_generation = {0: [0.0, 0.0, 0.0], 1: [-0.2, -0.3], 2: [-0.9]}
    assert newest_played_out(by_generation, min_games=1, max_games=10) == [-0.9]
    assert newest_played_out(by_generation, min_games=2, max_games=10) == [-0.2, -0.3, -0.9]
    assert newest_played_out(by_generation, min_games=9, max_games=4) == [0.0, -0.2, -0.3, -0.9]
    assert newest_played_out({}, min_games=1, max_games=5) == []
