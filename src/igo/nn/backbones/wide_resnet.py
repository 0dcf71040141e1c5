"""Wide residual networks (Zagoruyko & Komodakis 2016): fewer, wider pre-activation blocks.

Widening by a factor k instead of deepening keeps the accuracy with fewer layers and uses a GPU
better (more work per layer). As in the paper the width grows in stages, here ``channels`` in the
stem (1x), then k x ``channels``, then 2k x ``channels``; the board keeps its size, so a stage
change only widens (a 1x1 projection on the shortcut), it never strides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import NormActConv
from igo.nn.layers.norm import NormFn, norm_fn
from igo.nn.net import Backbone, Net, NetConfig, assemble_net
from igo.nn.registry import register_family, register_net


@dataclass(frozen=True, kw_only=True)
class WideResNetConfig(NetConfig):
    """``wide``: fewer, wider pre-activation blocks in two stages."""

    family: ClassVar[str] = "wide"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels", "width_factor")
    blocks: int = 6
    """Wide blocks over both stages."""
    channels: int = 64
    """Filters of the stem; the stages have k and 2k times as many."""
    width_factor: int = 2
    """k, the widening of the first stage (the second has 2k)."""
    dropout: float = 0.0
    """Dropout probability between the two convs of a block (0.3 in Zagoruyko & Komodakis)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"WideResNetConfig.dropout must be in [0, 1), got {self.dropout}")


class WideBlock(nn.Module):
    """Norm-ReLU-conv3x3, dropout, norm-ReLU-conv3x3, plus the (projected) input (WRN Fig. 1d)."""

    def __init__(
        self, in_channels: int, out_channels: int, norm_fn: NormFn, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.conv1 = NormActConv(in_channels, out_channels, 3, norm_fn=norm_fn)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = NormActConv(out_channels, out_channels, 3, norm_fn=norm_fn)
        self.shortcut: nn.Module = (
            nn.Conv2d(in_channels, out_channels, 1, bias=False)
            if in_channels != out_channels
            else nn.Identity()
        )

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C_in, N, N] -> [B, C_out, N, N]``."""
        out: Tensor = self.shortcut(x) + self.conv2(self.dropout(self.conv1(x)))
        return out


def stage_plan(channels: int, blocks: int, width_factor: int) -> list[tuple[int, int]]:
    """(width, block count) of each stage: k x then 2k x ``channels``, blocks split evenly."""
    first = (blocks + 1) // 2
    plan = [(width_factor * channels, first), (2 * width_factor * channels, blocks - first)]
    return [(width, count) for width, count in plan if count > 0]


class WideResNet(Backbone):
    """Stem conv (1x), then stages of wide blocks (k x, 2k x), then a final norm-ReLU."""

    def __init__(
        self,
        in_planes: int,
        channels: int,
        blocks: int,
        norm: str = "batch",
        width_factor: int = 2,
        dropout: float = 0.0,
    ) -> None:
        """Args:
        in_planes: input feature planes.
        channels: filters of the stem; the stages are multiples of it.
        blocks: wide blocks over all stages.
        norm: norm name (see ``create_norm``).
        width_factor: k.
        dropout: dropout probability inside each block.
        """
        super().__init__()
        nf = norm_fn(norm)
        self.stem = nn.Conv2d(in_planes, channels, 3, padding=1, bias=False)
        layers: list[nn.Module] = []
        width = channels
        for stage_width, count in stage_plan(channels, blocks, width_factor):
            for _ in range(count):
                layers.append(WideBlock(width, stage_width, nf, dropout))
                width = stage_width
        self.blocks = nn.Sequential(*layers)
        self.final = nn.Sequential(nf(width), nn.ReLU())
        self.out_channels = width

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, out_channels, N, N]``."""
        out: Tensor = self.final(self.blocks(self.stem(x)))
        return out


@register_family(WideResNetConfig)
def _create_wide(config: WideResNetConfig) -> Net:
    body = WideResNet(
        config.in_planes,
        config.channels,
        config.blocks,
        config.norm,
        width_factor=config.width_factor,
        dropout=config.dropout,
    )
    return assemble_net(config, body)


@register_net
def wide_b4c32_k2() -> WideResNetConfig:
    """WRN with k = 2: stem 32, two blocks of 64, two of 128.

    Parameters: 696,861 at 9x9 with 17 input planes.
    """
    return WideResNetConfig(blocks=4, channels=32, width_factor=2)


@register_net
def wide_b6c16_k8() -> WideResNetConfig:
    """WRN with k = 8: stem 16, three blocks of 128, three of 256 (WRN's 16 -> 16k -> 32k).

    Parameters: 4,077,037 at 9x9 with 17 input planes.
    """
    return WideResNetConfig(blocks=6, channels=16, width_factor=8)
