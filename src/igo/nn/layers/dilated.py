"""Dilated gated convolution: WaveNet's unit (van den Oord et al. 2016) on the 2-D board.

A 3 x 3 convolution with dilation d reads points d apart, so stacking dilations 1, 2, 4, 8, ...
grows the receptive field exponentially with depth: after dilations ``d_1..d_n`` a point sees
``1 + (K - 1) * sum(d_i)`` points along each axis. The gated activation unit of WaveNet (eq. 2),
``z = tanh(W_f * x) * sigmoid(W_g * x)``, replaces the ReLU.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import same_padding
from igo.nn.layers.norm import NormFn


def receptive_field(dilations: Sequence[int], kernel_size: int = 3) -> int:
    """Points seen along one axis after stacking convs with these dilations."""
    return 1 + (kernel_size - 1) * sum(dilations)


def doubling_dilations(board_size: int, kernel_size: int = 3) -> tuple[int, ...]:
    """Dilations 1, 2, 4, ... until one pass sees the whole board from any point.

    From a corner the farthest point is ``board_size - 1`` away along each axis, so the cycle
    stops once ``(K - 1) / 2 * sum(d) >= board_size - 1``.
    """
    radius_per_unit = (kernel_size - 1) // 2
    dilations = [1]
    while radius_per_unit * sum(dilations) < board_size - 1:
        dilations.append(dilations[-1] * 2)
    return tuple(dilations)


class GatedConv2d(nn.Module):
    """``tanh(norm(W_f * x)) * sigmoid(norm(W_g * x))``, dilated K x K filters (WaveNet eq. 2)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        *,
        dilation: int = 1,
        kernel_size: int = 3,
        norm_fn: NormFn,
    ) -> None:
        """Args:
        in_channels: input channels.
        out_channels: gated output channels.
        dilation: spacing of the kernel taps.
        kernel_size: odd square kernel size.
        norm_fn: builds the norm applied to the filter and gate pre-activations together.
        """
        super().__init__()
        # One conv computes filter and gate together: half its channels each.
        self.norm = norm_fn(2 * out_channels)
        self.conv = nn.Conv2d(
            in_channels,
            2 * out_channels,
            kernel_size,
            padding=same_padding(kernel_size, dilation),
            dilation=dilation,
            bias=isinstance(self.norm, nn.Identity),
        )
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C_in, H, W] -> [B, C_out, H, W]``."""
        filt, gate = self.norm(self.conv(x)).chunk(2, dim=1)
        return torch.tanh(filt) * torch.sigmoid(gate)
