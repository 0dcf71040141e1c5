"""Layers: the norm factory, conv-norm-act, separable, gated dilated and squeeze-excite blocks."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from igo.nn.layers import (
    NORM_NAMES,
    ConvNormAct,
    GatedConv2d,
    NormActConv,
    SeparableConv2d,
    SqueezeExcite,
    create_norm,
    doubling_dilations,
    group_count,
    norm_fn,
    receptive_field,
)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("batch", nn.BatchNorm2d),
        ("layer", nn.GroupNorm),
        ("instance", nn.InstanceNorm2d),
        ("group", nn.GroupNorm),
        ("none", nn.Identity),
    ],
)
def test_create_norm_types(name: str, kind: type) -> None:
    assert isinstance(create_norm(name, 12), kind)
    assert name in NORM_NAMES


def test_norms_normalise_what_they_promise() -> None:
    x = torch.randn(4, 8, 5, 5) * 3 + 2
    layer = create_norm("layer", 8)(x)
    assert torch.allclose(layer.mean(dim=(1, 2, 3)), torch.zeros(4), atol=1e-5)
    instance = create_norm("instance", 8)(x)
    assert torch.allclose(instance.mean(dim=(2, 3)), torch.zeros(4, 8), atol=1e-5)
    batch = create_norm("batch", 8).train()(x)
    assert torch.allclose(batch.mean(dim=(0, 2, 3)), torch.zeros(8), atol=1e-5)
    assert torch.equal(create_norm("none", 8)(x), x)


def test_group_count() -> None:
    assert group_count(64) == 32 and group_count(48) == 24 and group_count(7) == 7
    assert group_count(37) == 1 and group_count(2) == 2
    assert create_norm("group", 256).num_groups == 32


def test_unknown_norm() -> None:
    with pytest.raises(ValueError, match="batch, layer, instance, group, none"):
        create_norm("weight", 8)
    with pytest.raises(ValueError):
        norm_fn("bn")


def test_conv_bias_only_without_norm() -> None:
    with_norm = ConvNormAct(3, 8, 3, norm_fn=norm_fn("batch"))
    without = ConvNormAct(3, 8, 3, norm_fn=norm_fn("none"))
    assert with_norm[0].bias is None and without[0].bias is not None
    assert with_norm(torch.randn(2, 3, 7, 7)).shape == (2, 8, 7, 7)
    dilated = ConvNormAct(3, 8, 3, norm_fn=norm_fn("none"), dilation=4)
    assert dilated(torch.randn(1, 3, 9, 9)).shape == (1, 8, 9, 9)
    preact = NormActConv(8, 4, 3, norm_fn=norm_fn("group"))
    assert isinstance(preact[0], nn.GroupNorm) and preact(torch.randn(1, 8, 5, 5)).shape[1] == 4


def test_separable_structure() -> None:
    layer = SeparableConv2d(16, 32, 3)
    depthwise, pointwise = layer.depthwise[0], layer.pointwise[0]
    assert depthwise.groups == 16 and depthwise.weight.shape == (16, 1, 3, 3)
    assert pointwise.weight.shape == (32, 16, 1, 1)
    assert layer(torch.randn(2, 16, 9, 9)).shape == (2, 32, 9, 9)


def test_gated_conv_range_and_receptive_field() -> None:
    gated = GatedConv2d(4, 6, dilation=2, norm_fn=norm_fn("none"))
    out = gated(torch.randn(2, 4, 9, 9) * 10)
    assert out.shape == (2, 6, 9, 9) and out.abs().max() < 1
    assert receptive_field([1, 2, 4, 8]) == 31
    assert doubling_dilations(9) == (1, 2, 4, 8)
    assert doubling_dilations(19) == (1, 2, 4, 8, 16)
    assert doubling_dilations(3) == (1, 2)


def test_squeeze_excite_scales_channels() -> None:
    se = SqueezeExcite(8, reduction=4)
    x = torch.randn(2, 8, 5, 5)
    scale = se(x) / x
    # One factor in (0, 1) per sample and channel, the same at every point.
    assert torch.allclose(scale, scale[:, :, :1, :1].expand_as(scale), atol=1e-5)
    assert ((scale > 0) & (scale < 1)).all()
