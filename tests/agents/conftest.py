"""Tiny random-weight checkpoints for the network players (5x5 boards, a few thousand weights)."""

from __future__ import annotations

from pathlib import Path

import pytest

SIZE = 5


def write_checkpoint(folder: Path, name: str, variant: str, **overrides: object) -> str:
    """Save a tiny net of ``variant`` as ``folder/name.safetensors`` (+ .json); its path."""
    from igo.nn.checkpoint import save_checkpoint
    from igo.nn.registry import create_net

    path = folder / f"{name}.safetensors"
    if not path.exists():
        net = create_net(variant, board_size=SIZE, **overrides)
        save_checkpoint(net, path)
    return str(path)


@pytest.fixture(scope="session")
def nets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nets")


@pytest.fixture(scope="session")
def zero_checkpoint(nets_dir: Path) -> str:
    """A 5x5 PolicyValueNet on AlphaGo Zero planes (one residual block of 8 channels)."""
    return write_checkpoint(nets_dir, "zero5", "resnet_b6c64", blocks=1, channels=8)


@pytest.fixture(scope="session")
def alphago_policy_checkpoint(nets_dir: Path) -> str:
    """A 5x5 AlphaGo policy net on the 48 planes (two conv layers of 8 filters)."""
    return write_checkpoint(nets_dir, "policy5", "alphago_policy_l13c192", blocks=2, channels=8)


@pytest.fixture(scope="session")
def alphago_value_checkpoint(nets_dir: Path) -> str:
    """A 5x5 AlphaGo value net on the 49 planes."""
    return write_checkpoint(
        nets_dir, "value5", "alphago_value_l14c192", blocks=2, channels=8, value_hidden=16
    )


@pytest.fixture(scope="session")
def rollout_policy_file(nets_dir: Path) -> str:
    """A rollout policy (``.npz``) with no patterns: uniform over the sensible moves."""
    import numpy as np

    from igo.search.rollout import RolloutPolicy

    path = nets_dir / "rollout.npz"
    if not path.exists():
        RolloutPolicy("rollout", np.zeros(0, np.int64)).save(path)
    return str(path)
