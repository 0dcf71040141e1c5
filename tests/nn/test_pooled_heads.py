"""KataGo's pooled heads on every registered body: any board size, board masks, aux outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import nn

from igo.nn.board_mask import OFF_BOARD_LOGIT, global_pool, pad_boards
from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.nn.net import PolicyNet, PolicyValueNet, ValueNet
from igo.nn.registry import create_net, list_nets, net_config

Tiny = Callable[[str], dict[str, Any]]


def _random_running_stats(net: nn.Module) -> None:
    """Batch norms with the statistics of a trained net, not the identity of a fresh one."""
    for module in net.modules():
        if isinstance(module, nn.BatchNorm2d):
            assert module.running_mean is not None and module.running_var is not None
            module.running_mean.normal_(0, 0.5)
            module.running_var.uniform_(0.5, 2.0)


def _outputs(net: nn.Module, x: torch.Tensor, mask: torch.Tensor | None = None) -> list[Any]:
    if isinstance(net, PolicyValueNet):
        return list(net(x, mask, aux=True))
    return [net(x, mask)]


def _on_board(out: torch.Tensor, kind: int, n: int, size: int) -> torch.Tensor:
    """Output ``kind`` of one board of side ``n`` cut from a batch padded to ``size``."""
    if kind == 0 and out.dim() == 1 and out.shape[0] == size * size + 1:  # policy logits
        points = out[: size * size].reshape(size, size)[:n, :n].flatten()
        return torch.cat([points, out[-1:]])
    if out.dim() == 2:  # ownership
        return out[:n, :n]
    return out


@pytest.mark.parametrize("name", list_nets())
def test_every_body_runs_any_size_with_pooled_heads(name: str, tmp_path, tiny: Tiny) -> None:
    """Built at 5x5, the same weights run 9x9 and 13x13; save and load are exact."""
    net = create_net(name, heads="pooled", **tiny(name))
    _random_running_stats(net)
    net.eval()
    planes = net.config.in_planes
    for n in (9, 13):
        x = torch.randn(2, planes, n, n)
        with torch.no_grad():
            outputs = _outputs(net, x)
        if isinstance(net, PolicyValueNet):
            policy, value, score, ownership = outputs
            assert policy.shape == (2, n * n + 1) and value.shape == (2,) and score.shape == (2,)
            assert ownership.shape == (2, n, n) and ownership.abs().max() < 1
        elif isinstance(net, PolicyNet):
            assert outputs[0].shape == (2, n * n + 1)
        else:
            assert isinstance(net, ValueNet) and outputs[0].shape == (2,)
        assert all(torch.isfinite(o).all() for o in outputs)
    save_checkpoint(net, tmp_path / "net.safetensors", version="test")
    loaded = load_checkpoint(tmp_path / "net.safetensors")
    assert loaded.config == net.config and loaded.config.heads == "pooled"
    x = torch.randn(2, planes, 13, 13)
    with torch.no_grad():
        for before, after in zip(_outputs(net, x), _outputs(loaded, x), strict=True):
            assert torch.equal(before, after)


@pytest.mark.parametrize("name", list_nets())
def test_a_board_alone_and_padded_in_a_bigger_batch_agree(name: str, tiny: Tiny) -> None:
    """A 9x9 position alone, and the same position padded inside a 13x13 batch beside a 13x13
    one, give the same policy (on-board points and pass), value, score and ownership (batch norm:
    norms that average over the board see the padding, as ``igo.nn.board_mask`` says)."""
    # Squeeze-excite pools over the board too: on in the resnet family.
    se = {"se_reduction": 2} if net_config(name).family == "resnet" else {}
    net = create_net(name, heads="pooled", norm="batch", **tiny(name), **se)
    _random_running_stats(net)
    net.eval()
    planes = net.config.in_planes
    small, big = torch.randn(1, planes, 9, 9), torch.randn(1, planes, 13, 13)
    batch, mask = pad_boards([small[0], big[0]])
    with torch.no_grad():
        alone = _outputs(net, small)
        big_alone = _outputs(net, big)
        padded = _outputs(net, batch, mask)
    for kind, (one, both, other) in enumerate(zip(alone, padded, big_alone, strict=True)):
        cut = _on_board(both[0], kind, 9, 13)
        torch.testing.assert_close(cut, one[0], rtol=1e-4, atol=1e-4)
        torch.testing.assert_close(both[1], other[0], rtol=1e-4, atol=1e-4)
    if isinstance(net, (PolicyValueNet, PolicyNet)):
        off = padded[0][0][: 13 * 13].reshape(13, 13)
        assert (off[9:, :] == OFF_BOARD_LOGIT).all() and (off[:, 9:] == OFF_BOARD_LOGIT).all()
        assert torch.softmax(padded[0][0], 0)[: 13 * 13].reshape(13, 13)[9:, :].sum() == 0


def test_without_the_mask_the_padded_board_differs(tiny: Tiny) -> None:
    """The test above can fail: padding read as empty board points changes the answer."""
    net = create_net("resnet_b6c64", heads="pooled", **tiny("resnet_b6c64"))
    _random_running_stats(net)
    net.eval()
    small, big = torch.randn(1, 4, 9, 9), torch.randn(1, 4, 13, 13)
    batch, _ = pad_boards([small[0], big[0]])
    with torch.no_grad():
        alone, padded = net(small)[1], net(batch)[1]
    assert not torch.allclose(alone[0], padded[0], atol=1e-4)


def test_no_pooled_weight_depends_on_the_board_size(tiny: Tiny) -> None:
    shapes = [
        {
            k: v.shape
            for k, v in create_net(n, heads="pooled", **(tiny(n) | {"board_size": s}))
            .state_dict()
            .items()
        }
        for n in ("resnet_b6c64", "alphago_policy_l13c192")
        for s in (5, 19)
    ]
    assert shapes[0] == shapes[1] and shapes[2] == shapes[3]


def test_fixed_heads_keep_their_size_and_refuse_a_mask(tiny: Tiny) -> None:
    net = create_net("resnet_b6c64", **tiny("resnet_b6c64"))
    assert net.config.heads == "fixed"
    policy, value, score, ownership = net(torch.randn(1, 4, 5, 5), aux=True)
    assert score is None and ownership is None and policy.shape == (1, 26)
    with pytest.raises(ValueError, match="expected input"):
        net(torch.randn(1, 4, 9, 9))
    with pytest.raises(ValueError, match="no board mask"):
        net(torch.randn(1, 4, 5, 5), torch.ones(1, 1, 5, 5))
    with pytest.raises(ValueError, match="heads must be one of"):
        create_net("resnet_b6c64", heads="global")


def test_global_pool_counts_board_points_only() -> None:
    x = torch.zeros(1, 1, 4, 4)
    x[0, 0, :2, :2] = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    x[0, 0, 3, 3] = 100.0  # off the 2x2 board: ignored
    mask = torch.zeros(1, 1, 4, 4)
    mask[0, 0, :2, :2] = 1
    mean, scaled, top = global_pool(x, mask)[0]
    assert (float(mean), float(top)) == (3.0, 6.0)
    assert float(scaled) == pytest.approx(3.0 * (2 - 14) / 10)
