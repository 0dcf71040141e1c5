"""The learning-curve evaluator of ``igo zero --curve`` on a fake two-generation 5x5 run."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from igo.cli.main import main
from igo.extras import figure_class
from igo.nn.checkpoint import save_checkpoint
from igo.nn.registry import create_net
from igo.run_dir import ZeroRunDir
from igo.train.zero.learning_curve import (
    CurveConfig,
    CurvePoint,
    _plot,
    chosen_generations,
    curve_files,
    curve_points,
    opponent_label,
    play_curve_games,
    run_komi,
    run_sizes,
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
    out = write_curve(run, points, config)
    text = out.read_text()
    assert "| 1 | 10 | 0.50 | - |" in text  # no CPU hours logged by this run
    assert "komi 0.5" in text and "Elo (rnd = 0)" in text and "score vs rnd" in text
    assert "GNU Go" not in text
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


def _mixed_run(root: Path) -> ZeroRunDir:
    run = ZeroRunDir(root)
    run.create()
    for generation in (0, 1):
        net = create_net("resnet_b6c64", board_size=5, heads="pooled", blocks=1, channels=8)
        save_checkpoint(net, run.model_path(generation))
    mix = [[5, 1.0], [7, 1.0, 5.5]]  # 5x5 at the run's komi (an old two-element entry)
    selfplay = {"board_size": 5, "board_sizes": mix, "komi": 6.5}
    run.config_path.write_text(json.dumps({"config": {"selfplay": selfplay}}))
    save_state(run.state_path, ZeroState(generation=1))
    return run


def test_a_mixed_run_is_rated_at_a_size_of_its_mix_in_its_own_files(tmp_path: Path) -> None:
    run = _mixed_run(tmp_path / "run")
    assert run_sizes(run) == (5, 7)
    assert curve_files(run).db == run.curve_db  # the main size keeps the files it had
    files = curve_files(run, 7)
    assert files.db.name == "curve-7x7.sqlite" and files.plot.name == "curve-7x7.png"
    with pytest.raises(ValueError, match="plays 5x5, 7x7, not 9x9"):
        curve_files(run, 9)
    config = CurveConfig(games=1, visits=2, opponent="igo:player=random,name=rnd", size=7)
    db = play_curve_games(run, config)
    assert db == files.db and not run.curve_db.exists()
    from igo.eval.store import ArenaStore

    with ArenaStore(db) as store:
        assert {g.size for g in store.games()} == {7} and len(store.games()) == 3
    with sqlite3.connect(db) as connection:  # each size at its own komi
        assert connection.execute("SELECT DISTINCT komi FROM games").fetchall() == [(5.5,)]
    assert (run_komi(run, 5), run_komi(run, 7)) == (6.5, 5.5)
    out = write_curve(run, curve_points(run, db, config), config)
    assert out == files.table and "| 1 |" in out.read_text() and files.plot.exists()
    assert out.read_text().startswith("7x7, komi 5.5, chinese rules")


def test_table_and_plot_name_the_real_opponent(tmp_path: Path) -> None:
    assert opponent_label("gnugo:level=1") == "GNU Go level 1"
    assert opponent_label("gnugo") == "GNU Go level 10"
    assert opponent_label("igo:player=mcts,visits=8,name=mcts-v8") == "mcts-v8"
    run = _fake_run(tmp_path / "run")
    points = [CurvePoint(0, 0, 0.0, -50.0, 80.0, 0.0, 0.25, 0.0)]
    config = CurveConfig(opponent="igo:player=mcts,visits=8,name=mcts-v8", komi=7.0)
    text = write_curve(run, points, config).read_text()
    assert "Elo (mcts-v8 = 0)" in text and "score vs mcts-v8" in text and "GNU Go" not in text
    assert "| 0 | 0 | 0.00 | 0.00 | -50 |" in text
    fig = figure_class("test")(figsize=(10, 4))
    _plot(fig, points, curve_files(run), "mcts-v8 = 0", 7.0)
    assert fig.axes[0].get_ylabel() == "Elo (mcts-v8 = 0)"
    assert "komi 7" in fig._suptitle.get_text()
    default = write_curve(run, points).read_text()  # the default opponent, the run's komi
    assert "Elo (GNU Go level 10 = 0)" in default and "5x5, komi 7.5" in default


def test_curve_size_flag_refuses_a_bad_size_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _mixed_run(tmp_path / "run")
    for choice, message in (("9", "plays 5x5, 7x7, not 9x9"), ("big", "board size or 'all'")):
        argv = ["zero", "--preset", "tiny", "--run-dir", str(run.root), "--curve"]
        assert main([*argv, "--curve-size", choice]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_curve_komi_flag_sets_the_games_komi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _fake_run(tmp_path / "run")
    argv = ["zero", "--preset", "tiny", "--run-dir", str(run.root), "--curve"]
    flags = ["--curve-games", "1", "--curve-visits", "2", "--curve-every", "2"]
    opponent = ["--curve-opponent", "igo:player=random,name=rnd"]
    assert main([*argv, *flags, *opponent, "--curve-komi", "5.5"]) == 0
    with sqlite3.connect(run.curve_db) as connection:
        assert connection.execute("SELECT DISTINCT komi FROM games").fetchall() == [(5.5,)]
    assert "komi 5.5" in capsys.readouterr().out
