"""PyramidNet (Han, Kim & Kim 2017): widen a little at every block instead of in steps.

A sudden doubling of width overloads the block right after it; PyramidNet spreads a total widening
alpha over all N blocks, block k having ``channels + floor(alpha * k / N)`` filters (additive
PyramidNet, eq. 2). The shortcut stays parameter-free: the input is zero-padded to the new width
(section 3.2, option A). Blocks are norm-conv-norm-ReLU-conv-norm, with no ReLU after the add
(Fig. 6d).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch.nn.functional as F
from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import ConvNormAct
from igo.nn.layers.norm import NormFn, norm_fn
from igo.nn.net import Backbone, Net, NetConfig, assemble_net
from igo.nn.registry import register_family, register_net


@dataclass(frozen=True, kw_only=True)
class PyramidConfig(NetConfig):
    """``pyramid``: blocks that each widen a little, with zero-padded shortcuts."""

    family: ClassVar[str] = "pyramid"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels")
    blocks: int = 6
    """Pyramid blocks after the stem."""
    channels: int = 64
    """Filters of the stem; block i has channels + floor(alpha * i / blocks)."""
    alpha: int = 48
    """Total widening over all blocks."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.check_at_least(0, "alpha")


def pyramid_widths(channels: int, blocks: int, alpha: int) -> list[int]:
    """Filters of blocks 1..N: ``channels + floor(alpha * k / N)``."""
    return [channels + (alpha * k) // blocks for k in range(1, blocks + 1)]


class PyramidBlock(nn.Module):
    """Norm-conv-norm-ReLU-conv-norm plus the input zero-padded to ``out_channels``."""

    def __init__(self, in_channels: int, out_channels: int, norm_fn: NormFn) -> None:
        super().__init__()
        self.norm = norm_fn(in_channels)
        self.conv1 = ConvNormAct(in_channels, out_channels, 3, norm_fn=norm_fn)
        self.conv2 = ConvNormAct(out_channels, out_channels, 3, norm_fn=norm_fn, act_fn=None)
        self.extra_channels = out_channels - in_channels

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C_in, N, N] -> [B, C_out, N, N]``."""
        shortcut = F.pad(x, (0, 0, 0, 0, 0, self.extra_channels)) if self.extra_channels else x
        out: Tensor = shortcut + self.conv2(self.conv1(self.norm(x)))
        return out


class PyramidNet(Backbone):
    """Stem conv-norm, pyramid blocks widening to ``channels + alpha``, final norm-ReLU."""

    def __init__(
        self, in_planes: int, channels: int, blocks: int, norm: str = "batch", alpha: int = 48
    ) -> None:
        """Args:
        in_planes: input feature planes.
        channels: filters of the stem.
        blocks: pyramid blocks.
        norm: norm name (see ``create_norm``).
        alpha: total widening over all blocks.
        """
        super().__init__()
        nf = norm_fn(norm)
        self.stem = ConvNormAct(in_planes, channels, 3, norm_fn=nf, act_fn=None)
        widths = [channels, *pyramid_widths(channels, blocks, alpha)]
        self.blocks = nn.Sequential(
            *(
                PyramidBlock(c_in, c_out, nf)
                for c_in, c_out in zip(widths, widths[1:], strict=False)
            )
        )
        self.final = nn.Sequential(nf(widths[-1]), nn.ReLU())
        self.out_channels = widths[-1]

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, channels + alpha, N, N]``."""
        out: Tensor = self.final(self.blocks(self.stem(x)))
        return out


@register_family(PyramidConfig)
def _create_pyramid(config: PyramidConfig) -> Net:
    body = PyramidNet(
        config.in_planes, config.channels, config.blocks, config.norm, alpha=config.alpha
    )
    return assemble_net(config, body)


@register_net
def pyramid_b6c48_a48() -> PyramidConfig:
    """6 pyramid blocks widening from 48 to 96 filters.

    Parameters: 656,317 at 9x9 with 17 input planes.
    """
    return PyramidConfig(blocks=6, channels=48, alpha=48)


@register_net
def pyramid_b12c64_a96() -> PyramidConfig:
    """12 pyramid blocks widening from 64 to 160 filters.

    Parameters: 3,024,509 at 9x9 with 17 input planes.
    """
    return PyramidConfig(blocks=12, channels=64, alpha=96)
