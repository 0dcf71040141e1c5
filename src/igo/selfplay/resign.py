"""Resignation threshold calibration, as AlphaGo Zero did it, made unbiased for small samples.

Silver et al. 2017, Methods "Self-play": a player resigns when its value falls below
``v_resign``; "v_resign is selected automatically to keep the fraction of false positives below
5%. To measure false positives, we disable resignation in 10% of self-play games and play until
termination." A played-out game is a false positive at threshold v when its *winner* saw a value
below v at one of its own moves: with resignation on, the winner would have resigned a won game.

Two things make the paper's recipe fail on a small run (the 9x9 run resigned falsely in 44% and
36% of generations 2 and 3):

* **Drift.** Each generation's net has more extreme values than the last, so a threshold taken
  from an older net's games is too high for the new one. The threshold must come from games of
  the network that will use it (``igo.train.zero.loop`` plays them first in a generation).
* **Sample size.** From n played-out games, a new game's lowest winner value falls below the k-th
  smallest of the n with probability k / (n + 1) (the n + 1 values are exchangeable: split
  conformal prediction, Vovk et al. 2005). So the threshold is the k-th smallest with
  ``k = floor(target * (n + 1))``; with fewer than ``1 / target - 1`` games (19 at 5%) no
  threshold keeps the expected rate under target and none is returned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def false_resign_rate(winner_min_values: Sequence[float], threshold: float) -> float:
    """Share of played-out games whose winner would have resigned at ``threshold`` (0 if none)."""
    values = np.asarray(winner_min_values, dtype=np.float64)
    if values.size == 0:
        return 0.0
    return float(np.mean(values < threshold))


def games_needed(target: float) -> int:
    """The fewest played-out games from which ``calibrate_threshold`` returns a threshold."""
    if target <= 0:
        return 2**31  # never: only a threshold below every value is risk-free
    return max(1, math.ceil(1.0 / target - 1.0 - 1e-9))


def calibrate_threshold(
    winner_min_values: Sequence[float], target: float, max_threshold: float
) -> float | None:
    """The threshold whose expected false-resignation rate on new games is at most ``target``.

    Args:
        winner_min_values: for each played-out game with a winner, the lowest root value the
            winner saw, all played by the network that will use the threshold.
        target: the largest allowed expected share of false resignations (0.05 in the paper).
        max_threshold: the threshold returned is never above this.

    Returns:
        The k-th smallest value with ``k = floor(target * (n + 1))`` (a game resigns strictly
        below it), capped at ``max_threshold``; None when k is 0 (too few games).
    """
    values = np.sort(np.asarray(winner_min_values, dtype=np.float64))
    values = values[np.isfinite(values)]
    k = int(math.floor(target * (values.size + 1) + 1e-9))
    if k < 1:
        return None
    threshold = float(values[k - 1]) if k <= values.size else max_threshold
    return float(min(max(threshold, -1.0), max_threshold))
