"""MobileNet body (Howard et al. 2017): depthwise separable blocks.

Each block is a depthwise 3x3 conv-norm-ReLU then a pointwise 1x1 conv-norm-ReLU (Fig. 3), about
``1/M + 1/9`` of a standard 3x3 conv's cost (see ``layers/separable.py``). The width multiplier
(section 4.2) thins every layer uniformly. As in MobileNet v1 the blocks have no shortcut; the
board keeps its size, so there are no strided blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import ConvNormAct
from igo.nn.layers.norm import norm_fn
from igo.nn.layers.separable import SeparableConv2d
from igo.nn.net import Backbone, Net, NetConfig, assemble_net
from igo.nn.registry import register_family, register_net


@dataclass(frozen=True, kw_only=True)
class MobileNetConfig(NetConfig):
    """``mobilenet``: depthwise separable blocks of one width."""

    family: ClassVar[str] = "mobilenet"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels")
    blocks: int = 6
    """Separable blocks after the stem."""
    channels: int = 64
    """Filters of every layer, before the width multiplier."""
    width_mult: float = 1.0
    """Width multiplier applied to every layer's filter count (Howard et al. 4.2)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.width_mult <= 0.0:
            raise ValueError(f"MobileNetConfig.width_mult must be > 0, got {self.width_mult}")


def scaled_width(channels: int, width_mult: float) -> int:
    """Filters after the width multiplier: ``round(channels * width_mult)``, at least 1."""
    return max(1, round(channels * width_mult))


class MobileNet(Backbone):
    """Stem: a standard 3x3 conv-norm-ReLU; then ``blocks`` separable blocks of one width."""

    def __init__(
        self,
        in_planes: int,
        channels: int,
        blocks: int,
        norm: str = "batch",
        width_mult: float = 1.0,
    ) -> None:
        """Args:
        in_planes: input feature planes.
        channels: filters before the width multiplier.
        blocks: separable blocks.
        norm: norm name (see ``create_norm``).
        width_mult: width multiplier alpha in (0, 1] (more is allowed).
        """
        super().__init__()
        nf = norm_fn(norm)
        width = scaled_width(channels, width_mult)
        self.stem = ConvNormAct(in_planes, width, 3, norm_fn=nf)
        self.blocks = nn.Sequential(
            *(SeparableConv2d(width, width, 3, norm_fn=nf, act_fn=nn.ReLU) for _ in range(blocks))
        )
        self.out_channels = width

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, width, N, N]``."""
        out: Tensor = self.blocks(self.stem(x))
        return out


@register_family(MobileNetConfig)
def _create_mobilenet(config: MobileNetConfig) -> Net:
    body = MobileNet(
        config.in_planes, config.channels, config.blocks, config.norm, config.width_mult
    )
    return assemble_net(config, body)


@register_net
def mobilenet_b10c96() -> MobileNetConfig:
    """10 separable blocks of 96 filters.

    Parameters: 154,429 at 9x9 with 17 input planes.
    """
    return MobileNetConfig(blocks=10, channels=96)


@register_net
def mobilenet_b20c256() -> MobileNetConfig:
    """20 separable blocks of 256 filters: as wide as AlphaGo Zero's net for a fraction of the cost.

    Parameters: 1,452,349 at 9x9 with 17 input planes.
    """
    return MobileNetConfig(blocks=20, channels=256)
