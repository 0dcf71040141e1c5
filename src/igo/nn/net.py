"""NetConfig and the nets: a body (backbone) plus a policy head, a value head, or both.

| class          | heads          | forward ``[B, C, N, N] ->``               | used by          |
|----------------|----------------|-------------------------------------------|------------------|
| PolicyValueNet | policy + value | ``(policy_logits [B, N*N+1], value [B])`` | AlphaGo Zero     |
| PolicyNet      | policy         | ``policy_logits [B, N*N+1]``              | AlphaGo SL/RL    |
| ValueNet       | value          | ``value [B]``                             | AlphaGo value    |

Policy logits cover the N*N points in row-major order, then pass (index N*N); values are in
(-1, 1), the expected result for the player to move. ``NetConfig.outputs`` picks the class, so
every body can serve either pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from torch import Tensor, nn

from igo.nn.heads import PolicyHead, ValueHead
from igo.nn.layers.norm import NORM_NAMES, norm_fn

OUTPUTS: tuple[str, ...] = ("policy_value", "policy", "value")


@dataclass(frozen=True)
class NetConfig:
    """Everything needed to rebuild a net: saved as JSON beside every checkpoint."""

    family: str = "resnet"
    """Body family, a name given to ``register_family`` (see ``list_families()``)."""
    board_size: int = 9
    """Board side N: inputs are [B, in_planes, N, N] and policies have N*N + 1 logits."""
    in_planes: int = 17
    """Input feature planes: 17 for AlphaGo Zero, 48 for AlphaGo's policy net, 49 for its value."""
    blocks: int = 6
    """Depth: blocks after the stem; dense blocks for densenet; k-filter conv layers for alphago."""
    channels: int = 64
    """Width: filters of the stem and blocks (first stage of wide and pyramid; stem of densenet)."""
    norm: str = "batch"
    """Normalisation in body and heads: batch, layer, instance, group or none."""
    outputs: str = "policy_value"
    """Heads: policy_value (PolicyValueNet), policy (PolicyNet) or value (ValueNet)."""
    value_hidden: int = 256
    """Units of the value head's hidden fully connected layer (256 in both papers)."""
    se_reduction: int = 0
    """resnet: squeeze-excite in every block with this reduction; 0 turns it off."""
    bottleneck_ratio: int = 4
    """bottleneck: the 3x3 conv of a block works on channels // bottleneck_ratio channels."""
    width_factor: int = 2
    """wide: k; after a stem of `channels`, the stages have k and 2k times `channels` filters."""
    dropout: float = 0.0
    """wide: dropout probability between the two convs of a block (0.3 in Zagoruyko & Komodakis)."""
    alpha: int = 48
    """pyramid: total widening; block i has channels + floor(alpha * i / blocks) filters."""
    width_mult: float = 1.0
    """mobilenet: width multiplier applied to every layer's filter count (Howard et al. 4.2)."""
    growth_rate: int = 12
    """densenet: k, the channels each dense layer adds."""
    dense_layers: int = 4
    """densenet: layers in each dense block."""
    compression: float = 0.5
    """densenet: a transition layer keeps floor(compression * C) channels (DenseNet-C)."""
    dense_bottleneck: bool = True
    """densenet: each dense layer starts with a 1x1 conv to 4k channels (DenseNet-B)."""
    max_dilation: int = 0
    """dilated: cycle dilations 1, 2, 4, ..., max_dilation; 0 picks the shortest cycle seeing the
    whole board."""

    def __post_init__(self) -> None:
        positive = ("board_size", "in_planes", "blocks", "channels", "value_hidden") + (
            "bottleneck_ratio",
            "width_factor",
            "growth_rate",
            "dense_layers",
        )
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"NetConfig.{name} must be >= 1, got {getattr(self, name)}")
        if self.norm not in NORM_NAMES:
            raise ValueError(f"NetConfig.norm must be one of {NORM_NAMES}, got {self.norm!r}")
        if self.outputs not in OUTPUTS:
            raise ValueError(f"NetConfig.outputs must be one of {OUTPUTS}, got {self.outputs!r}")
        if not self.family:
            raise ValueError("NetConfig.family must name a registered family")
        if self.se_reduction < 0 or self.alpha < 0:
            raise ValueError("NetConfig.se_reduction and NetConfig.alpha must be >= 0")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"NetConfig.dropout must be in [0, 1), got {self.dropout}")
        if not 0.0 < self.compression <= 1.0 or self.width_mult <= 0.0:
            raise ValueError("NetConfig.compression must be in (0, 1], width_mult > 0")
        if self.max_dilation < 0 or self.max_dilation & (self.max_dilation - 1):
            raise ValueError(
                f"NetConfig.max_dilation must be 0 or a power of 2, got {self.max_dilation}"
            )

    @property
    def num_moves(self) -> int:
        """Policy size: N*N points plus pass."""
        return self.board_size * self.board_size + 1

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NetConfig:
        """Inverse of ``to_dict``; unknown keys raise ValueError naming them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown NetConfig fields: {', '.join(unknown)}")
        return cls(**data)


class Backbone(nn.Module):
    """Base of every body: ``[B, in_planes, N, N] -> [B, out_channels, N, N]``, size kept."""

    out_channels: int
    """Channels of the features the heads read."""


def _check_input(x: Tensor, config: NetConfig) -> None:
    expected = (config.in_planes, config.board_size, config.board_size)
    if x.dim() != 4 or tuple(x.shape[1:]) != expected:
        raise ValueError(
            f"expected input [B, {', '.join(map(str, expected))}], got {list(x.shape)}"
        )


class PolicyValueNet(nn.Module):
    """Body + policy head + value head (AlphaGo Zero's single two-headed net)."""

    def __init__(
        self, config: NetConfig, body: Backbone, policy_head: nn.Module, value_head: nn.Module
    ) -> None:
        super().__init__()
        self.config = config
        self.body = body
        self.policy_head = policy_head
        self.value_head = value_head

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Policy logits ``[B, N*N + 1]`` and values ``[B]`` for input planes ``x`` [B, C, N, N]."""
        _check_input(x, self.config)
        features = self.body(x)
        return self.policy_head(features), self.value_head(features)


class PolicyNet(nn.Module):
    """Body + policy head: AlphaGo's SL and RL policy networks."""

    def __init__(self, config: NetConfig, body: Backbone, policy_head: nn.Module) -> None:
        super().__init__()
        self.config = config
        self.body = body
        self.policy_head = policy_head

    def forward(self, x: Tensor) -> Tensor:
        """Policy logits ``[B, N*N + 1]`` for input planes ``x`` [B, C, N, N]."""
        _check_input(x, self.config)
        out: Tensor = self.policy_head(self.body(x))
        return out


class ValueNet(nn.Module):
    """Body + value head: AlphaGo's value network."""

    def __init__(self, config: NetConfig, body: Backbone, value_head: nn.Module) -> None:
        super().__init__()
        self.config = config
        self.body = body
        self.value_head = value_head

    def forward(self, x: Tensor) -> Tensor:
        """Values ``[B]`` for input planes ``x`` [B, C, N, N]."""
        _check_input(x, self.config)
        out: Tensor = self.value_head(self.body(x))
        return out


Net = PolicyValueNet | PolicyNet | ValueNet
HeadFn = Callable[[int, NetConfig], nn.Module]
"""Builds a head from the body's output channels and the config."""


def zero_policy_head(in_channels: int, config: NetConfig) -> nn.Module:
    """AlphaGo Zero's policy head for this config."""
    return PolicyHead(in_channels, config.board_size, norm_fn=norm_fn(config.norm))


def zero_value_head(in_channels: int, config: NetConfig) -> nn.Module:
    """AlphaGo Zero's value head for this config."""
    return ValueHead(
        in_channels, config.board_size, norm_fn=norm_fn(config.norm), hidden=config.value_hidden
    )


def assemble_net(
    config: NetConfig,
    body: Backbone,
    policy_head_fn: HeadFn = zero_policy_head,
    value_head_fn: HeadFn = zero_value_head,
) -> Net:
    """Put the heads ``config.outputs`` asks for on ``body``.

    Args:
        config: the resolved config, stored on the net as ``net.config``.
        body: the backbone; its ``out_channels`` sizes the heads.
        policy_head_fn: builds the policy head (AlphaGo Zero's by default).
        value_head_fn: builds the value head (AlphaGo Zero's by default).

    Returns:
        A PolicyValueNet, PolicyNet or ValueNet.
    """
    channels = body.out_channels
    if config.outputs == "policy":
        return PolicyNet(config, body, policy_head_fn(channels, config))
    if config.outputs == "value":
        return ValueNet(config, body, value_head_fn(channels, config))
    return PolicyValueNet(
        config, body, policy_head_fn(channels, config), value_head_fn(channels, config)
    )
