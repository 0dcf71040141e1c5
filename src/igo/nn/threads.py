"""Torch's CPU thread count for one phase of work, restored afterwards.

``torch.set_num_threads`` is process-wide: library code that sets it and returns leaves every
later phase on its count (a training stage's 2 threads under a player that asked for 1). A
program's entry point (``igo.cli.options``, a worker process's main) sets it once for the whole
process; everything else runs its phase inside ``torch_threads(n)``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


@contextlib.contextmanager
def torch_threads(num: int) -> Iterator[None]:
    """Run the block with ``num`` torch CPU threads, then restore the previous count (also when
    the block raises)."""
    before = torch.get_num_threads()
    torch.set_num_threads(num)
    try:
        yield
    finally:
        torch.set_num_threads(before)


__all__ = ["torch_threads"]
