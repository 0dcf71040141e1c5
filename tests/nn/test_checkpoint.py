"""Checkpoints: round trip, atomic writes, and one clear CheckpointError for every fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from igo.nn.checkpoint import (
    CheckpointError,
    config_path,
    load_checkpoint,
    load_weights_,
    read_config,
    save_checkpoint,
)
from igo.nn.registry import create_net

TINY = dict(board_size=5, in_planes=4, channels=8, blocks=2, value_hidden=16)


@pytest.fixture
def saved(tmp_path: Path) -> tuple[torch.nn.Module, Path]:
    net = create_net("resnet_b6c64", **TINY)
    path = tmp_path / "model.safetensors"
    save_checkpoint(net, path, version="9.9.9", extra={"step": 42})
    return net, path


def test_round_trip_and_sidecar(saved) -> None:
    net, path = saved
    info = json.loads(config_path(path).read_text())
    assert info["package_version"] == "9.9.9" and info["extra"] == {"step": 42}
    assert info["config"] == net.config.to_dict() and info["net_class"] == "PolicyValueNet"
    assert info["num_params"] == sum(p.numel() for p in net.parameters())
    assert read_config(path) == net.config
    loaded = load_checkpoint(path, expected=net.config)
    assert not loaded.training
    for key, value in net.state_dict().items():
        assert torch.equal(value, loaded.state_dict()[key]), key
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.json", "model.safetensors"]


def test_default_version_is_the_installed_package(tmp_path: Path) -> None:
    net = create_net("mobilenet_b10c96", **TINY)
    save_checkpoint(net, tmp_path / "m.safetensors")
    assert json.loads((tmp_path / "m.json").read_text())["package_version"] not in ("", None)


def test_wrong_architecture_names_the_tensors(saved) -> None:
    _, path = saved
    wider = create_net("resnet_b6c64", **{**TINY, "channels": 16, "blocks": 3})
    with pytest.raises(CheckpointError) as err:
        load_weights_(wider, path)
    message = str(err.value)
    assert "missing: body.blocks.2." in message
    assert (
        "mis-shaped: body.blocks.0.conv1.0.weight (checkpoint [8, 8, 3, 3], net [16, 16, 3, 3])"
        in message
    )
    other = create_net("densenet_b3c32_k16", **TINY)
    with pytest.raises(CheckpointError, match="unexpected: .*body.blocks.0.conv1"):
        load_weights_(other, path)


def test_expected_config_mismatch(saved) -> None:
    net, path = saved
    with pytest.raises(CheckpointError, match=r"channels=8 \(expected 16\)"):
        load_checkpoint(path, expected=net.config.replace(channels=16))
    other = create_net("preact_b6c64", **TINY).config
    with pytest.raises(CheckpointError, match=r"family='resnet' \(expected 'preact'\)"):
        load_checkpoint(path, expected=other)


@pytest.mark.parametrize("keep", [0, 7, 100, -50])
def test_truncated_weights(saved, keep: int) -> None:
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[:keep])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_checkpoint(path)


def test_garbage_and_missing_files(saved) -> None:
    _, path = saved
    config_path(path).write_text("{not json")
    with pytest.raises(CheckpointError, match="unreadable"):
        load_checkpoint(path)
    config_path(path).write_text(json.dumps({"format": "something else"}))
    with pytest.raises(CheckpointError, match="not an igo.nn checkpoint"):
        load_checkpoint(path)
    config_path(path).unlink()
    with pytest.raises(CheckpointError, match="missing"):
        load_checkpoint(path)
    with pytest.raises(CheckpointError, match="cannot read"):
        load_weights_(create_net("resnet_b6c64", **TINY), path.with_name("absent.safetensors"))


def test_bad_config_in_sidecar(saved) -> None:
    _, path = saved
    info = json.loads(config_path(path).read_text())
    info["config"]["family"] = "transformer"
    config_path(path).write_text(json.dumps(info))
    with pytest.raises(CheckpointError, match="invalid NetConfig.*unknown net family"):
        load_checkpoint(path)
    info["config"]["family"] = "resnet"
    info["config"]["colour"] = "black"
    config_path(path).write_text(json.dumps(info))
    with pytest.raises(CheckpointError, match="invalid NetConfig.*colour"):
        load_checkpoint(path)


def test_checkpoint_error_is_a_value_error() -> None:
    assert issubclass(CheckpointError, ValueError)
