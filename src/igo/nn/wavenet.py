"""WaveNet (van den Oord et al. 2016): an autoregressive model of a 1-D signal.

Stacks of dilated causal convolutions, the dilation doubling layer by layer (1, 2, 4, ...,
512 in the paper) and the pattern repeated in stacks, give a receptive field that grows
exponentially with depth (section 2.1). Each layer is a gated activation unit
``z = tanh(W_f * x) * sigmoid(W_g * x)`` (eq. 2) with a 1x1 residual connection and a 1x1 skip
connection; the summed skips go through ReLU-1x1-ReLU-1x1 to a softmax over the 256 mu-law levels
of the next sample (section 2.2, Fig. 4).

Receptive field, counting the initial causal conv (dilation 1) and ``S`` stacks of ``L`` layers of
kernel ``K``: ``R = (K - 1) * (1 + S * (2**L - 1)) + 1``. The output at step t is the
distribution of the sample at t + 1 and depends on samples ``t - R + 1 .. t`` only.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn


def mu_law_encode(x: Tensor, quantization_channels: int = 256) -> Tensor:
    """Quantise a signal in [-1, 1] to ``quantization_channels`` mu-law levels (eq. 1).

    Args:
        x: signal of any shape; values are clipped to [-1, 1].
        quantization_channels: levels Q; mu = Q - 1.

    Returns:
        int64 codes in [0, Q - 1], same shape as ``x``.
    """
    mu = quantization_channels - 1
    x = x.clamp(-1.0, 1.0)
    companded = torch.sign(x) * torch.log1p(mu * x.abs()) / math.log1p(mu)
    return ((companded + 1) / 2 * mu + 0.5).floor().long()


def mu_law_decode(codes: Tensor, quantization_channels: int = 256) -> Tensor:
    """Inverse of ``mu_law_encode``: codes in [0, Q - 1] to float values in [-1, 1]."""
    mu = quantization_channels - 1
    companded = 2 * codes.float() / mu - 1
    return torch.sign(companded) * torch.expm1(companded.abs() * math.log1p(mu)) / mu


def wavenet_receptive_field(layers_per_stack: int, stacks: int, kernel_size: int = 2) -> int:
    """``(K - 1) * (1 + S * (2**L - 1)) + 1``: samples one output depends on."""
    return (kernel_size - 1) * (1 + stacks * ((1 << layers_per_stack) - 1)) + 1


class CausalConv1d(nn.Conv1d):
    """A 1-D convolution padded on the left only, so output t sees inputs up to t (Fig. 2)."""

    def __init__(
        self, in_channels: int, out_channels: int, kernel_size: int, dilation: int = 1
    ) -> None:
        super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)
        self.left_pad = (kernel_size - 1) * dilation

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C_in, T] -> [B, C_out, T]``."""
        return super().forward(F.pad(x, (self.left_pad, 0)))


class ResidualLayer(nn.Module):
    """Dilated causal conv, gated unit, then 1x1 convs to the residual and skip paths (Fig. 4)."""

    def __init__(
        self,
        residual_channels: int,
        dilation_channels: int,
        skip_channels: int,
        dilation: int,
        kernel_size: int = 2,
        residual_out: bool = True,
    ) -> None:
        super().__init__()
        self.conv = CausalConv1d(residual_channels, 2 * dilation_channels, kernel_size, dilation)
        # The last layer's residual output is never read, so it gets no 1x1 conv.
        self.residual = nn.Conv1d(dilation_channels, residual_channels, 1) if residual_out else None
        self.skip = nn.Conv1d(dilation_channels, skip_channels, 1)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``[B, R, T] -> ([B, R, T], [B, S, T])``: residual output and skip output."""
        filt, gate = self.conv(x).chunk(2, dim=1)
        z = torch.tanh(filt) * torch.sigmoid(gate)
        out = x + self.residual(z) if self.residual is not None else x
        return out, self.skip(z)


class WaveNet(nn.Module):
    """The unconditional WaveNet: codes ``[B, T]`` -> next-sample logits ``[B, Q, T]``."""

    def __init__(
        self,
        quantization_channels: int = 256,
        residual_channels: int = 32,
        dilation_channels: int = 32,
        skip_channels: int = 64,
        layers_per_stack: int = 10,
        stacks: int = 1,
        kernel_size: int = 2,
    ) -> None:
        """Args:
        quantization_channels: Q, the levels of input and output (256 in the paper).
        residual_channels: channels of the residual path.
        dilation_channels: channels of each gated unit.
        skip_channels: channels of the skip path.
        layers_per_stack: L; dilations 1, 2, ..., 2**(L - 1) in each stack.
        stacks: S, how often the dilation pattern repeats.
        kernel_size: K of every causal conv (2 in the paper).
        """
        super().__init__()
        self.quantization_channels = quantization_channels
        self.kernel_size = kernel_size
        self.dilations = [1 << i for i in range(layers_per_stack)] * stacks
        self.input_conv = CausalConv1d(quantization_channels, residual_channels, kernel_size)
        last = len(self.dilations) - 1
        self.layers = nn.ModuleList(
            ResidualLayer(
                residual_channels, dilation_channels, skip_channels, d, kernel_size, i < last
            )
            for i, d in enumerate(self.dilations)
        )
        self.output = nn.Sequential(
            nn.ReLU(),
            nn.Conv1d(skip_channels, skip_channels, 1),
            nn.ReLU(),
            nn.Conv1d(skip_channels, quantization_channels, 1),
        )

    @property
    def receptive_field(self) -> int:
        """Samples one output depends on: the input conv plus every dilated layer."""
        return (self.kernel_size - 1) * (1 + sum(self.dilations)) + 1

    def forward(self, x: Tensor) -> Tensor:
        """Next-sample logits.

        Args:
            x: int64 codes [B, T], or their float one-hot encoding [B, Q, T].

        Returns:
            Logits [B, Q, T]; position t scores the sample at t + 1.
        """
        if not x.is_floating_point():
            x = F.one_hot(x, self.quantization_channels).transpose(1, 2).float()
        h = self.input_conv(x)
        skips = torch.zeros((), device=x.device)
        for layer in self.layers:
            h, skip = layer(h)
            skips = skips + skip
        out: Tensor = self.output(skips)
        return out

    @torch.no_grad()
    def generate(
        self, prime: Tensor, steps: int, generator: torch.Generator | None = None
    ) -> Tensor:
        """Sample ``steps`` more codes after ``prime`` [B, T0] (T0 >= 1); returns [B, T0 + steps].

        The plain loop recomputes the last receptive field at every step (no caching).
        """
        codes = prime
        for _ in range(steps):
            logits = self(codes[:, -self.receptive_field :])[:, :, -1]
            probs = torch.softmax(logits, dim=1)
            nxt = torch.multinomial(probs, 1, generator=generator)
            codes = torch.cat([codes, nxt], dim=1)
        return codes


def sine_mixture(
    batch: int, length: int, rng: np.random.Generator, periods: tuple[float, ...] = (23.0, 9.0)
) -> Tensor:
    """A batch [B, T] of sums of sines with these periods (in samples) and random phases."""
    t = np.arange(length)
    phases = rng.uniform(0, 2 * np.pi, size=(batch, len(periods), 1))
    amplitudes = np.array([0.6, 0.3])[: len(periods), None]
    waves = (amplitudes * np.sin(2 * np.pi * t / np.array(periods)[:, None] + phases)).sum(axis=1)
    return torch.from_numpy(waves.astype(np.float32))


def train_wavenet_example(
    steps: int = 200, seed: int = 0, batch_size: int = 8, length: int = 256, lr: float = 1e-2
) -> list[float]:
    """Train a small WaveNet to predict a sum of two sines quantised to 256 mu-law levels.

    The uniform baseline is ``log(256) ~ 5.55`` nats per sample; the loss falls well below it
    within a hundred steps, because the next sample is nearly determined by the past ones.

    Args:
        steps: optimiser steps (Adam).
        seed: seeds the net's initialisation and the data.
        batch_size: sequences per step.
        length: samples per sequence.
        lr: Adam's learning rate.

    Returns:
        The training cross-entropy (nats per sample) of every step.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = WaveNet(residual_channels=32, dilation_channels=32, skip_channels=64, layers_per_stack=6)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        codes = mu_law_encode(sine_mixture(batch_size, length, rng))
        logits = net(codes[:, :-1])
        loss = F.cross_entropy(logits, codes[:, 1:])
        optimizer.zero_grad()
        torch.autograd.backward(loss)
        optimizer.step()
        losses.append(loss.item())
    return losses
