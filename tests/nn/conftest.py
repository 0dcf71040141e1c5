"""Fixtures for the net tests: one torch thread per xdist worker, seeded RNGs, tiny variants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import nn

from igo.nn.registry import net_config

TINY: dict[str, Any] = dict(board_size=5, in_planes=4, channels=8, blocks=2, value_hidden=16)
"""Small enough that ~100 cases run in seconds."""
TINY_KNOBS: dict[str, dict[str, Any]] = {
    "densenet": dict(growth_rate=4, dense_layers=2),
    "pyramid": dict(alpha=4),
}
"""The family fields that a tiny net of the family needs besides ``TINY``."""


@pytest.fixture(autouse=True, scope="session")
def _one_thread_per_worker() -> None:
    # ``-n 2`` already fills both cores; more threads per worker only contend.
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


@pytest.fixture
def tiny() -> Callable[[str], dict[str, Any]]:
    """``tiny(name)``: the overrides that make variant ``name`` tiny (its family's knobs too)."""

    def overrides(name: str) -> dict[str, Any]:
        return {**TINY, **TINY_KNOBS.get(net_config(name).family, {})}

    return overrides


def _randomise_norms(net: nn.Module) -> nn.Module:
    """Non-trivial running statistics and affine terms, as after training."""
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=gen))
                m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.weight.copy_(torch.rand(m.num_features, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=gen))
    return net.eval()


@pytest.fixture
def randomise_norms() -> Callable[[nn.Module], nn.Module]:
    """``randomise_norms(net)``: the net with non-trivial batch-norm statistics, in eval mode."""
    return _randomise_norms
