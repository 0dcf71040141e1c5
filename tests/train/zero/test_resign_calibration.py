"""A Zero run's resignation threshold: calibration games first, from the playing net only."""

from __future__ import annotations

from pathlib import Path

from igo.data.replay_buffer import GameEntry, list_games
from igo.data.shards import ShardInfo
from igo.run_dir import ZeroRunDir
from igo.selfplay.resign import calibrate_threshold
from igo.selfplay.selfplay_config import SelfPlayConfig
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS
from igo.train.zero.loop_state import load_state
from igo.train.zero.resign_calibration import (
    calibration_count,
    calibration_games_missing,
    measured_false_rate,
    played_out_values,
    resign_threshold,
)


def entry(generation: int, network: int, low: float, *, allowed: bool = False, cal: bool = False):
    extra = {
        "network": str(network),
        "winner": "1",
        "resign_allowed": str(int(allowed)),
        "calibration": str(int(cal)),
        "winner_min_value": repr(low),
    }
    return GameEntry(generation, ShardInfo(f"g{generation}-{low}", "zero_game", 1, "", extra=extra))


CONFIG = SelfPlayConfig(false_resign_target=0.25, resign_min_games=2, resign_max_threshold=0.0)


def test_only_the_playing_networks_played_out_games_count() -> None:
    entries = [
        entry(0, 0, -0.1),  # an older net's game: ignored for net 1
        entry(1, 1, -0.6, cal=True),
        entry(1, 1, -0.9, allowed=True),  # resignation was on: not a played-out game
        entry(1, 1, -0.4),
    ]
    assert played_out_values(entries, 1, max_games=10) == [-0.6, -0.4]
    assert played_out_values(entries, 1, max_games=1) == [-0.4]
    # 0.25 needs 3 games (k = floor(0.25 * 4) = 1): one more for net 1, three for net 2.
    assert calibration_games_missing(entries, 1, CONFIG) == 1
    assert calibration_games_missing(entries, 2, CONFIG) == 3


def test_threshold_falls_back_until_calibrated() -> None:
    two = [entry(1, 1, -0.6), entry(1, 1, -0.4)]
    assert resign_threshold(two, 1, CONFIG) == CONFIG.resign_threshold == -1.0
    three = [*two, entry(1, 1, -0.5)]
    assert resign_threshold(three, 1, CONFIG) == -0.6


def test_false_rate_is_measured_on_games_that_did_not_calibrate() -> None:
    entries = [
        entry(3, 3, -0.95, cal=True),
        entry(3, 3, -0.7),
        entry(3, 3, -0.2),
        entry(3, 3, -0.9, allowed=True),
    ]
    assert measured_false_rate(entries, 3, -0.8) == (0.0, 2)
    assert measured_false_rate(entries, 3, -0.5) == (0.5, 2)
    assert calibration_count(entries, 3) == 1


def test_a_generation_plays_its_calibration_games_first(tmp_path: Path) -> None:
    overrides = {
        "run_dir": str(tmp_path / "run"),
        "generations": 1,
        "selfplay.games_per_generation": 10,
        "selfplay.parallel_games": 4,
        "selfplay.search.num_simulations": 8,
        "selfplay.false_resign_target": 0.25,
        "selfplay.resign_min_games": 1,
        "selfplay.resign_max_threshold": 0.9,
        "train.steps_per_generation": 4,
        "gate.mode": "none",
    }
    config = ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), overrides)
    run_zero(config, progress=False)
    entries = sorted(list_games(ZeroRunDir(config.run_dir).replay), key=lambda e: e.info.name)
    extras = [e.info.extra for e in entries]
    assert [x["calibration"] for x in extras] == ["1"] * 3 + ["0"] * 7
    assert all(x["resign_allowed"] == "0" for x in extras[:3])
    state = load_state(ZeroRunDir(config.run_dir).state_path)
    assert state is not None
    lows = [float(x["winner_min_value"]) for x in extras[:3]]
    assert all(x["winner"] != "0" for x in extras)  # komi 0.5: no draws
    assert state.resign_threshold == calibrate_threshold(lows, 0.25, 0.9)
    assert all(float(x["resign_threshold"]) == state.resign_threshold for x in extras[3:])
