"""The compress tools on a mixed run's replay: a pooled net reads every size, grouped by size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from igo.compress.positions import load_positions, load_positions_by_size
from igo.compress.prune_zero import retrain_zero
from igo.nn.registry import create_net
from igo.selfplay.record import GameData, write_game
from igo.train.alphago.supervised_loop import StageConfig

HISTORY = 2


def _game(size: int, index: int, moves: int = 6) -> GameData:
    points = size * size
    stones = np.zeros((moves, points), np.int8)
    for t in range(1, moves):
        stones[t] = stones[t - 1]
        stones[t, (index + 3 * t) % points] = 1 if t % 2 else 2
    return GameData(
        stones=stones, to_play=(np.arange(moves) % 2 + 1).astype(np.int8),
        moves=np.zeros(moves, np.int16),
        policy=np.full((moves, points + 1), 1 / (points + 1), np.float32),
        full=np.ones(moves, bool), root_value=np.zeros(moves, np.float32),
        winner=1 + index % 2, result="B+1", resign_allowed=False, resign_threshold=-1.0, sgf="(;)",
    )  # fmt: skip


@pytest.fixture
def mixed_replay(tmp_path: Path) -> Path:
    """20 games of 6 positions, the even ones 5x5, the odd ones 7x7: numbered size by size, the
    10th of each size is held out."""
    for index in range(20):
        write_game(tmp_path / "gen-000000", index, _game(5 if index % 2 == 0 else 7, index))
    return tmp_path


def _net(heads: str = "pooled"):  # type: ignore[no-untyped-def]
    return create_net(
        "resnet_b6c64", board_size=5, in_planes=2 * HISTORY + 1, heads=heads, blocks=1, channels=8
    )


def test_a_pooled_net_reads_every_size_without_a_warning(
    mixed_replay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _net().config
    five = load_positions(mixed_replay, config, limit=1000, split="train")
    seven = load_positions(mixed_replay, config, limit=1000, split="train", size=7)
    assert five.planes.shape == (9 * 6, 5, 5, 5) and seven.planes.shape == (9 * 6, 5, 7, 7)
    assert (seven.moves <= 49).all()
    by_size = load_positions_by_size(mixed_replay, config, limit=60, split="train")
    assert set(by_size) == {5, 7} and sum(len(p) for p in by_size.values()) == 60
    assert by_size[7].planes.shape[-1] == 7 and len(by_size[5]) > 20 and len(by_size[7]) > 20
    held = load_positions_by_size(mixed_replay, config, limit=60, split="heldout")
    assert {n: len(p) for n, p in held.items()} == {5: 6, 7: 6}
    assert "skipping" not in capsys.readouterr().err
    fixed = _net("fixed").config
    with pytest.raises(ValueError, match="plays 5x5 only"):
        load_positions(mixed_replay, fixed, limit=10, size=7)
    assert len(load_positions(mixed_replay, fixed, limit=1000, split="train")) == 9 * 6


def test_retraining_a_pooled_net_draws_on_every_size(mixed_replay: Path, tmp_path: Path) -> None:
    config = StageConfig(steps=4, batch_size=8, checkpoint_every=4, torch_threads=1)
    report = retrain_zero(_net(), None, mixed_replay, tmp_path / "out.safetensors", config)
    assert report["steps"] == 4
    assert report["train_positions_by_size"] == {"5x5": 54, "7x7": 54}


def test_int8_of_a_pooled_net_calibrates_on_every_size(mixed_replay: Path) -> None:
    pytest.importorskip("onnxruntime")
    from igo.compress.int8 import Int8StaticConfig, quantize_int8_static
    from igo.nn.inference import TorchEvaluator
    from igo.nn.onnx_graph import OnnxEvaluator

    net = _net().eval()
    by_size = load_positions_by_size(mixed_replay, net.config, limit=96, split="train")
    graph = quantize_int8_static(net, [p.planes for p in by_size.values()], Int8StaticConfig())
    int8, fp32 = OnnxEvaluator(graph, net.config), TorchEvaluator(net, "cpu", precision="float32")
    for size, positions in by_size.items():  # the one graph plays both sizes
        logits, values = int8.evaluate(positions.planes)
        ref_logits, ref_values = fp32.evaluate(positions.planes)
        assert logits is not None and logits.shape == (len(positions), size * size + 1)
        assert values is not None and ref_values is not None
        assert np.abs(values - ref_values).max() < 0.2
    with pytest.raises(ValueError, match="at least one position"):
        quantize_int8_static(net, [by_size[5].planes[:0]], Int8StaticConfig())
