"""Dilated body: WaveNet's idea (van den Oord et al. 2016) on the 2-D board.

Blocks cycle through dilations 1, 2, 4, 8, ... so that one cycle already lets every point see the
whole board (9x9: 1, 2, 4, 8 gives a receptive field of 33 with the stem). Each block is a gated
dilated 3x3 conv, ``tanh(W_f * x) * sigmoid(W_g * x)`` (WaveNet eq. 2), a 1x1 conv back onto the
residual path and another 1x1 conv onto the skip path (WaveNet Fig. 4). The body's output is
``ReLU -> 1x1 conv-norm-ReLU`` of the summed skips, like WaveNet's output stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import cycle, islice
from typing import ClassVar

import torch
from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import ConvNormAct
from igo.nn.layers.dilated import GatedConv2d, doubling_dilations, receptive_field
from igo.nn.layers.norm import NormFn, norm_fn
from igo.nn.net import Backbone, Net, NetConfig, assemble_net
from igo.nn.registry import register_family, register_net


@dataclass(frozen=True, kw_only=True)
class DilatedConfig(NetConfig):
    """``dilated``: gated dilated residual blocks with WaveNet's skip connections."""

    family: ClassVar[str] = "dilated"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels")
    blocks: int = 6
    """Gated dilated blocks after the stem."""
    channels: int = 64
    """Filters of every layer."""
    max_dilation: int = 0
    """Cycle dilations 1, 2, 4, ..., max_dilation; 0 picks the shortest cycle seeing the whole
    board."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.max_dilation < 0 or self.max_dilation & (self.max_dilation - 1):
            raise ValueError(
                f"DilatedConfig.max_dilation must be 0 or a power of 2, got {self.max_dilation}"
            )


def dilation_schedule(blocks: int, board_size: int, max_dilation: int = 0) -> list[int]:
    """Dilation of each block: the cycle 1, 2, ..., max_dilation repeated over ``blocks``.

    ``max_dilation = 0`` picks the shortest doubling cycle that sees the whole board.
    """
    if max_dilation:
        base = tuple(2**i for i in range(max_dilation.bit_length()))
    else:
        base = doubling_dilations(board_size)
    return list(islice(cycle(base), blocks))


class DilatedBlock(nn.Module):
    """Gated dilated conv; returns (residual output, skip output)."""

    def __init__(
        self, channels: int, dilation: int, norm_fn: NormFn, residual_out: bool = True
    ) -> None:
        """Args:
        channels: filters of every conv.
        dilation: spacing of the gated conv's taps.
        norm_fn: builds the gated conv's norm.
        residual_out: False for the last block, whose residual output nothing reads.
        """
        super().__init__()
        self.gated = GatedConv2d(channels, channels, dilation=dilation, norm_fn=norm_fn)
        self.residual = nn.Conv2d(channels, channels, 1) if residual_out else None
        self.skip = nn.Conv2d(channels, channels, 1)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``[B, C, N, N] -> ([B, C, N, N], [B, C, N, N])``."""
        z = self.gated(x)
        out = x + self.residual(z) if self.residual is not None else x
        return out, self.skip(z)


class DilatedResNet(Backbone):
    """Stem conv-norm-ReLU, gated dilated residual blocks, output stack over the summed skips."""

    def __init__(
        self,
        in_planes: int,
        channels: int,
        dilations: list[int],
        norm: str = "batch",
    ) -> None:
        """Args:
        in_planes: input feature planes.
        channels: filters of every layer.
        dilations: one per block (see ``dilation_schedule``).
        norm: norm name (see ``create_norm``).
        """
        super().__init__()
        nf = norm_fn(norm)
        self.stem = ConvNormAct(in_planes, channels, 3, norm_fn=nf)
        last = len(dilations) - 1
        self.blocks = nn.ModuleList(
            DilatedBlock(channels, d, nf, residual_out=i < last) for i, d in enumerate(dilations)
        )
        self.output = ConvNormAct(channels, channels, 1, norm_fn=nf)
        self.dilations = tuple(dilations)
        self.out_channels = channels

    @property
    def receptive_field(self) -> int:
        """Points seen along one axis by one output point: the stem plus every block."""
        return receptive_field((1, *self.dilations))

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, channels, N, N]``."""
        x = self.stem(x)
        skips = torch.zeros_like(x)
        for block in self.blocks:
            x, skip = block(x)
            skips = skips + skip
        out: Tensor = self.output(torch.relu(skips))
        return out


@register_family(DilatedConfig)
def _create_dilated(config: DilatedConfig) -> Net:
    dilations = dilation_schedule(config.blocks, config.board_size, config.max_dilation)
    body = DilatedResNet(config.in_planes, config.channels, dilations, config.norm)
    return assemble_net(config, body)


@register_net
def dilated_b8c64() -> DilatedConfig:
    """8 gated blocks of 64 filters; at 9x9 the dilations run 1, 2, 4, 8 twice.

    Parameters: 703,229 at 9x9 with 17 input planes.
    """
    return DilatedConfig(blocks=8, channels=64)


@register_net
def dilated_b12c128() -> DilatedConfig:
    """12 gated blocks of 128 filters; at 9x9 the dilations run 1, 2, 4, 8 three times.

    Parameters: 3,996,349 at 9x9 with 17 input planes.
    """
    return DilatedConfig(blocks=12, channels=128)
