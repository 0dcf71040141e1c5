"""Structured channel pruning over the registry: exact when the pruned filters are silent, a
smaller net of the same family that saves, loads and plays; the unsupported bodies refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from igo.agents.conformance import check_player
from igo.agents.player import create_player
from igo.compress.prune_structured import (
    SUPPORTED,
    ChannelPruneConfig,
    channel_prune,
    check_supported,
)
from igo.nn.backbones.dilated_resnet import DilatedBlock
from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.nn.layers.dilated import GatedConv2d
from igo.nn.net import Net, PolicyNet, PolicyValueNet
from igo.nn.registry import build_net, list_nets, net_config

NETS = list_nets()


def _supported(name: str) -> bool:
    config = net_config(name)
    supported = config.family in SUPPORTED and config.norm in ("batch", "none")
    return supported and not getattr(config, "se_reduction", 0)


PRUNABLE = [n for n in NETS if _supported(n)]
REFUSED = [n for n in NETS if not _supported(n)]


def small(name: str) -> Net:
    """The variant at 9x9, two blocks of 8 channels, with batch norm statistics that matter."""
    torch.manual_seed(1)
    net = build_net(net_config(name).replace(board_size=9, blocks=2, channels=8))
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.2, 0.2)
    return net.eval()


POST_NORM = ("alphago", "resnet", "bottleneck", "mobilenet", "dilated")
"""Families whose every body conv is followed by its own norm (or is a gated or bare 1x1 conv),
so zeroing a filter and its norm's scale and shift silences its channel exactly. In the
pre-activation bodies (preact, wide, pyramid) a norm reads the stream before the conv; they are
checked at keep=1 and for shapes."""


def silence_last_half(body: nn.Module) -> None:
    """Zero the last half of every body conv's filters, its bias and its norm's scale and shift:
    those channels put out exactly zero, so removing them changes nothing. A gated conv's filter
    and gate halves each lose their last half; tanh(0) = 0 silences the channel."""
    with torch.no_grad():
        for module in body.modules():
            if isinstance(module, GatedConv2d):
                n = module.out_channels
                for tensor in (module.conv.weight, module.norm.weight, module.norm.bias):
                    tensor[n // 2 : n] = 0
                    tensor[n + n // 2 :] = 0
            if isinstance(module, DilatedBlock):
                for conv in (module.residual, module.skip):
                    if isinstance(conv, nn.Conv2d):
                        conv.weight[conv.out_channels // 2 :] = 0
                        conv.bias[conv.out_channels // 2 :] = 0
            if isinstance(module, nn.Sequential) and isinstance(module[0], nn.Conv2d):
                half = module[0].out_channels // 2
                tensors = [module[0].weight, module[0].bias]
                if isinstance(module[1], nn.BatchNorm2d):
                    tensors += [module[1].weight, module[1].bias]
                for tensor in tensors:
                    if tensor is not None:
                        tensor[half:] = 0


def outputs(net: Net, x: torch.Tensor) -> list[torch.Tensor]:
    with torch.no_grad():
        out = net(x)
    return list(out) if isinstance(out, tuple) else [out]


def test_the_registry_has_nets_of_both_kinds() -> None:
    assert {net_config(n).family for n in PRUNABLE} == set(SUPPORTED)
    assert {net_config(n).family for n in REFUSED} == {"densenet", "resnet"}  # resnet: group norm
    assert "resnet_b6c64_gn" in REFUSED


@pytest.mark.parametrize("name", PRUNABLE)
def test_every_family_keeps_its_outputs_at_keep_one_and_narrows_below(name: str) -> None:
    net = small(name)
    x = torch.randn(3, net.config.in_planes, 9, 9)
    whole = channel_prune(net, ChannelPruneConfig(keep=1.0))
    assert whole.params_after == whole.params_before
    for got, want in zip(outputs(whole.net.eval(), x), outputs(net, x), strict=True):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    half = channel_prune(net, ChannelPruneConfig(keep=0.5))
    assert half.channels_after == 4 and half.params_after < half.params_before
    assert type(half.net) is type(net) and half.net.config.family == net.config.family
    narrow = {n: t.shape for n, t in half.net.state_dict().items()}
    wide = {n: t.shape for n, t in net.state_dict().items()}
    assert any(narrow[n] < wide[n] for n in wide if n.startswith("body."))
    got = outputs(half.net.eval(), x)
    assert [t.shape for t in got] == [t.shape for t in outputs(net, x)]
    assert all(bool(torch.isfinite(t).all()) for t in got)


@pytest.mark.parametrize("name", [n for n in PRUNABLE if net_config(n).family in POST_NORM])
def test_pruning_silent_channels_is_exact(name: str) -> None:
    net = small(name)
    silence_last_half(net.body)
    pruned = channel_prune(net, ChannelPruneConfig(keep=0.5))
    assert (pruned.channels_before, pruned.channels_after) == (8, 4)
    assert pruned.params_after < pruned.params_before
    x = torch.randn(3, net.config.in_planes, 9, 9)
    for got, want in zip(outputs(pruned.net.eval(), x), outputs(net, x), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", PRUNABLE)
@pytest.mark.parametrize("norm", ["l1", "l2"])
def test_the_pruned_net_is_smaller_saves_and_loads(name: str, norm: str, tmp_path: Path) -> None:
    net = small(name)
    pruned = channel_prune(net, ChannelPruneConfig(keep=0.75, norm=norm))  # type: ignore[arg-type]
    assert getattr(pruned.net.config, "channels") == 6  # noqa: B009
    assert type(pruned.net) is type(net)
    path = tmp_path / "small.safetensors"
    save_checkpoint(pruned.net, path)
    loaded = load_checkpoint(path).eval()
    x = torch.randn(2, net.config.in_planes, 9, 9)
    for got, want in zip(outputs(loaded, x), outputs(pruned.net.eval(), x), strict=True):
        torch.testing.assert_close(got, want)


def test_the_filters_kept_are_those_of_largest_norm() -> None:
    net = small("alphago_policy_l13c192")
    with torch.no_grad():
        net.body.layers[0][0].weight.mul_(0.01)
        net.body.layers[0][0].weight[[1, 6]] *= 1000.0
    pruned = channel_prune(net, ChannelPruneConfig(keep=0.25))
    first = pruned.net.body.layers[0][0].weight
    torch.testing.assert_close(first, net.body.layers[0][0].weight[[1, 6]])


@pytest.mark.parametrize("name", REFUSED)
def test_unsupported_bodies_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="structured pruning"):
        check_supported(net_config(name))


@pytest.mark.parametrize("keep", [0.0, -0.1, 1.5])
def test_a_bad_keep_is_refused(keep: float) -> None:
    with pytest.raises(ValueError, match="keep must be"):
        ChannelPruneConfig(keep=keep)


@pytest.mark.parametrize(
    ("name", "player"), [("alphago_policy_l13c192", "policy"), ("resnet_b6c64", "mcts")]
)
def test_a_pruned_checkpoint_plays(name: str, player: str, tmp_path: Path) -> None:
    net = small(name)
    assert isinstance(net, PolicyNet | PolicyValueNet)
    path = tmp_path / "pruned.safetensors"
    save_checkpoint(channel_prune(net, ChannelPruneConfig(keep=0.5)).net, path)
    options = {"visits": 8} if player == "mcts" else {}
    check_player(create_player(player, checkpoint=str(path), seed=4, **options), sizes=(9,))
