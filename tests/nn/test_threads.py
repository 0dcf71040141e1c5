"""``torch_threads``: a phase's thread count, restored afterwards."""

from __future__ import annotations

import pytest
import torch

from igo.nn.threads import torch_threads


def test_the_count_is_set_inside_and_restored_after_even_on_an_error() -> None:
    before = torch.get_num_threads()
    with torch_threads(before + 1):
        assert torch.get_num_threads() == before + 1
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError), torch_threads(before + 2):
        raise RuntimeError("a failed phase")
    assert torch.get_num_threads() == before
