"""The learning-curve evaluator of ``igo zero --curve`` on a fake two-generation 5x5 run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from igo.cli.main import main
from igo.nn.checkpoint import save_checkpoint
from igo.nn.registry import create_net
from igo.run_dir import ZeroRunDir
from igo.train.zero.learning_curve import (
    CurveConfig,
    chosen_generations,
    curve_points,
    play_curve_games,
    write_curve,
)
from igo.train.zero.loop_state import ZeroState, save_state


def _fake_run(root: Path) -> ZeroRunDir:
    run = ZeroRunDir(root)
    run.create()
    for generation in (0, 1):
        net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=8, value_hidden=8)
        save_checkpoint(net, run.model_path(generation))
    config = {"config": {"selfplay": {"board_size": 5}}}
    run.config_path.write_text(json.dumps(config))
    history = [{"generation": 0, "selfplay.games": 10, "selfplay.positions": 300.0}]
    history[0]["selfplay.positions_per_hour"] = 600.0
    save_state(run.state_path, ZeroState(generation=1, history=history))
    return run


def test_chosen_generations_keep_first_and_last() -> None:
    assert chosen_generations([0, 1, 2, 3, 4, 5], 2) == [0, 2, 4, 5]
    assert chosen_generations([], 3) == []


def test_curve_plays_each_pairing_once_and_resumes(tmp_path: Path) -> None:
    run = _fake_run(tmp_path / "run")
    config = CurveConfig(games=1, visits=2, opponent="igo:player=random,name=rnd", komi=0.5)
    db = play_curve_games(run, config)
    db_again = play_curve_games(run, config)  # nothing left to play
    assert db == db_again
    points = curve_points(run, db, config)
    assert [p.generation for p in points] == [0, 1]
    assert points[0].elo_vs_first == 0.0
    assert (points[1].games, points[1].hours) == (10, pytest.approx(0.5))
    out = write_curve(run, points)
    assert "| 1 | 10 | 0.50 |" in out.read_text()
    assert out.with_suffix(".png").stat().st_size > 0
    from igo.eval.store import ArenaStore

    with ArenaStore(db) as store:
        assert len(store.games()) == 3  # gen0-rnd, gen1-rnd, gen1-gen0


def test_curve_cli_without_models_is_one_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["zero", "--preset", "tiny", "--run-dir", str(tmp_path / "none"), "--curve"])
    assert code == 2
    assert "no saved generations" in capsys.readouterr().err
