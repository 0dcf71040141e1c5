"""Registry-parametrized net tests (timm ``tests/test_models.py``): every variant x every norm."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import torch

from igo.nn.backbones.densenet import DenseNet
from igo.nn.backbones.dilated_resnet import dilation_schedule
from igo.nn.backbones.pyramidnet import pyramid_widths
from igo.nn.backbones.wide_resnet import stage_plan
from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.nn.layers.norm import NORM_NAMES
from igo.nn.layers.squeeze_excite import SqueezeExcite
from igo.nn.net import PolicyNet, PolicyValueNet, ValueNet
from igo.nn.registry import create_net, list_families, list_nets, variant_doc

TINY: dict[str, Any] = dict(board_size=5, in_planes=4, channels=8, blocks=2, value_hidden=16)
Tiny = Callable[[str], dict[str, Any]]

NAME_RE = re.compile(r"^[a-z]+(_[a-z]+)?_[bl]\d+c\d+(_[a-z]+\d*)*$")
DOC_RE = re.compile(r"Parameters: ([\d,]+) at (\d+)x\2 with (\d+) input planes\.")


def _outputs(net: torch.nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    out = net(x)
    return list(out) if isinstance(out, tuple) else [out]


def _expected_shapes(net: torch.nn.Module, batch: int, num_moves: int) -> list[tuple[int, ...]]:
    if isinstance(net, PolicyValueNet):
        return [(batch, num_moves), (batch,)]
    return [(batch, num_moves)] if isinstance(net, PolicyNet) else [(batch,)]


@pytest.mark.parametrize("norm", NORM_NAMES)
@pytest.mark.parametrize("name", list_nets())
def test_variant(name: str, norm: str, tmp_path, tiny: Tiny) -> None:
    """Shapes, finite outputs, a gradient on every parameter, and an exact save/load round trip."""
    net = create_net(name, norm=norm, **tiny(name))
    config = net.config
    assert config.norm == norm and config.board_size == 5
    x = torch.randn(3, config.in_planes, 5, 5)
    outputs = _outputs(net, x)
    assert [tuple(o.shape) for o in outputs] == _expected_shapes(net, 3, 26)
    assert all(torch.isfinite(o).all() for o in outputs)
    if not isinstance(net, PolicyNet):
        assert outputs[-1].abs().max() < 1  # tanh value

    # Random weights: a plain sum would give log-softmax-like heads a zero gradient.
    loss = sum((o * torch.randn_like(o)).sum() for o in outputs)
    loss.backward()
    for pname, param in net.named_parameters():
        assert param.grad is not None, f"no gradient reaches {pname}"
        assert torch.isfinite(param.grad).all(), pname
        # Without a norm, a tiny random net can start with a dead ReLU (the 1-filter value
        # head); with one, every parameter must move.
        if norm != "none":
            assert param.grad.abs().sum() > 0, f"zero gradient on {pname}"

    net.eval()
    save_checkpoint(net, tmp_path / "net.safetensors", version="test")
    loaded = load_checkpoint(tmp_path / "net.safetensors")
    assert type(loaded) is type(net) and loaded.config == config
    with torch.no_grad():
        for before, after in zip(_outputs(net, x), _outputs(loaded, x), strict=True):
            assert torch.equal(before, after)


@pytest.mark.parametrize("name", list_nets())
def test_documented_param_count(name: str) -> None:
    """Every variant's docstring states its parameter count at 9x9, and it is right."""
    match = DOC_RE.search(" ".join(variant_doc(name).split()))
    assert match, f"{name}'s docstring lacks 'Parameters: N at 9x9 with P input planes.'"
    count, size, planes = int(match[1].replace(",", "")), int(match[2]), int(match[3])
    with torch.device("meta"):
        net = create_net(name, board_size=size)
    assert net.config.in_planes == planes
    assert sum(p.numel() for p in net.parameters()) == count


def test_names_and_families(tiny: Tiny) -> None:
    names = list_nets()
    assert len(names) >= 18
    assert all(NAME_RE.match(n) for n in names), [n for n in names if not NAME_RE.match(n)]
    families = {create_net(n, **tiny(n)).config.family for n in names}
    assert families == set(list_families())
    assert {"resnet", "bottleneck", "preact", "wide", "pyramid", "mobilenet"} <= families
    assert {"densenet", "dilated", "alphago"} <= families
    assert list_nets("resnet_*") == [n for n in names if n.startswith("resnet_")]


def test_create_net_errors() -> None:
    with pytest.raises(KeyError, match="resnet_b6c64"):
        create_net("resnet_b6c46")
    with pytest.raises(ValueError, match="family"):
        create_net("resnet_b6c64", family="densenet")
    with pytest.raises(ValueError, match="norm"):
        create_net("resnet_b6c64", norm="batchnorm")
    with pytest.raises(ValueError, match="resnet nets have no field no_such_knob"):
        create_net("resnet_b6c64", no_such_knob=1)
    with pytest.raises(ValueError, match="have no field growth_rate"):
        create_net("resnet_b6c64", growth_rate=4)  # another family's knob


def test_overrides_and_outputs(tiny: Tiny) -> None:
    net = create_net("resnet_b6c64", board_size=19, blocks=1, channels=8)
    assert isinstance(net, PolicyValueNet)
    assert net(torch.zeros(1, 17, 19, 19))[0].shape == (1, 362)
    assert isinstance(create_net("resnet_b6c64", outputs="policy", **TINY), PolicyNet)
    densenet = tiny("densenet_b3c32_k16")
    assert isinstance(create_net("densenet_b3c32_k16", outputs="value", **densenet), ValueNet)
    policy = create_net("alphago_policy_l13c192", channels=8, blocks=2)
    assert isinstance(policy, PolicyNet) and policy.config.in_planes == 48
    value = create_net("alphago_value_l14c192", channels=8, blocks=2)
    assert isinstance(value, ValueNet) and value.config.in_planes == 49
    with pytest.raises(ValueError, match=r"expected input \[B, 48, 9, 9\]"):
        policy(torch.zeros(1, 17, 9, 9))


def test_squeeze_excite_knob() -> None:
    plain = create_net("resnet_b6c64", **TINY)
    with_se = create_net("resnet_b6c64", se_reduction=4, **TINY)
    assert not any(isinstance(m, SqueezeExcite) for m in plain.modules())
    assert sum(isinstance(m, SqueezeExcite) for m in with_se.modules()) == 2
    assert with_se(torch.zeros(1, 4, 5, 5))[0].shape == (1, 26)


def test_alphago_layers() -> None:
    """Layer 1 is 5x5, layers 2-12 are 3x3 with k filters, the output is one 1x1 filter."""
    net = create_net("alphago_policy_l13c192")
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [c.kernel_size for c in convs] == [(5, 5)] + [(3, 3)] * 11 + [(1, 1)]
    assert {c.out_channels for c in convs[:-1]} == {192} and convs[-1].out_channels == 1
    assert net.policy_head.point_bias.shape == (81,)


def test_widths_follow_the_papers() -> None:
    assert pyramid_widths(48, 6, 48) == [56, 64, 72, 80, 88, 96]
    assert stage_plan(32, 4, 2) == [(64, 2), (128, 2)]
    assert create_net("wide_b4c32_k2", board_size=5).body.out_channels == 128
    body = DenseNet(4, 8, 2, growth_rate=4, layers_per_block=3, compression=0.5)
    # k0 + l*k after each block, halved by the transition between them.
    assert body.out_channels == (8 + 3 * 4) // 2 + 3 * 4
    mobile = create_net("mobilenet_b10c96", width_mult=0.5, **{**TINY, "channels": 96})
    assert mobile.body.out_channels == 48


def test_dilated_body_sees_the_whole_board() -> None:
    """One dilation cycle (1, 2, 4, 8 at 9x9) carries a corner to the opposite corner."""
    assert dilation_schedule(6, 9) == [1, 2, 4, 8, 1, 2]
    assert dilation_schedule(5, 19) == [1, 2, 4, 8, 16]
    assert dilation_schedule(3, 9, max_dilation=2) == [1, 2, 1]

    def corner_effect(name: str, blocks: int) -> float:
        net = create_net(name, board_size=9, channels=8, blocks=blocks, norm="none").eval()
        x = torch.zeros(1, 17, 9, 9)
        y = x.clone()
        y[0, :, 0, 0] = 1.0
        with torch.no_grad():
            return float((net.body(x) - net.body(y))[0, :, 8, 8].abs().max())

    assert create_net("dilated_b8c64", blocks=4).body.receptive_field >= 17
    # Five 3x3 layers each: dilated reach 1 + 1 + 2 + 4 + 8 points, plain ones only 5 of 8.
    assert corner_effect("dilated_b8c64", blocks=4) > 0
    assert corner_effect("resnet_b6c64", blocks=2) == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["resnet_b6c64", "densenet_b3c32_k16", "dilated_b8c64"])
def test_torch_compile(name: str, tiny: Tiny) -> None:
    net = create_net(name, **tiny(name)).eval()
    x = torch.randn(2, 4, 5, 5)
    compiled = torch.compile(net)
    with torch.no_grad():
        for eager, fast in zip(_outputs(net, x), _outputs(compiled, x), strict=True):
            torch.testing.assert_close(eager, fast)
