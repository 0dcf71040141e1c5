"""Every file igo writes comes out with the user's umask, as ``open()`` would make it (the atomic
writers once made all of them 0600 through ``mkstemp``): SGF, shards, checkpoints, config.json,
rollout policies, curve tables and figures."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from igo.data.shards import write_shard
from igo.files import write_bytes_atomic, write_text_atomic
from igo.go.state import GameState
from igo.io.sgf import record_from_state, save_sgf
from igo.run_dir import RunFolder, ZeroRunDir
from igo.search.rollout.policy import RolloutPolicy

Writer = Callable[[Path], list[Path]]


def _atomic(folder: Path) -> list[Path]:
    write_bytes_atomic(folder / "a.bin", b"data")
    write_text_atomic(folder / "b.txt", "text")
    return [folder / "a.bin", folder / "b.txt"]


def _sgf(folder: Path) -> list[Path]:
    state = GameState.new(5)
    state.play(state.legal_moves()[0])
    save_sgf(record_from_state(state), folder / "game.sgf")
    return [folder / "game.sgf"]


def _shard(folder: Path) -> list[Path]:
    arrays = {"move": np.zeros(3, dtype=np.int16), "komi": np.zeros(3, dtype=np.float32)}
    write_shard(folder / "shards", "sl-0.npz", arrays, "sl", "train", ("a.sgf",))
    return [folder / "shards" / "sl-0.npz", folder / "shards" / "manifest.json"]


def _checkpoint(folder: Path) -> list[Path]:
    pytest.importorskip("torch")
    from igo.nn.checkpoint import save_checkpoint
    from igo.nn.registry import create_net

    net = create_net("resnet_b6c64", board_size=5, in_planes=4, channels=8, blocks=1)
    save_checkpoint(net, folder / "net.safetensors")
    return [folder / "net.safetensors", folder / "net.json"]


def _rollout_policy(folder: Path) -> list[Path]:
    RolloutPolicy("rollout", np.zeros(0, dtype=np.int64)).save(folder / "rollout.npz")
    return [folder / "rollout.npz"]


def _config_json(folder: Path) -> list[Path]:
    RunFolder(folder).save_config({"seed": 1}, "0")
    return [folder / "config.json"]


def _curve(folder: Path) -> list[Path]:
    pytest.importorskip("matplotlib")
    pytest.importorskip("torch")
    from igo.train.zero.learning_curve import CurvePoint, write_curve

    run = ZeroRunDir(folder)
    run.save_config({"selfplay": {"board_size": 9}}, "0")  # the curve's files are named by size
    run.arena.mkdir()
    points = [
        CurvePoint(0, 0, 0.0, -300.0, 80.0, 0.0, 0.1),
        CurvePoint(1, 10, 0.5, -200, 70, 90, 0.2),
    ]
    write_curve(run, points)
    return [run.arena / "curve.md", run.arena / "curve.png"]


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize(
    "writer",
    [_atomic, _sgf, _shard, _checkpoint, _rollout_policy, _config_json, _curve],
    ids=lambda w: w.__name__,
)
def test_written_files_follow_the_umask(tmp_path: Path, writer: Writer, umask_027: None) -> None:
    paths = writer(tmp_path)
    with open(tmp_path / "plain", "w"):  # the reference: what open() makes under this umask
        pass
    modes = {
        path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in [*paths, tmp_path / "plain"]
    }
    assert set(modes.values()) == {oct(0o640)}, modes
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert not leftovers
