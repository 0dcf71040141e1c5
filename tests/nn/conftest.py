"""Fixtures for the net tests: one torch thread per xdist worker, seeded RNGs."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_thread_per_worker() -> None:
    # ``-n 2`` already fills both cores; more threads per worker only contend.
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)
