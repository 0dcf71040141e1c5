"""The AlphaGo pipeline: presets, the evaluation's entrants, stage skipping and refusals, and the
tiny preset end to end (7x7, GNU Go level 1) feeding a Lee-mode search and the ``alphago``
player."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from igo.agents import create_player
from igo.agents.gtp import GoEngine
from igo.agents.gtp.conformance import GtpSession
from igo.agents.mcts_player import mcts_player
from igo.go.coords import from_gtp
from igo.go.state import GameState
from igo.io.gtp_client import find_program
from igo.run_dir import STAGE_OUTPUTS, AlphaGoRunDir, RunDirInUse
from igo.search.rollout.policy import RolloutPolicy
from igo.train.alphago.evaluate_stage import entrants, pairings
from igo.train.alphago.pipeline import load_stages, run_alphago
from igo.train.alphago.pipeline_config import ALPHAGO_CONFIGS, STAGES, AlphaGoConfig, ConfigError
from igo.train.distributed import Ranks


def tiny(root: Path, **overrides: Any) -> AlphaGoConfig:
    return ALPHAGO_CONFIGS.with_overrides(
        ALPHAGO_CONFIGS.load_preset("tiny"), {"run_dir": str(root), **overrides}
    )


@pytest.mark.parametrize("name", ["tiny", "9x9"])
def test_presets_load_and_round_trip(name: str, tmp_path: Path) -> None:
    config = ALPHAGO_CONFIGS.load_preset(name)
    assert config.run_dir == f"runs/alphago-{name}"
    assert ALPHAGO_CONFIGS.from_dict(ALPHAGO_CONFIGS.to_dict(config)) == config
    path = tmp_path / "again.toml"
    path.write_text(ALPHAGO_CONFIGS.to_toml(config))
    assert ALPHAGO_CONFIGS.load_preset(str(path)) == config
    # komi, rules and seed are set once, at the top, for every stage that has them
    assert (config.rl.komi, config.value_data.rules, config.sl.seed) == (7.0, "chinese", 0)


def test_shared_keys_and_overrides() -> None:
    config = ALPHAGO_CONFIGS.with_overrides(
        ALPHAGO_CONFIGS.load_preset("tiny"), {"komi": 5.5, "seed": 3, "sl.steps": 7}
    )
    assert (config.rl.komi, config.value_data.komi, config.value.seed) == (5.5, 5.5, 3)
    assert config.sl.steps == 7
    with pytest.raises(ConfigError, match="rl.komi: set komi at the top level"):
        ALPHAGO_CONFIGS.from_dict({"rl": {"komi": 6.5}})
    with pytest.raises(ConfigError, match="unknown config key rl.komi"):
        ALPHAGO_CONFIGS.with_overrides(config, {"rl.komi": 6.5})
    with pytest.raises(ConfigError, match="evaluate.bogus"):
        ALPHAGO_CONFIGS.from_dict({"evaluate": {"bogus": 1}})
    with pytest.raises(ConfigError, match="lambdas must be in"):
        ALPHAGO_CONFIGS.with_overrides(config, {"evaluate.lambdas": [0.5, 2.0]})
    with pytest.raises(ConfigError, match="unknown preset"):
        ALPHAGO_CONFIGS.load_preset("nope")


def test_resume_may_change_only_where_and_the_evaluation() -> None:
    configs = ALPHAGO_CONFIGS
    preset = configs.load_preset("9x9")
    saved = configs.to_dict(preset)
    harmless = {"run_dir": "elsewhere", "sl.torch_threads": 1, "evaluate.games": 40}
    assert (
        configs.differences(saved, configs.to_dict(configs.with_overrides(preset, harmless))) == []
    )
    other = configs.to_dict(configs.with_overrides(preset, {"records.games": 10}))
    games = saved["records"]["games"]
    assert configs.differences(saved, other) == [f"records.games: now 10 (saved {games})"]


def test_entrants_and_pairings(tmp_path: Path) -> None:
    config = ALPHAGO_CONFIGS.with_overrides(
        ALPHAGO_CONFIGS.load_preset("9x9"), {"evaluate.neighbours": True}
    )
    players = entrants(config, AlphaGoRunDir(tmp_path))
    names = [p.name for p in players]
    assert names == [
        "rollout", "sl-policy", "rl-policy",
        "alphago-l0-v200", "alphago-l0.5-v200", "alphago-l1-v200", "alphago-l0.5-v800",
    ]  # fmt: skip
    main = players[-1].spec
    assert f"run_dir={tmp_path.resolve()}" in main and "visits=800" in main and "lambda=0.5" in main
    pairs = [(a.name, b.name) for a, b in pairings(config, players)]
    assert pairs[:7] == [(name, "gnugo-l10") for name in names]
    assert pairs[7:] == list(zip(names, names[1:], strict=False))
    alone = ALPHAGO_CONFIGS.with_overrides(
        config, {"evaluate.neighbours": False, "evaluate.lambdas": []}
    )
    assert [p.name for p in entrants(alone, AlphaGoRunDir(tmp_path))][-1] == "alphago-l0.5-v800"
    assert len(pairings(alone, entrants(alone, AlphaGoRunDir(tmp_path)))) == 4


def test_unknown_stage_and_missing_inputs_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown stage nope"):
        run_alphago(tiny(tmp_path), stages=["nope"], progress=False)
    with pytest.raises(ConfigError, match="stage sl needs the shards stage's output"):
        run_alphago(tiny(tmp_path), stages=["sl"], progress=False)


def test_under_torchrun_only_the_data_parallel_stages_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("igo.train.distributed.ranks", lambda: Ranks(0, 2, 0))
    with pytest.raises(ConfigError, match="under torchrun only the sl and value stages"):
        run_alphago(tiny(tmp_path), progress=False)
    assert not (tmp_path / "config.json").exists()


def test_a_run_dir_in_use_is_refused(tmp_path: Path) -> None:
    held = AlphaGoRunDir(tmp_path).hold("test")
    with held, pytest.raises(RunDirInUse, match="in use by another"):
        run_alphago(tiny(tmp_path), progress=False)


def test_missing_engine_is_refused_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("igo.eval.engines.find_program", lambda name: None)
    with pytest.raises(ConfigError, match="stage records: GNU Go is not installed"):
        run_alphago(tiny(tmp_path), progress=False)
    assert not (tmp_path / "records").exists() and not (tmp_path / "config.json").exists()


def test_a_recorded_stage_with_its_output_is_skipped(tmp_path: Path) -> None:
    config = tiny(tmp_path)
    RolloutPolicy("rollout", np.zeros(0, np.int64)).save(AlphaGoRunDir(tmp_path).rollout_policy)
    stages = {"rollout": {"seconds": 1.0, "report": {"marker": 1}}}
    (tmp_path / "stages.json").write_text(json.dumps({"stages": stages}))
    lines: list[str] = []
    done = run_alphago(config, stages=["rollout"], progress=False, log=lines.append)
    assert lines == ["igo alphago: rollout: done before, skipped"]
    assert done["rollout"]["report"] == {"marker": 1}
    with pytest.raises(ConfigError, match="sl.steps: now 3"):
        run_alphago(tiny(tmp_path, **{"sl.steps": 3}), stages=["rollout"], progress=False)


# ----- the tiny preset end to end (needs GNU Go) -----
@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> AlphaGoConfig:
    """The tiny preset run once into a temporary folder (its wall time is a benchmark, not a
    test: ``igo bench alphago``, docs/benchmarks.md)."""
    if find_program("gnugo") is None:
        pytest.skip("GNU Go is not installed")
    config = tiny(tmp_path_factory.mktemp("alphago") / "run")
    run_alphago(config, progress=False, log=lambda line: None)
    return config


@pytest.mark.gnugo
def test_tiny_run_end_to_end(tiny_run: AlphaGoConfig) -> None:
    config = tiny_run
    root = Path(config.run_dir)
    done = load_stages(AlphaGoRunDir(root))
    assert list(done) == list(STAGES) == list(STAGE_OUTPUTS)
    for stage in STAGES:
        assert all(path.exists() for path in AlphaGoRunDir(root).outputs(stage)), stage
    assert done["records"]["report"]["games"] == config.records.games
    assert done["sl"]["report"]["steps"] == config.sl.steps
    assert done["rl"]["report"]["iterations"] == config.rl.iterations
    assert done["value_data"]["report"]["positions"] > 0
    ratings = done["evaluate"]["report"]["ratings"]
    assert set(ratings) == {"gnugo-l1", "rollout", "sl-policy", "rl-policy", "alphago-l0.5-v16"}
    assert all(r["games"] >= config.evaluate.games for r in ratings.values())
    report = (root / "report.md").read_text()
    assert "| alphago-l0.5-v16 |" in report and "arena/report/ratings.png" in report
    saved = json.loads((root / "config.json").read_text())["config"]
    assert ALPHAGO_CONFIGS.from_dict(saved) == config
    assert list((root / "logs").iterdir())


@pytest.mark.gnugo
def test_tiny_run_nets_drive_a_lee_search(tiny_run: AlphaGoConfig) -> None:
    config = tiny_run
    run = AlphaGoRunDir(config.run_dir)
    player = mcts_player(
        visits=16,
        mode="lee",
        policy_checkpoint=str(run.sl_policy),
        value_checkpoint=str(run.value_net),
        rollout_checkpoint=str(run.rollout_policy),
        tree_policy=str(run.tree_policy),
        expand_threshold=2,
        seed=0,
    )
    state = GameState.new(config.board_size)
    player.reset(state)
    move = player.genmove(state, None)
    assert isinstance(move, int) and state.legal_mask()[move]


@pytest.mark.gnugo
def test_alphago_player_plays_the_tiny_run_over_gtp(tiny_run: AlphaGoConfig) -> None:
    config = tiny_run
    player = create_player("alphago", run_dir=config.run_dir, visits=8, seed=0)
    gtp = GtpSession(GoEngine(player, size=config.board_size))
    gtp.ok("play b D4")
    reply = gtp.ok("genmove w")
    state = GameState.new(config.board_size)
    state.play(from_gtp("D4", config.board_size))
    assert reply == "resign" or state.legal_mask()[from_gtp(reply, config.board_size)]


@pytest.mark.gnugo
def test_rerun_skips_every_stage(tiny_run: AlphaGoConfig) -> None:
    config = tiny_run
    run = AlphaGoRunDir(config.run_dir)
    outputs = [path for stage in STAGES for path in run.outputs(stage)]
    written = [path.stat().st_mtime_ns for path in outputs]
    lines: list[str] = []
    run_alphago(config, progress=False, log=lines.append)
    assert lines == [f"igo alphago: {stage}: done before, skipped" for stage in STAGES]
    assert [path.stat().st_mtime_ns for path in outputs] == written  # nothing was redone
    with pytest.raises(ConfigError, match="value.steps: now 99"):
        run_alphago(ALPHAGO_CONFIGS.with_overrides(config, {"value.steps": 99}), progress=False)
