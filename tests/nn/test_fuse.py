"""Batch-norm folding and the inference preparations: same outputs as the eval-mode net."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from igo.nn.fuse import count_batch_norms, fuse_conv_bn, fuse_conv_bn_weights, relu_inplace_
from igo.nn.inference import (
    TorchEvaluator,
    prepare_eager,
    prepare_for_inference,
    prepare_jit,
    trace_frozen,
    tune_cpu_malloc,
)
from igo.nn.registry import create_net, list_nets

TINY: dict[str, Any] = dict(board_size=5, in_planes=4, channels=8, blocks=2, value_hidden=16)
Tiny = Callable[[str], dict[str, Any]]
Norms = Callable[[nn.Module], nn.Module]


def _outputs(net: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    with torch.no_grad():
        out = net(x)
    return list(out) if isinstance(out, tuple) else [out]


@pytest.mark.parametrize("name", list_nets())
def test_fused_net_matches_eval_mode(name: str, tiny: Tiny, randomise_norms: Norms) -> None:
    net = randomise_norms(create_net(name, **tiny(name)))
    before = {k: v.clone() for k, v in net.state_dict().items()}
    fused = fuse_conv_bn(net)
    x = torch.randn(3, net.config.in_planes, 5, 5)
    for got, want in zip(_outputs(fused, x), _outputs(net, x), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)
    assert not fused.training
    assert all(not p.requires_grad for p in fused.parameters())
    # The original is untouched.
    for key, value in net.state_dict().items():
        torch.testing.assert_close(value, before[key], rtol=0, atol=0)


def test_post_activation_nets_lose_every_batch_norm() -> None:
    net = create_net("resnet_b6c64", **TINY)
    assert count_batch_norms(net) > 0
    assert count_batch_norms(fuse_conv_bn(net)) == 0
    # A pre-activation block's first norm reads the block input (the shortcut does too): it stays.
    preact = create_net("preact_b6c64", **TINY)
    assert 0 < count_batch_norms(fuse_conv_bn(preact)) < count_batch_norms(preact)
    # Group norm depends on the input: nothing to fold.
    group = create_net("resnet_b6c64_gn", **TINY)
    assert count_batch_norms(fuse_conv_bn(group)) == 0
    assert sum(isinstance(m, nn.GroupNorm) for m in fuse_conv_bn(group).modules()) > 0


@pytest.mark.parametrize("bias", [False, True])
def test_fuse_conv_bn_weights(bias: bool, randomise_norms: Norms) -> None:
    conv = nn.Conv2d(3, 6, 3, padding=1, bias=bias)
    norm = randomise_norms(nn.Sequential(nn.BatchNorm2d(6)))[0]
    fused = fuse_conv_bn_weights(conv, norm)
    x = torch.randn(2, 3, 7, 7)
    with torch.no_grad():
        torch.testing.assert_close(fused(x), norm(conv(x)), rtol=1e-5, atol=1e-5)
    assert fused.bias is not None
    with pytest.raises(ValueError, match="channels"):
        fuse_conv_bn_weights(conv, nn.BatchNorm2d(5))


@pytest.mark.parametrize("name", ["resnet_b6c64", "preact_b6c64", "densenet_b3c32_k16"])
def test_prepared_paths_match_the_net(name: str, tiny: Tiny, randomise_norms: Norms) -> None:
    """The default (folded, NHWC, in-place ReLU) and the TorchScript path, at two batch sizes."""
    net = randomise_norms(create_net(name, **tiny(name)))
    planes = np.random.default_rng(0).standard_normal((6, 4, 5, 5)).astype(np.float32)
    want = TorchEvaluator(net, device="cpu", prepare_fn=prepare_eager).evaluate(planes)
    for prepare_fn in (prepare_for_inference, prepare_jit):
        evaluator = TorchEvaluator(net, device="cpu", prepare_fn=prepare_fn)
        for batch in (6, 1):
            got = evaluator.evaluate(planes[:batch])
            for a, b in zip(got, want, strict=True):
                np.testing.assert_allclose(a, b[:batch], rtol=1e-4, atol=1e-5)


def test_in_place_relu_keeps_the_shortcut() -> None:
    """With norm="none" a pre-activation ReLU reads the block input: it must not be in place."""
    net = create_net("preact_b6c64", norm="none", **TINY).eval()
    model = prepare_for_inference(net, torch.device("cpu"))
    x = torch.randn(2, 4, 5, 5)
    for got, want in zip(_outputs(model, x), _outputs(net, x), strict=True):
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_evaluator_follows_weight_updates(randomise_norms: Norms) -> None:
    """The prepared copy is rebuilt when the net's weights change in place."""
    net = randomise_norms(create_net("resnet_b6c64", **TINY))
    evaluator = TorchEvaluator(net, device="cpu")
    planes = np.random.default_rng(1).standard_normal((2, 4, 5, 5)).astype(np.float32)
    first = evaluator.evaluate(planes)
    model = evaluator.model
    assert evaluator.model is model  # no change, no rebuild
    other = randomise_norms(create_net("resnet_b6c64", **TINY))
    with torch.no_grad():
        for p in other.parameters():
            p.add_(0.1)
    net.load_state_dict(other.state_dict())
    second = evaluator.evaluate(planes)
    assert evaluator.model is not model
    assert not np.allclose(first[0], second[0])
    want = TorchEvaluator(other, device="cpu", prepare_fn=prepare_eager).evaluate(planes)
    np.testing.assert_allclose(second[0], want[0], rtol=1e-4, atol=1e-5)


def test_tune_cpu_malloc_is_harmless() -> None:
    assert isinstance(tune_cpu_malloc(), bool)
    net = create_net("resnet_b6c64", **TINY)
    logits, values = TorchEvaluator(net, device="cpu").evaluate(np.zeros((3, 4, 5, 5), np.float32))
    assert logits.shape == (3, 26) and values.shape == (3,)


class _Branchy(nn.Module):
    """Python control flow on the input: fx cannot trace it, so its Sequential is folded alone."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.layer(x)
        return out if x.shape[0] > 1 else -out


def test_untraceable_module_falls_back_to_sequential_order(randomise_norms: Norms) -> None:
    module = randomise_norms(_Branchy())
    fused = fuse_conv_bn(module)
    assert count_batch_norms(fused) == 0
    relu_inplace_(fused)
    for batch in (1, 3):
        x = torch.randn(batch, 3, 5, 5)
        torch.testing.assert_close(_outputs(fused, x)[0], _outputs(module, x)[0])


def test_the_jitted_path_of_a_pooled_net_is_right_at_every_size(randomise_norms: Norms) -> None:
    """Pooled heads read the board width off the input's shape, which a trace freezes: a pooled
    net is not traced (tracing per size measured slower), never a 5x5 trace run on 7x7."""
    net = randomise_norms(create_net("resnet_b6c64", heads="pooled", **TINY)).eval()
    rng = np.random.default_rng(2)
    jitted = TorchEvaluator(net, device="cpu", prepare_fn=prepare_jit)
    eager = TorchEvaluator(net, device="cpu", prepare_fn=prepare_eager)
    for size in (5, 7, 9):
        planes = rng.standard_normal((3, 4, size, size)).astype(np.float32)
        for a, b in zip(jitted.evaluate(planes), eager.evaluate(planes), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # What one trace at 5x5 gives on 7x7 boards: the width it froze, so other values.
    model = prepare_for_inference(net, torch.device("cpu"))
    once = trace_frozen(model, torch.zeros(1, 4, 5, 5))
    x = torch.from_numpy(rng.standard_normal((3, 4, 7, 7)).astype(np.float32))
    assert not torch.allclose(_outputs(once, x)[1], _outputs(net, x)[1], atol=1e-4)
