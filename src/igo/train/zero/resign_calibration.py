"""A Zero run's resignation threshold, from its replay manifests (``igo.selfplay.resign``).

Each generation the playing network first plays out the calibration games it still lacks, with
resignation disabled; the threshold then comes from its own played-out games only (no drift from
older, less confident nets) by the conformal rule of ``calibrate_threshold``. The generation's
other played-out games (``resign_disabled_fraction`` of the rest, as in the paper) were never
used to set the threshold they are checked against: their false-resignation rate is an honest
measure.
"""

from __future__ import annotations

from collections.abc import Sequence

from igo.data.replay_buffer import GameEntry
from igo.selfplay.resign import calibrate_threshold, false_resign_rate, games_needed
from igo.selfplay.selfplay_config import SelfPlayConfig


def _played_out(entry: GameEntry) -> bool:
    extra = entry.info.extra
    return extra.get("resign_allowed") == "0" and extra.get("winner", "0") != "0"


def played_out_values(entries: Sequence[GameEntry], network: int, max_games: int) -> list[float]:
    """The winners' lowest root values in the newest ``max_games`` played-out games (with a
    winner) that ``network`` played, oldest first."""
    values = [
        float(e.info.extra["winner_min_value"])
        for e in entries
        if _played_out(e) and e.info.extra.get("network") == str(network)
    ]
    return values[-max_games:]


def calibration_games_missing(
    entries: Sequence[GameEntry], network: int, config: SelfPlayConfig
) -> int:
    """How many more played-out games ``network`` must play before it may resign (at least
    ``resign_min_games`` and what the target needs: 19 at 5%)."""
    needed = max(config.resign_min_games, games_needed(config.false_resign_target))
    have = len(played_out_values(entries, network, config.resign_calibration_games))
    return max(0, needed - have)


def resign_threshold(entries: Sequence[GameEntry], network: int, config: SelfPlayConfig) -> float:
    """The threshold ``network`` plays with: calibrated on its own played-out games, else
    ``config.resign_threshold`` (-1: no resignation)."""
    values = played_out_values(entries, network, config.resign_calibration_games)
    if len(values) < config.resign_min_games:
        return config.resign_threshold
    found = calibrate_threshold(values, config.false_resign_target, config.resign_max_threshold)
    return config.resign_threshold if found is None else found


def measured_false_rate(
    entries: Sequence[GameEntry], generation: int, threshold: float
) -> tuple[float, int]:
    """The false-resignation rate at ``threshold`` over ``generation``'s played-out games that
    did not calibrate it, and their number."""
    values = [
        float(e.info.extra["winner_min_value"])
        for e in entries
        if e.generation == generation and _played_out(e) and e.info.extra.get("calibration") != "1"
    ]
    return false_resign_rate(values, threshold), len(values)


def calibration_count(entries: Sequence[GameEntry], generation: int) -> int:
    """Calibration games played in ``generation``."""
    return sum(
        1 for e in entries if e.generation == generation and e.info.extra.get("calibration") == "1"
    )


__all__ = [
    "calibration_count",
    "calibration_games_missing",
    "measured_false_rate",
    "played_out_values",
    "resign_threshold",
]
