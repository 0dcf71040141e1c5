"""Trainer checkpoints: net, optimiser and sampler RNG come back exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from igo.nn.registry import create_net
from igo.train.trainer import Trainer, load_trainer, make_optimizer, save_trainer
from igo.train.training_config import TrainConfig


def _step(trainer: Trainer) -> None:
    x = torch.from_numpy(trainer.rng.standard_normal((4, 17, 5, 5)).astype(np.float32))
    logits, value = trainer.net(x)
    loss = logits.square().mean() + value.square().mean()
    trainer.optimizer.zero_grad()
    loss.backward()
    trainer.optimizer.step()
    trainer.step += 1


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_resumed_training_matches_uninterrupted(tmp_path: Path, optimizer: str) -> None:
    config = TrainConfig(optimizer=optimizer, learning_rate=0.01)
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=4)
    trainer = Trainer(net, make_optimizer(net, config), np.random.default_rng(1))
    for _ in range(3):
        _step(trainer)
    path = tmp_path / "trainer.safetensors"
    save_trainer(path, trainer)
    resumed = load_trainer(path, config, torch.device("cpu"))
    assert resumed.step == 3
    for _ in range(2):
        _step(trainer)
        _step(resumed)
    for a, b in zip(
        trainer.net.state_dict().values(), resumed.net.state_dict().values(), strict=True
    ):
        torch.testing.assert_close(a, b)


def test_bad_checkpoint_raises(tmp_path: Path) -> None:
    from igo.nn.checkpoint import CheckpointError

    path = tmp_path / "t.safetensors"
    path.write_bytes(b"\x10\x00")
    with pytest.raises(CheckpointError):
        load_trainer(path, TrainConfig(), torch.device("cpu"))
    with pytest.raises(CheckpointError):
        load_trainer(tmp_path / "missing.safetensors", TrainConfig(), torch.device("cpu"))
