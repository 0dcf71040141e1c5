"""Fixtures for the net tests: one torch thread per xdist worker, seeded RNGs, tiny variants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

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
