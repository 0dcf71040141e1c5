"""AlphaGo's value stage: training on ``value`` shards writes a ValueNet that beats the mean,
the rollout baseline is measured with a rollout policy, and bad input is a clear error."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from igo.data.records import game_positions
from igo.data.shards import write_shard
from igo.go.state import GameState
from igo.io.sgf import record_from_state
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import ValueNet
from igo.search.rollout.patterns import NUM_FIXED
from igo.search.rollout.policy import RolloutPolicy
from igo.train.alphago.value_net_stage import ValueConfig, rollout_estimates, train_value_net

SIZE = 5
TINY = ValueConfig(
    blocks=2, channels=8, steps=120, batch_size=32, checkpoint_every=60, torch_threads=1
)


def _random_game(seed: int, moves: int) -> GameState:
    rng = np.random.default_rng(seed)
    state = GameState.new(SIZE)
    while len(state.moves) < moves and not state.is_over():
        options = [
            int(p)
            for p in np.flatnonzero(state.legal_mask()[:-1])
            if not state.is_eye(int(p), state.to_play)
        ]
        state.play(options[int(rng.integers(len(options)))] if options else state.num_points)
    return state


def _value_arrays(seed: int) -> dict[str, np.ndarray]:
    """The positions of a random game as value examples whose z is learnable: +1 exactly when
    black is to move (plane 48 says so)."""
    arrays = game_positions(record_from_state(_random_game(seed, 30)))
    arrays["move"] = np.full_like(arrays["move"], -1)
    arrays["result"] = np.where(arrays["to_play"] == 1, 1, -1).astype(np.int8)
    arrays["game"] = np.full(arrays["move"].shape[0], seed, dtype=np.int32)
    return arrays


@pytest.fixture(scope="module", name="data")
def data_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("value")
    for i in range(12):
        split = "heldout" if i % 4 == 0 else "train"
        write_shard(root, f"value-{i:02d}.npz", _value_arrays(i), kind="value", split=split)
    return root


@pytest.fixture(scope="module", name="policy")
def policy_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("policy") / "rollout.npz"
    RolloutPolicy("rollout", np.zeros(0, dtype=np.int64), np.zeros(NUM_FIXED)).save(path)
    return path


def test_training_writes_a_value_net_that_beats_the_mean(
    data: Path, policy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "value.safetensors"
    report = train_value_net(data, out, TINY, rollout_policy=policy, log_dir=tmp_path / "logs")
    assert report.steps == 120 and report.train_positions > 200 and report.heldout_positions > 50
    assert report.mean_mse == pytest.approx(1.0, abs=0.1)  # z is +1 and -1 about equally
    assert report.mse < 0.5 * report.mean_mse and report.train_mse < 0.5 * report.mean_mse
    assert report.rollout_mse is not None and 0.0 <= report.rollout_mse <= 4.0
    net = load_checkpoint(out)
    assert isinstance(net, ValueNet)
    assert net.config.in_planes == 49 and net.config.board_size == SIZE
    saved = json.loads(out.with_suffix(".report.json").read_text())
    assert saved == pytest.approx(report.to_dict())
    assert json.loads(out.with_suffix(".json").read_text())["extra"]["stage"] == "value_net"
    assert not out.with_suffix(".trainer.pt").exists()
    assert (tmp_path / "logs" / "heldout.csv").exists()
    assert train_value_net(data, out, TINY) == report  # finished: skipped


def test_without_a_rollout_policy_there_is_no_rollout_baseline(data: Path, tmp_path: Path) -> None:
    config = ValueConfig(blocks=1, channels=4, steps=5, batch_size=8, torch_threads=1)
    report = train_value_net(data, tmp_path / "v.safetensors", config)
    assert report.rollout_mse is None and report.to_dict()["rollout_mse"] is None


def test_rollouts_score_a_settled_position(policy: Path) -> None:
    """Black owns the board but two eyes: no sensible move is left, so every rollout passes
    twice and black wins by area (komi 7.5 against 23 points)."""
    state = GameState.from_ascii(
        """
        X X X X X
        X . X X X
        X X X X X
        X X X . X
        X X X X X
        """
    )
    stones = state.stones()
    arrays = {
        "stones": np.stack([stones, stones]),
        "to_play": np.array([1, 2], dtype=np.int8),
        "recent": np.full((2, 8), -1, dtype=np.int16),
        "ko": np.full(2, -1, dtype=np.int16),
        "komi": np.full(2, 7.5, dtype=np.float32),
    }
    np.testing.assert_array_equal(rollout_estimates(arrays, policy, 4), [1.0, -1.0])


def test_bad_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such folder"):
        train_value_net(tmp_path / "missing", tmp_path / "v.safetensors", TINY)
    write_shard(tmp_path / "sl", "a.npz", _value_arrays(0), kind="sl")
    with pytest.raises(ValueError, match="no training examples of kind 'value'"):
        train_value_net(tmp_path / "sl", tmp_path / "v.safetensors", TINY)
    with pytest.raises(ValueError, match="rollouts_per_position"):
        ValueConfig(rollouts_per_position=0)
