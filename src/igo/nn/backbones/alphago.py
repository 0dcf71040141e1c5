"""AlphaGo's (Silver et al. 2016) policy and value networks: a plain stack of convolutions.

| layer   | policy net (SL p_sigma, RL p_rho)      | value net v_theta                    |
|---------|----------------------------------------|--------------------------------------|
| 1       | conv 5x5, k filters, ReLU              | conv 5x5, k filters, ReLU            |
| 2-12    | conv 3x3, k filters, ReLU              | conv 3x3, k filters, ReLU            |
| 13      | conv 1x1, 1 filter + per-point bias    | conv 1x1, 1 filter, ReLU             |
| 14      |                                        | fully connected 256, ReLU            |
| output  | softmax over N*N points + pass (ours)  | one tanh unit                        |

``AlphaGoConfig.blocks`` counts the k-filter layers (12 in the paper, hence the variant names
``l13`` and ``l14`` for the layer counts above) and ``channels`` is k (192 in the match version).
The paper has no normalisation, so the variants use ``norm="none"``; any norm can be chosen.
Inputs are 48 planes for the policy net and 49 (plus the colour to play) for the value net.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from torch import Tensor, nn

from igo.nn.heads import AlphaGoPolicyHead
from igo.nn.layers.conv_norm_act import ConvNormAct
from igo.nn.layers.norm import norm_fn
from igo.nn.net import Backbone, Net, NetConfig, assemble_net
from igo.nn.registry import register_family, register_net


@dataclass(frozen=True, kw_only=True)
class AlphaGoConfig(NetConfig):
    """``alphago``: AlphaGo's plain stack of convolutions (the paper has no norm)."""

    family: ClassVar[str] = "alphago"
    at_least_one: ClassVar[tuple[str, ...]] = ("blocks", "channels")
    blocks: int = 6
    """Layers of k filters, the first 5x5 and the others 3x3 (12 in the paper)."""
    channels: int = 64
    """k, the filters of every layer (192 in the match version)."""


class AlphaGoBody(Backbone):
    """Conv 5x5 then ``layers - 1`` convs 3x3, all k filters, each followed by norm and ReLU."""

    def __init__(self, in_planes: int, channels: int, layers: int, norm: str = "none") -> None:
        """Args:
        in_planes: input feature planes (48 or 49).
        channels: k, the filters of every layer.
        layers: k-filter conv layers, the first one 5x5.
        norm: norm name (see ``create_norm``); the paper has none.
        """
        super().__init__()
        nf = norm_fn(norm)
        convs = [ConvNormAct(in_planes, channels, 5, norm_fn=nf)]
        convs += [ConvNormAct(channels, channels, 3, norm_fn=nf) for _ in range(layers - 1)]
        self.layers = nn.Sequential(*convs)
        self.out_channels = channels

    def forward(self, x: Tensor) -> Tensor:
        """``[B, in_planes, N, N] -> [B, k, N, N]``."""
        out: Tensor = self.layers(x)
        return out


def alphago_policy_head(in_channels: int, config: NetConfig) -> nn.Module:
    """AlphaGo's 1x1 output with a bias per point, plus a pass logit."""
    return AlphaGoPolicyHead(in_channels, config.board_size)


@register_family(AlphaGoConfig)
def _create_alphago(config: AlphaGoConfig) -> Net:
    body = AlphaGoBody(config.in_planes, config.channels, config.blocks, config.norm)
    return assemble_net(config, body, policy_head_fn=alphago_policy_head)


@register_net
def alphago_policy_l13c192() -> AlphaGoConfig:
    """AlphaGo's SL/RL policy network: 13 layers, k = 192, 48 input planes.

    Parameters: 3,882,706 at 9x9 with 48 input planes.
    """
    return AlphaGoConfig(in_planes=48, blocks=12, channels=192, norm="none", outputs="policy")


@register_net
def alphago_value_l14c192() -> AlphaGoConfig:
    """AlphaGo's value network: 14 layers and a tanh output, k = 192, 49 input planes.

    Parameters: 3,908,482 at 9x9 with 49 input planes.
    """
    return AlphaGoConfig(in_planes=49, blocks=12, channels=192, norm="none", outputs="value")
