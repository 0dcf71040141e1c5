"""Residual bodies: AlphaGo Zero's basic block, the bottleneck block and the pre-activation block.

| family     | block (He et al. 2016)                                          |
|------------|-----------------------------------------------------------------|
| resnet     | conv3x3-norm-ReLU-conv3x3-norm, add, ReLU (Silver et al. 2017)  |
| bottleneck | conv1x1 reduce-norm-ReLU-conv3x3-norm-ReLU-conv1x1 restore-norm, add, ReLU |
| preact     | norm-ReLU-conv3x3-norm-ReLU-conv3x3, add ("Identity Mappings")  |

The shortcut adds the block's input to its output, so gradients reach early layers undamped and
100+ layers train (He et al. 2016, "Deep Residual Learning", section 3.2). Boards keep their size,
so every shortcut is the identity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import ConvNormAct, NormActConv
from igo.nn.layers.norm import NormFn, norm_fn
from igo.nn.layers.squeeze_excite import SqueezeExcite
from igo.nn.net import Backbone, Net, NetConfig, assemble_net
from igo.nn.registry import register_family, register_net

BlockFn = Callable[[int, NormFn], nn.Module]
"""Builds one residual block from its width and norm."""


@dataclass(frozen=True, kw_only=True)
class ResNetConfig(NetConfig):
    """``resnet``: AlphaGo Zero's tower of basic blocks, optionally with squeeze-excite."""

    family: ClassVar[str] = "resnet"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels")
    blocks: int = 6
    """Residual blocks after the stem."""
    channels: int = 64
    """Filters of the stem and every block."""
    se_reduction: int = 0
    """Squeeze-excite in every block with this reduction; 0 turns it off."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.check_at_least(0, "se_reduction")


@dataclass(frozen=True, kw_only=True)
class BottleneckConfig(NetConfig):
    """``bottleneck``: a tower of 1x1-3x3-1x1 bottleneck blocks."""

    family: ClassVar[str] = "bottleneck"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels", "bottleneck_ratio")
    blocks: int = 6
    """Bottleneck blocks after the stem."""
    channels: int = 64
    """Filters of the stem and of each block's input and output."""
    bottleneck_ratio: int = 4
    """The 3x3 conv of a block works on channels // bottleneck_ratio channels."""


@dataclass(frozen=True, kw_only=True)
class PreActConfig(NetConfig):
    """``preact``: a tower of pre-activation blocks."""

    family: ClassVar[str] = "preact"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels")
    blocks: int = 6
    """Pre-activation blocks after the stem."""
    channels: int = 64
    """Filters of the stem and every block."""


class BasicBlock(nn.Module):
    """AlphaGo Zero's residual block, with optional squeeze-excite before the add."""

    def __init__(self, channels: int, norm_fn: NormFn, se_reduction: int = 0) -> None:
        super().__init__()
        self.conv1 = ConvNormAct(channels, channels, 3, norm_fn=norm_fn)
        self.conv2 = ConvNormAct(channels, channels, 3, norm_fn=norm_fn, act_fn=None)
        self.se = SqueezeExcite(channels, se_reduction) if se_reduction else nn.Identity()
        self.act = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C, N, N] -> [B, C, N, N]``."""
        out: Tensor = self.act(x + self.se(self.conv2(self.conv1(x))))
        return out


class BottleneckBlock(nn.Module):
    """1x1 reduce, 3x3, 1x1 restore: one more layer for about the cost of a basic block of the
    reduced width (He et al. 2016, Fig. 5)."""

    def __init__(self, channels: int, norm_fn: NormFn, ratio: int = 4) -> None:
        super().__init__()
        mid = max(1, channels // ratio)
        self.reduce = ConvNormAct(channels, mid, 1, norm_fn=norm_fn)
        self.conv = ConvNormAct(mid, mid, 3, norm_fn=norm_fn)
        self.restore = ConvNormAct(mid, channels, 1, norm_fn=norm_fn, act_fn=None)
        self.act = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C, N, N] -> [B, C, N, N]``."""
        out: Tensor = self.act(x + self.restore(self.conv(self.reduce(x))))
        return out


class PreActBlock(nn.Module):
    """Norm-ReLU-conv twice, then the add: the shortcut path stays a pure identity."""

    def __init__(self, channels: int, norm_fn: NormFn) -> None:
        super().__init__()
        self.conv1 = NormActConv(channels, channels, 3, norm_fn=norm_fn)
        self.conv2 = NormActConv(channels, channels, 3, norm_fn=norm_fn)

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C, N, N] -> [B, C, N, N]``."""
        out: Tensor = x + self.conv2(self.conv1(x))
        return out


class ResNet(Backbone):
    """Stem conv-norm-ReLU, then ``blocks`` post-activation residual blocks of one width."""

    def __init__(
        self,
        in_planes: int,
        channels: int,
        blocks: int,
        norm: str = "batch",
        block_fn: BlockFn = BasicBlock,
    ) -> None:
        """Args:
        in_planes: input feature planes.
        channels: filters of the stem and every block.
        blocks: residual blocks.
        norm: norm name (see ``create_norm``).
        block_fn: builds a block from (channels, norm_fn).
        """
        super().__init__()
        nf = norm_fn(norm)
        self.stem = ConvNormAct(in_planes, channels, 3, norm_fn=nf)
        self.blocks = nn.Sequential(*(block_fn(channels, nf) for _ in range(blocks)))
        self.out_channels = channels

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, channels, N, N]``."""
        out: Tensor = self.blocks(self.stem(x))
        return out


class PreActResNet(Backbone):
    """Pre-activation tower: a plain stem conv, pre-activation blocks, then a final norm-ReLU."""

    def __init__(self, in_planes: int, channels: int, blocks: int, norm: str = "batch") -> None:
        """Args:
        in_planes: input feature planes.
        channels: filters of the stem and every block.
        blocks: residual blocks.
        norm: norm name (see ``create_norm``).
        """
        super().__init__()
        nf = norm_fn(norm)
        # The first block opens with norm-ReLU, so the stem is a bare conv (He et al., Fig. 4e).
        self.stem = nn.Conv2d(in_planes, channels, 3, padding=1, bias=False)
        self.blocks = nn.Sequential(*(PreActBlock(channels, nf) for _ in range(blocks)))
        self.final = nn.Sequential(nf(channels), nn.ReLU())
        self.out_channels = channels

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, channels, N, N]``."""
        out: Tensor = self.final(self.blocks(self.stem(x)))
        return out


@register_family(ResNetConfig)
def _create_resnet(config: ResNetConfig) -> Net:
    block_fn = partial(BasicBlock, se_reduction=config.se_reduction)
    body = ResNet(config.in_planes, config.channels, config.blocks, config.norm, block_fn)
    return assemble_net(config, body)


@register_family(BottleneckConfig)
def _create_bottleneck(config: BottleneckConfig) -> Net:
    block_fn = partial(BottleneckBlock, ratio=config.bottleneck_ratio)
    body = ResNet(config.in_planes, config.channels, config.blocks, config.norm, block_fn)
    return assemble_net(config, body)


@register_family(PreActConfig)
def _create_preact(config: PreActConfig) -> Net:
    body = PreActResNet(config.in_planes, config.channels, config.blocks, config.norm)
    return assemble_net(config, body)


@register_net
def resnet_b6c64() -> ResNetConfig:
    """AlphaGo Zero's net scaled down for 9x9: 6 basic blocks of 64 filters.

    Parameters: 488,637 at 9x9 with 17 input planes.
    """
    return ResNetConfig(blocks=6, channels=64)


@register_net
def resnet_b6c64_gn() -> ResNetConfig:
    """``resnet_b6c64`` with group norm, for small-batch training.

    Parameters: 488,637 at 9x9 with 17 input planes.
    """
    return ResNetConfig(blocks=6, channels=64, norm="group")


@register_net
def resnet_b10c128() -> ResNetConfig:
    """10 basic blocks of 128 filters.

    Parameters: 3,009,085 at 9x9 with 17 input planes.
    """
    return ResNetConfig(blocks=10, channels=128)


@register_net
def resnet_b19c256() -> ResNetConfig:
    """AlphaGo Zero's 20-block net (a stem and 19 residual blocks of 256 filters, Silver 2017).

    Parameters: 22,507,837 at 9x9 with 17 input planes.
    """
    return ResNetConfig(blocks=19, channels=256)


@register_net
def bottleneck_b6c128() -> BottleneckConfig:
    """6 bottleneck blocks, 128 wide outside and 32 inside.

    Parameters: 161,597 at 9x9 with 17 input planes.
    """
    return BottleneckConfig(blocks=6, channels=128)


@register_net
def bottleneck_b6c256() -> BottleneckConfig:
    """6 bottleneck blocks, 256 wide outside and 64 inside: per block about the cost of
    ``resnet_b6c64``'s blocks, as in He et al.'s 64-d basic vs 256-d bottleneck comparison.

    Parameters: 497,469 at 9x9 with 17 input planes.
    """
    return BottleneckConfig(blocks=6, channels=256)


@register_net
def preact_b6c64() -> PreActConfig:
    """6 pre-activation blocks of 64 filters.

    Parameters: 488,637 at 9x9 with 17 input planes.
    """
    return PreActConfig(blocks=6, channels=64)


@register_net
def preact_b10c128() -> PreActConfig:
    """10 pre-activation blocks of 128 filters.

    Parameters: 3,009,085 at 9x9 with 17 input planes.
    """
    return PreActConfig(blocks=10, channels=128)
