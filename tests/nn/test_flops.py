"""FLOP and parameter counts: the separable-convolution formula, and every variant counted."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from igo.nn.flops import cost_table, count_flops, count_params, format_cost_table, net_cost
from igo.nn.layers.separable import SeparableConv2d
from igo.nn.registry import list_nets


@pytest.mark.parametrize(
    ("channels", "out_channels", "kernel", "size"), [(32, 64, 3, 9), (8, 16, 5, 7)]
)
def test_separable_cost_matches_howard(
    channels: int, out_channels: int, kernel: int, size: int
) -> None:
    """Depthwise ``H*W*C*K*K`` + pointwise ``H*W*C*M`` vs standard ``H*W*K*K*C*M`` multiply-adds
    (Howard et al. 2017, eqs. 2 and 4); the counter counts 2 FLOPs per multiply-add."""
    h = w = size
    c, m, k = channels, out_channels, kernel
    shape = (1, c, h, w)
    separable = SeparableConv2d(c, m, k)
    standard = nn.Conv2d(c, m, k, padding=k // 2, bias=False)
    assert count_flops(separable, shape) == 2 * (h * w * c * k * k + h * w * c * m)
    assert count_flops(standard, shape) == 2 * (h * w * k * k * c * m)
    ratio = count_flops(separable, shape) / count_flops(standard, shape)
    assert ratio == pytest.approx(1 / m + 1 / k**2)


def test_every_variant_has_a_cost() -> None:
    costs = cost_table(board_size=9)
    assert [c.name for c in costs] == list_nets()
    assert all(c.num_params > 0 and c.flops > 0 for c in costs)
    table = format_cost_table(costs)
    assert table.count("\n") == len(costs) + 1 and "resnet_b6c64" in table


def test_resnet_flops_formula() -> None:
    """Stem + 2 convs per block + heads, 2 FLOPs per multiply-add, at 9x9 with 17 planes."""
    points, c = 81, 64
    stem = points * 9 * 17 * c
    blocks = 6 * 2 * points * 9 * c * c
    policy = points * c * 2 + 2 * points * 82
    value = points * c + points * 256 + 256
    assert net_cost("resnet_b6c64").flops == 2 * (stem + blocks + policy + value)


def test_count_params_and_mode_restored() -> None:
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4)).train()
    assert count_params(net) == 3 * 4 * 9 + 4 + 8
    count_flops(net, (1, 3, 5, 5))
    assert net.training
    assert torch.is_grad_enabled()
