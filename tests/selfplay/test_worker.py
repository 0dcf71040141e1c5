"""Self-play workers: a generation's folder is topped up to its target, in one or two processes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import torch

from igo.data.shards import read_manifest
from igo.nn.checkpoint import save_checkpoint
from igo.nn.registry import create_net
from igo.selfplay.selfplay_config import SELFPLAY_SEARCH, SelfPlayConfig
from igo.selfplay.worker import SelfPlayJob, run_selfplay


def _job(tmp_path: Path, workers: int) -> SelfPlayJob:
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=4, value_hidden=8)
    path = tmp_path / "net.safetensors"
    save_checkpoint(net, path)
    config = SelfPlayConfig(
        board_size=5,
        search=replace(SELFPLAY_SEARCH, num_simulations=4, cheap_simulations=2),
        parallel_games=2,
        num_workers=workers,
        device="cpu",
        move_cap=20,
    )
    return SelfPlayJob(str(path), config, generation=4, network=3, seed=0, resign_threshold=-0.9)


def test_tops_up_to_the_target_in_process(tmp_path: Path) -> None:
    job, folder = _job(tmp_path, 1), tmp_path / "gen-000004"
    first = run_selfplay(job, folder, 3, progress=False)
    assert first.games == 3 and len(read_manifest(folder)) == 3
    again = run_selfplay(job, folder, 5, progress=False)  # a resumed run plays only the rest
    assert again.games == 2
    infos = read_manifest(folder)
    assert [i.name for i in infos] == [f"game-{i:06d}.npz" for i in range(5)]
    assert {i.extra["generation"] for i in infos} == {"4"} and {
        i.extra["network"] for i in infos
    } == {"3"}
    assert run_selfplay(job, folder, 5, progress=False).games == 0


def test_two_worker_processes(tmp_path: Path) -> None:
    job, folder = _job(tmp_path, 2), tmp_path / "gen-000004"
    stats = run_selfplay(job, folder, 5, progress=False)
    assert stats.games == 5 and stats.positions > 0
    assert len(read_manifest(folder)) == 5
