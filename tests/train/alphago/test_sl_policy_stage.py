"""AlphaGo's SL policy stage: planes rebuilt from shards match the encoder, training learns,
writes a loadable PolicyNet, resumes after a kill, skips a finished stage, rejects bad input."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from igo.data.records import ImportConfig, game_positions, import_records
from igo.encode.alphago import encode_alphago
from igo.go.coords import Color
from igo.go.result import GameResult
from igo.go.state import GameState
from igo.io.sgf import record_from_state, save_sgf
from igo.nn.checkpoint import load_checkpoint, read_config
from igo.nn.net import PolicyNet
from igo.train.alphago import supervised_loop
from igo.train.alphago.sl_policy_stage import SlConfig, train_sl_policy
from igo.train.alphago.supervised_data import Symmetries, planes_from_examples
from igo.train.trainer import Trainer, TrainingDiverged, save_trainer

SIZE = 5
# One torch thread: tiny nets gain nothing from more, and a busy machine loses a lot.
TINY = SlConfig(blocks=2, channels=8, steps=20, batch_size=32, checkpoint_every=10, torch_threads=1)


def random_game(size: int, seed: int, moves: int, pass_rate: float = 0.05) -> GameState:
    """Random moves that fill no own eye, with an occasional pass (never two in a row)."""
    rng = np.random.default_rng(seed)
    state = GameState.new(size)
    while len(state.moves) < moves and not state.is_over():
        options = [
            int(p)
            for p in np.flatnonzero(state.legal_mask()[:-1])
            if not state.is_eye(int(p), state.to_play)
        ]
        last_passed = bool(state.moves) and state.moves[-1][1] == state.num_points
        if not options or (rng.random() < pass_rate and not last_passed):
            state.play(state.num_points)
        else:
            state.play(options[int(rng.integers(len(options)))])
    return state


def replayed_planes(state: GameState, value_plane: bool) -> np.ndarray:
    """encode_alphago of the position before each move of ``state``'s game."""
    replay = GameState.new(state.size)
    planes = []
    for _, point in state.moves:
        planes.append(encode_alphago(replay, value_plane))
        replay.play(point)
    return np.stack(planes)


@pytest.mark.parametrize("value_plane", [False, True])
def test_planes_from_examples_equal_the_encoder(value_plane: bool) -> None:
    for seed in range(8):  # with captures, passes and two ko points
        state = random_game(SIZE, seed, 60)
        arrays = game_positions(record_from_state(state, GameResult(Color.BLACK, "resign")))
        got = planes_from_examples(arrays, value_plane)
        want = replayed_planes(state, value_plane)
        assert got.dtype == np.uint8 and got.shape == want.shape
        assert got.shape[1] == (49 if value_plane else 48)
        np.testing.assert_array_equal(got, want.astype(np.uint8))


def test_symmetries_turn_planes_and_moves_together() -> None:
    state = random_game(SIZE, 7, 12)
    arrays = game_positions(record_from_state(state))
    planes = planes_from_examples(arrays, value_plane=False)
    moves = arrays["move"].astype(np.int64)
    turned, turned_moves = Symmetries.of(SIZE).apply(planes, moves, np.random.default_rng(0))
    assert turned_moves is not None
    for i, move in enumerate(moves):
        # The move's point was empty (plane 2) before it; it still is where the move went.
        if move < SIZE * SIZE:
            assert turned[i, 2].ravel()[turned_moves[i]] == 1
        else:
            assert turned_moves[i] == move
        assert turned[i].sum() == planes[i].sum()


@pytest.fixture(scope="module", name="shards")
def shards_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sl")
    (root / "games").mkdir()
    for i in range(16):
        state = random_game(SIZE, 100 + i, 40)
        result = GameResult(Color.BLACK if i % 2 else Color.WHITE, "resign")
        save_sgf(record_from_state(state, result), root / "games" / f"{i:02d}.sgf")
    import_records([root / "games"], root / "shards", ImportConfig(heldout=0.25))
    return root / "shards"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_training_learns_and_writes_a_policy_net(shards: Path, tmp_path: Path) -> None:
    out = tmp_path / "sl.safetensors"
    config = replace(TINY, steps=150, checkpoint_every=50)
    report = train_sl_policy(shards, out, config, log_dir=tmp_path / "logs")
    assert report.steps == 150 and report.train_positions > 300 and report.heldout_positions > 0
    assert 0.0 <= report.top1 <= report.top5 <= 1.0 and np.isfinite(report.loss)
    losses = [float(r["loss"]) for r in _rows(tmp_path / "logs" / "train.csv")]
    # Occupied points are never played: the net learns that much at least.
    assert losses[-1] < losses[0] - 0.3
    assert report.loss < np.log(SIZE * SIZE + 1)
    net = load_checkpoint(out)
    assert isinstance(net, PolicyNet)
    assert net.config.in_planes == 48 and net.config.board_size == SIZE
    assert read_config(out).blocks == 2
    saved = json.loads(out.with_suffix(".report.json").read_text())
    assert saved == pytest.approx(report.to_dict())
    extra = json.loads(out.with_suffix(".json").read_text())["extra"]
    assert extra["report"]["steps"] == 150 and extra["stage"] == "sl_policy"
    assert not out.with_suffix(".trainer.pt").exists()
    assert _rows(tmp_path / "logs" / "heldout.csv")[-1]["step"] == "150"


def test_a_finished_stage_is_skipped(
    shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "sl.safetensors"
    report = train_sl_policy(shards, out, TINY)

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("a finished stage must not train again")

    monkeypatch.setattr("igo.train.alphago.sl_policy_stage.run_training", fail)
    assert train_sl_policy(shards, out, TINY) == report


class Killed(Exception):
    """Stands for a kill right after the first trainer checkpoint."""


def test_a_killed_run_resumes_where_it_stopped(
    shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = train_sl_policy(shards, tmp_path / "whole.safetensors", TINY)
    out, logs = tmp_path / "cut.safetensors", tmp_path / "logs"

    def save_then_die(path: Path, trainer: Trainer) -> None:
        save_trainer(path, trainer)
        raise Killed

    monkeypatch.setattr(supervised_loop, "save_trainer", save_then_die)
    with pytest.raises(Killed):
        train_sl_policy(shards, out, TINY, log_dir=logs)
    assert out.with_suffix(".trainer.pt").exists() and not out.exists()
    monkeypatch.setattr(supervised_loop, "save_trainer", save_trainer)
    resumed = train_sl_policy(shards, out, TINY, log_dir=logs)
    assert resumed.steps == 20 and resumed.top1 == pytest.approx(whole.top1)
    assert [r["step"] for r in _rows(logs / "train.csv")] == ["10", "20"]
    a = load_checkpoint(tmp_path / "whole.safetensors").state_dict()
    b = load_checkpoint(out).state_dict()
    for key, value in a.items():
        torch.testing.assert_close(b[key], value, rtol=1e-5, atol=1e-6)


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such folder"):
        train_sl_policy(tmp_path / "missing", tmp_path / "a.safetensors", TINY)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no training examples of kind 'sl'"):
        train_sl_policy(tmp_path / "empty", tmp_path / "a.safetensors", TINY)
    with pytest.raises(ValueError, match="steps"):
        SlConfig(steps=0)
    with pytest.raises(ValueError, match="optimizer"):
        SlConfig(optimizer="rmsprop")


def test_a_non_finite_loss_stops_training(
    shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def nan_loss(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = net(x).sum() * float("nan")
        return out

    monkeypatch.setattr("igo.train.alphago.sl_policy_stage.cross_entropy", nan_loss)
    with pytest.raises(TrainingDiverged, match="diverged at step 1"):
        train_sl_policy(shards, tmp_path / "sl.safetensors", TINY)
