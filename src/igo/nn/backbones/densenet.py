"""DenseNet body (Huang et al. 2017): every layer reads the concatenation of all earlier outputs.

Inside a dense block layer l computes ``x_l = H_l([x_0, ..., x_{l-1}])`` (eq. 2), where ``H_l`` is
norm-ReLU-conv3x3 giving k new channels (k, the growth rate, is small); after l layers a block that
began with k0 channels has ``k0 + l*k``. The bottleneck option (DenseNet-B) puts a norm-ReLU-conv1x1
to 4k channels first. Transition layers between blocks (norm-ReLU-conv1x1) compress the channels
by a factor theta (DenseNet-C); in images they also pool, but a board keeps its size, so ours do
not. ResNet adds the previous layer's input; DenseNet concatenates them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import NormActConv
from igo.nn.layers.norm import NormFn, norm_fn
from igo.nn.net import Backbone, Net, NetConfig, assemble_net
from igo.nn.registry import register_family, register_net


@dataclass(frozen=True, kw_only=True)
class DenseNetConfig(NetConfig):
    """``densenet``: dense blocks joined by compressing 1x1 transitions (DenseNet-BC)."""

    family: ClassVar[str] = "densenet"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels", "growth_rate", "dense_layers")
    blocks: int = 6
    """Dense blocks."""
    channels: int = 64
    """Filters of the stem, k0 of the first block (2k in the paper)."""
    growth_rate: int = 12
    """k, the channels each dense layer adds."""
    dense_layers: int = 4
    """Layers in each dense block."""
    compression: float = 0.5
    """A transition layer keeps floor(compression * C) channels (DenseNet-C)."""
    dense_bottleneck: bool = True
    """Each dense layer starts with a 1x1 conv to 4k channels (DenseNet-B)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0.0 < self.compression <= 1.0:
            raise ValueError(
                f"DenseNetConfig.compression must be in (0, 1], got {self.compression}"
            )


class DenseLayer(nn.Module):
    """``H_l``: [norm-ReLU-conv1x1 to 4k,] norm-ReLU-conv3x3 to k channels."""

    def __init__(
        self, in_channels: int, growth_rate: int, norm_fn: NormFn, bottleneck: bool = True
    ) -> None:
        super().__init__()
        width = 4 * growth_rate if bottleneck else in_channels
        self.reduce: nn.Module = (
            NormActConv(in_channels, width, 1, norm_fn=norm_fn) if bottleneck else nn.Identity()
        )
        self.conv = NormActConv(width, growth_rate, 3, norm_fn=norm_fn)

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C, N, N] -> [B, k, N, N]``: the new features only."""
        out: Tensor = self.conv(self.reduce(x))
        return out


class DenseBlock(nn.Module):
    """``layers`` dense layers, each fed the concatenation of the input and all earlier outputs."""

    def __init__(
        self,
        in_channels: int,
        layers: int,
        growth_rate: int,
        norm_fn: NormFn,
        bottleneck: bool = True,
    ) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(in_channels + i * growth_rate, growth_rate, norm_fn, bottleneck)
            for i in range(layers)
        )
        self.out_channels = in_channels + layers * growth_rate

    def forward(self, x: Tensor) -> Tensor:
        """``[B, k0, N, N] -> [B, k0 + layers * k, N, N]``."""
        features = [x]
        for layer in self.layers:
            features.append(layer(torch.cat(features, dim=1)))
        return torch.cat(features, dim=1)


class DenseNet(Backbone):
    """Stem conv, dense blocks joined by 1x1 transitions (no pooling), final norm-ReLU."""

    def __init__(
        self,
        in_planes: int,
        channels: int,
        blocks: int,
        norm: str = "batch",
        *,
        growth_rate: int = 12,
        layers_per_block: int = 4,
        compression: float = 0.5,
        bottleneck: bool = True,
    ) -> None:
        """Args:
        in_planes: input feature planes.
        channels: filters of the stem (k0 of the first block; 2k in the paper).
        blocks: dense blocks.
        norm: norm name (see ``create_norm``).
        growth_rate: k.
        layers_per_block: dense layers in each block.
        compression: theta; a transition keeps ``floor(theta * C)`` channels.
        bottleneck: start every dense layer with the 1x1 conv (DenseNet-B).
        """
        super().__init__()
        nf = norm_fn(norm)
        self.stem = nn.Conv2d(in_planes, channels, 3, padding=1, bias=False)
        stages: list[nn.Module] = []
        width = channels
        for index in range(blocks):
            block = DenseBlock(width, layers_per_block, growth_rate, nf, bottleneck)
            stages.append(block)
            width = block.out_channels
            if index < blocks - 1:
                narrower = max(1, int(compression * width))
                stages.append(NormActConv(width, narrower, 1, norm_fn=nf))
                width = narrower
        self.blocks = nn.Sequential(*stages)
        self.final = nn.Sequential(nf(width), nn.ReLU())
        self.out_channels = width

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, out_channels, N, N]``."""
        out: Tensor = self.final(self.blocks(self.stem(x)))
        return out


@register_family(DenseNetConfig)
def _create_densenet(config: DenseNetConfig) -> Net:
    body = DenseNet(
        config.in_planes,
        config.channels,
        config.blocks,
        config.norm,
        growth_rate=config.growth_rate,
        layers_per_block=config.dense_layers,
        compression=config.compression,
        bottleneck=config.dense_bottleneck,
    )
    return assemble_net(config, body)


@register_net
def densenet_b3c32_k16() -> DenseNetConfig:
    """DenseNet-BC: 3 blocks of 4 layers, growth 16, stem 32 (2k), compression 0.5.

    Parameters: 218,453 at 9x9 with 17 input planes.
    """
    return DenseNetConfig(blocks=3, channels=32, growth_rate=16, dense_layers=4)


@register_net
def densenet_b4c64_k32() -> DenseNetConfig:
    """DenseNet-BC: 4 blocks of 6 layers, growth 32, stem 64 (2k), compression 0.5.

    Parameters: 1,746,349 at 9x9 with 17 input planes.
    """
    return DenseNetConfig(blocks=4, channels=64, growth_rate=32, dense_layers=6)
