"""Resignation threshold calibration, as AlphaGo Zero did it.

Silver et al. 2017, Methods "Self-play": a player resigns when its value falls below
``v_resign``; "v_resign is selected automatically to keep the fraction of false positives below
5%. To measure false positives, we disable resignation in 10% of self-play games and play until
termination." A played-out game is a false positive at threshold v when its *winner* saw a value
below v at one of its own moves: with resignation on, the winner would have resigned a won game.
So from the lowest value each winner saw, ``m_g``, the largest v with at most 5% of the ``m_g``
below it is the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def false_resign_rate(winner_min_values: Sequence[float], threshold: float) -> float:
    """Share of played-out games whose winner would have resigned at ``threshold`` (0 if none)."""
    values = np.asarray(winner_min_values, dtype=np.float64)
    if values.size == 0:
        return 0.0
    return float(np.mean(values < threshold))


def calibrate_threshold(
    winner_min_values: Sequence[float],
    target: float,
    max_threshold: float,
    min_games: int = 1,
) -> float | None:
    """The highest threshold whose false-resignation rate is at most ``target``.

    Args:
        winner_min_values: for each played-out game with a winner, the lowest root value the
            winner saw (games without a winner are left out by the caller).
        target: the largest allowed share of false resignations (0.05 in the paper).
        max_threshold: the threshold returned is never above this.
        min_games: fewer games than this give None (keep the current threshold).

    Returns:
        The threshold, in [-1, max_threshold], or None.
    """
    values = np.sort(np.asarray(winner_min_values, dtype=np.float64))
    values = values[np.isfinite(values)] if values.size else values
    if values.size < max(1, min_games):
        return None
    # With threshold v = values[k], exactly the values strictly below it resign falsely; k is the
    # largest count allowed, so the rate is at most target (ties only lower it).
    allowed = int(math.floor(target * values.size + 1e-9))
    threshold = float(values[allowed]) if allowed < values.size else max_threshold
    return float(min(max(threshold, -1.0), max_threshold))


def newest_played_out(
    by_generation: Mapping[int, Sequence[float]], min_games: int, max_games: int
) -> list[float]:
    """The winners' lowest values of the newest generations' played-out games: whole
    generations, newest first, until there are ``min_games``; at most the ``max_games`` newest.

    The threshold is compared with the newest net's values; an older net's are usually less
    extreme, so mixing many generations sets the threshold too high.
    """
    chosen: list[float] = []
    for generation in sorted(by_generation, reverse=True):
        chosen = [*by_generation[generation], *chosen]
        if len(chosen) >= min_games:
            break
    return chosen[-max_games:]
