"""WaveNet: causality, receptive field, mu-law, and a short training run on sines."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from igo.nn.wavenet import (
    WaveNet,
    mu_law_decode,
    mu_law_encode,
    train_wavenet_example,
    wavenet_receptive_field,
)


def _small(layers: int = 4, stacks: int = 2, kernel_size: int = 2) -> WaveNet:
    return WaveNet(
        quantization_channels=16,
        residual_channels=8,
        dilation_channels=8,
        skip_channels=8,
        layers_per_stack=layers,
        stacks=stacks,
        kernel_size=kernel_size,
    ).eval()


@settings(max_examples=25, deadline=None)
@given(t=st.integers(0, 62), seed=st.integers(0, 2**16))
def test_outputs_never_see_the_future(t: int, seed: int) -> None:
    """Changing inputs after step t leaves every output up to t unchanged."""
    net = _small()
    gen = torch.Generator().manual_seed(seed)
    codes = torch.randint(0, 16, (2, 64), generator=gen)
    changed = codes.clone()
    changed[:, t + 1 :] = torch.randint(0, 16, (2, 63 - t), generator=gen)
    with torch.no_grad():
        before, after = net(codes), net(changed)
    assert torch.equal(before[:, :, : t + 1], after[:, :, : t + 1])


@pytest.mark.parametrize(("layers", "stacks", "kernel_size"), [(4, 2, 2), (3, 1, 3), (5, 1, 2)])
def test_receptive_field_matches_formula(layers: int, stacks: int, kernel_size: int) -> None:
    """The last output depends on exactly the last ``receptive_field`` inputs."""
    net = _small(layers, stacks, kernel_size)
    expected = (kernel_size - 1) * (1 + stacks * (2**layers - 1)) + 1
    assert net.receptive_field == wavenet_receptive_field(layers, stacks, kernel_size) == expected
    length = expected + 10
    x = torch.randn(1, 16, length, requires_grad=True)
    net(x)[0, :, -1].sum().backward()
    seen = (x.grad[0].abs().sum(dim=0) > 0).nonzero().flatten()
    assert seen.tolist() == list(range(length - expected, length))


def test_paper_receptive_field() -> None:
    """Dilations up to 512, as in the paper: 1,024 samples per stack, plus the input conv."""
    assert wavenet_receptive_field(10, 1) == 1025
    assert wavenet_receptive_field(10, 3) == 3071


def test_mu_law_round_trip() -> None:
    x = torch.linspace(-1, 1, 1001)
    codes = mu_law_encode(x)
    assert codes.dtype == torch.int64 and codes.min() == 0 and codes.max() == 255
    assert torch.equal(mu_law_encode(mu_law_decode(torch.arange(256))), torch.arange(256))
    # Companding: small amplitudes get finer steps than large ones.
    assert (mu_law_decode(codes) - x).abs().max() < 0.025
    error = (mu_law_decode(codes) - x).abs()
    assert error[490:511].max() < 1e-3 < error.max()  # |x| <= 0.02 vs the whole range


def test_generate_extends_the_sequence() -> None:
    net = _small()
    prime = torch.randint(0, 16, (2, 5))
    out = net.generate(prime, 7, generator=torch.Generator().manual_seed(0))
    assert out.shape == (2, 12) and torch.equal(out[:, :5], prime)
    assert out.min() >= 0 and out.max() < 16


def test_training_beats_the_uniform_baseline() -> None:
    """A short run predicts a mu-law sum of sines far better than log(256) nats."""
    losses = train_wavenet_example(steps=80, seed=0, batch_size=4, length=128)
    assert len(losses) == 80
    assert losses[0] == pytest.approx(math.log(256), abs=0.3)
    assert sum(losses[-5:]) / 5 < 0.6 * math.log(256)
