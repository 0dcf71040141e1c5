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


def test_modules_trained_beside_the_net_come_back(tmp_path: Path) -> None:
    from igo.nn.checkpoint import CheckpointError
    from igo.train.trainer import trained_modules

    config = TrainConfig(learning_rate=0.01)
    net = create_net("resnet_b6c64", board_size=5, blocks=1, channels=4)
    extra: dict[str, torch.nn.Module] = {"regressor": torch.nn.Conv2d(4, 6, 1)}
    optimizer = make_optimizer(trained_modules(net, extra), config)
    trainer = Trainer(net, optimizer, np.random.default_rng(1), 0, extra)
    extra["regressor"](torch.ones(1, 4, 5, 5)).sum().backward()
    optimizer.step()  # momentum for the regressor's parameters only
    path = tmp_path / "trainer.safetensors"
    save_trainer(path, trainer)
    blank = {"regressor": torch.nn.Conv2d(4, 6, 1)}
    resumed = load_trainer(path, config, torch.device("cpu"), blank)
    torch.testing.assert_close(blank["regressor"].weight, extra["regressor"].weight)
    assert resumed.extra["regressor"] is blank["regressor"]
    assert len(resumed.optimizer.state) == len(optimizer.state) == 2
    with pytest.raises(CheckpointError, match="no wider"):
        load_trainer(path, config, torch.device("cpu"), {"wider": torch.nn.Conv2d(4, 6, 1)})
