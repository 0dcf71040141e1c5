"""Tiny random-weight checkpoints for the network players (5x5 boards, a few thousand weights),
and every registered player built with the options its checks use (``build_player``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from igo.agents import Player

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
def pooled_checkpoint(nets_dir: Path) -> str:
    """A 5x5-built PolicyValueNet with KataGo's pooled heads (plays every size)."""
    return write_checkpoint(
        nets_dir, "pooled5", "resnet_b6c64", blocks=1, channels=8, heads="pooled"
    )


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


# Options and board sizes each registered player is checked with (network players get the tiny
# random-weight 5x5 checkpoints above; "zero" and "alphago" need the shipped weights).
CONFORMANCE: dict[str, tuple[dict[str, object], tuple[int, ...]]] = {
    "random": ({}, (5, 9, 19)),
    "policy": ({"checkpoint": "zero"}, (5,)),
    "mcts": ({"visits": 24}, (5, 9)),
    "zero": ({"visits": 16}, (9,)),
    "alphago": ({"visits": 16}, (9,)),
    "auto": ({"visits": 16}, (9,)),
    "rollout": ({"rollout_checkpoint": "rollout"}, (5, 9)),
}


@pytest.fixture
def build_player(
    zero_checkpoint: str, rollout_policy_file: str
) -> Callable[[str], tuple[Player, tuple[int, ...]]]:
    """``build(name)``: the registered player ``name`` with its CONFORMANCE options (seed 0) and
    the board sizes it plays; skips where the shipped weights it needs are not installed."""
    from igo.agents import create_player
    from igo.agents.nets import MissingWeightsError

    files = {"zero": zero_checkpoint, "rollout": rollout_policy_file}

    def build(name: str) -> tuple[Player, tuple[int, ...]]:
        assert name in CONFORMANCE, f"add player {name!r} to CONFORMANCE"
        options, sizes = CONFORMANCE[name]
        kwargs = {k: files.get(v, v) if isinstance(v, str) else v for k, v in options.items()}
        try:
            return create_player(name, seed=0, **kwargs), sizes
        except MissingWeightsError:
            pytest.skip(f"the shipped {name} weights are not installed yet")

    return build
