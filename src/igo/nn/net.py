"""NetConfig and the nets: a body (backbone) plus a policy head, a value head, or both.

| class          | heads          | forward ``[B, C, N, N] ->``               | used by          |
|----------------|----------------|-------------------------------------------|------------------|
| PolicyValueNet | policy + value | ``(policy_logits [B, N*N+1], value [B])`` | AlphaGo Zero     |
| PolicyNet      | policy         | ``policy_logits [B, N*N+1]``              | AlphaGo SL/RL    |
| ValueNet       | value          | ``value [B]``                             | AlphaGo value    |

Policy logits cover the N*N points in row-major order, then pass (index N*N); values are in
(-1, 1), the expected result for the player to move. ``NetConfig.outputs`` picks the class, so
every body can serve either pipeline. ``NetConfig.heads`` picks the heads: ``fixed``, the papers'
(fully connected layers sized by N: the net runs its own board size only), or ``pooled``, KataGo's
(``igo.nn.pooled_heads``: global pooling, any board size, a board mask for batches of several
sizes, and score and ownership outputs: ``net(x, mask, aux=True)`` returns
``(policy, value, score [B], ownership [B, N, N])``, where a net with fixed heads gives None for
the last two). ``NetConfig`` holds the fields every net has; each family's
config (in its backbone module) adds its body's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Literal, Self

from torch import Tensor, nn

from igo.nn.board_mask import board_mask_set, mask_convs
from igo.nn.heads import PolicyHead, ValueHead
from igo.nn.layers.norm import NORM_NAMES, norm_fn
from igo.nn.pooled_heads import PooledPolicyHead, PooledValueHead

OUTPUTS: tuple[str, ...] = ("policy_value", "policy", "value")
HEADS: tuple[str, ...] = ("fixed", "pooled")
Heads = Literal["fixed", "pooled"]


@dataclass(frozen=True, kw_only=True)
class NetConfig:
    """What every net has: board, inputs, heads and norm. Saved as JSON beside every checkpoint.

    Each family subclasses it with its body's own fields (``ResNetConfig``, ``DenseNetConfig``,
    ...; see ``list_families()``) and names itself in ``family``; a variant function of the
    registry returns one. ``to_dict`` holds the family name, these fields and the family's own,
    nothing else.
    """

    family: ClassVar[str] = ""
    """Body family, the name a subclass is registered under (``register_family``)."""
    at_least_one: ClassVar[tuple[str, ...]] = ()
    """The family's own fields that must be >= 1, checked with the shared ones."""
    board_size: int = 9
    """Board side N: inputs are [B, in_planes, N, N] and policies have N*N + 1 logits."""
    in_planes: int = 17
    """Input feature planes: 17 for AlphaGo Zero, 48 for AlphaGo's policy net, 49 for its value."""
    norm: str = "batch"
    """Normalisation in body and heads: batch, layer, instance, group or none."""
    outputs: str = "policy_value"
    """Heads: policy_value (PolicyValueNet), policy (PolicyNet) or value (ValueNet)."""
    value_hidden: int = 256
    """Units of the value head's hidden fully connected layer (256 in both papers)."""
    heads: Heads = "fixed"
    """fixed: the papers' heads, sized by board_size; pooled: KataGo's global-pooling heads, any
    board size, with score and ownership outputs (``igo.nn.pooled_heads``)."""

    def __post_init__(self) -> None:
        self.check_at_least(1, "board_size", "in_planes", "value_hidden", *self.at_least_one)
        if self.norm not in NORM_NAMES:
            raise ValueError(f"{self._name}.norm must be one of {NORM_NAMES}, got {self.norm!r}")
        if self.outputs not in OUTPUTS:
            raise ValueError(f"{self._name}.outputs must be one of {OUTPUTS}, got {self.outputs!r}")
        if self.heads not in HEADS:
            raise ValueError(f"{self._name}.heads must be one of {HEADS}, got {self.heads!r}")

    @property
    def _name(self) -> str:
        return type(self).__name__

    def check_at_least(self, minimum: int, *names: str) -> None:
        """Raise ValueError naming the first field of ``names`` below ``minimum``."""
        for name in names:
            if getattr(self, name) < minimum:
                raise ValueError(
                    f"{self._name}.{name} must be >= {minimum}, got {getattr(self, name)}"
                )

    @property
    def num_moves(self) -> int:
        """Policy size: N*N points plus pass."""
        return self.board_size * self.board_size + 1

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        """The fields of this config class: the shared ones, then the family's own."""
        return tuple(f.name for f in fields(cls))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields, with ``family`` (read back by ``registry.config_from_dict``)."""
        return {"family": self.family, **asdict(self)}

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` (validated); a name this family lacks is a ValueError."""
        if "family" in changes:
            raise ValueError(
                f"a {self.family} config's family cannot be changed; build another family's config"
            )
        unknown = sorted(set(changes) - set(self.field_names()))
        if unknown:
            raise ValueError(
                f"{self.family or 'this'} nets have no field {', '.join(unknown)}; "
                f"their fields: {', '.join(self.field_names())}"
            )
        return dataclasses.replace(self, **changes) if changes else self


class Backbone(nn.Module):
    """Base of every body: ``[B, in_planes, N, N] -> [B, out_channels, N, N]``, size kept."""

    out_channels: int
    """Channels of the features the heads read."""


def _check_input(x: Tensor, config: NetConfig, mask: Tensor | None) -> None:
    if config.heads == "fixed":
        expected = (config.in_planes, config.board_size, config.board_size)
        if x.dim() != 4 or tuple(x.shape[1:]) != expected:
            raise ValueError(
                f"expected input [B, {', '.join(map(str, expected))}], got {list(x.shape)}"
            )
        if mask is not None:
            raise ValueError("a net with fixed heads takes no board mask (heads = 'pooled' does)")
        return
    if x.dim() != 4 or x.shape[1] != config.in_planes or x.shape[2] != x.shape[3]:
        raise ValueError(f"expected input [B, {config.in_planes}, N, N], got {list(x.shape)}")
    if mask is not None and tuple(mask.shape) != (x.shape[0], 1, x.shape[2], x.shape[3]):
        raise ValueError(
            f"expected a board mask [B, 1, N, N] for {list(x.shape)}, got {list(mask.shape)}"
        )


class _HeadedNet(nn.Module):
    """What the three nets share: the checked, masked run of the body."""

    config: NetConfig
    body: Backbone

    def features(self, x: Tensor, mask: Tensor | None) -> Tensor:
        """Body features ``[B, C, N, N]`` for input planes ``x`` and board mask ``mask``."""
        _check_input(x, self.config, mask)
        if mask is None:
            out: Tensor = self.body(x)
            return out
        with board_mask_set(self.body, mask):
            out = self.body(x)
        return out


class PolicyValueNet(_HeadedNet):
    """Body + policy head + value head (AlphaGo Zero's single two-headed net)."""

    def __init__(
        self, config: NetConfig, body: Backbone, policy_head: nn.Module, value_head: nn.Module
    ) -> None:
        super().__init__()
        self.config = config
        self.body = body
        self.policy_head = policy_head
        self.value_head = value_head

    def forward(
        self, x: Tensor, mask: Tensor | None = None, aux: bool = False
    ) -> tuple[Tensor | None, ...]:
        """Policy logits ``[B, N*N + 1]`` and values ``[B]`` for input planes ``x`` [B, C, N, N]
        (and board mask ``mask`` [B, 1, N, N], pooled heads only); with ``aux``, also score [B]
        and ownership [B, N, N] (None with fixed heads)."""
        features = self.features(x, mask)
        if self.config.heads == "fixed":
            policy, value = self.policy_head(features), self.value_head(features)
            return (policy, value, None, None) if aux else (policy, value)
        policy = self.policy_head(features, mask)
        value, score, ownership = self.value_head(features, mask)
        return (policy, value, score, ownership) if aux else (policy, value)


class PolicyNet(_HeadedNet):
    """Body + policy head: AlphaGo's SL and RL policy networks."""

    def __init__(self, config: NetConfig, body: Backbone, policy_head: nn.Module) -> None:
        super().__init__()
        self.config = config
        self.body = body
        self.policy_head = policy_head

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """Policy logits ``[B, N*N + 1]`` for input planes ``x`` [B, C, N, N]."""
        features = self.features(x, mask)
        args = (features,) if self.config.heads == "fixed" else (features, mask)
        out: Tensor = self.policy_head(*args)
        return out


class ValueNet(_HeadedNet):
    """Body + value head: AlphaGo's value network."""

    def __init__(self, config: NetConfig, body: Backbone, value_head: nn.Module) -> None:
        super().__init__()
        self.config = config
        self.body = body
        self.value_head = value_head

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """Values ``[B]`` for input planes ``x`` [B, C, N, N]."""
        features = self.features(x, mask)
        if self.config.heads == "fixed":
            out: Tensor = self.value_head(features)
            return out
        value: Tensor = self.value_head(features, mask)[0]
        return value


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


def pooled_policy_head(in_channels: int, config: NetConfig) -> nn.Module:
    """KataGo's size-independent policy head for this config."""
    return PooledPolicyHead(in_channels, norm_fn=norm_fn(config.norm))


def pooled_value_head(in_channels: int, config: NetConfig) -> nn.Module:
    """KataGo's size-independent value, score and ownership head for this config."""
    return PooledValueHead(in_channels, norm_fn=norm_fn(config.norm), hidden=config.value_hidden)


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

    With ``config.heads == "pooled"`` both heads are KataGo's whatever the family asks, and the
    body's convs learn to read the board mask.

    Returns:
        A PolicyValueNet, PolicyNet or ValueNet.
    """
    channels = body.out_channels
    if config.heads == "pooled":
        mask_convs(body)
        policy_head_fn, value_head_fn = pooled_policy_head, pooled_value_head
    if config.outputs == "policy":
        return PolicyNet(config, body, policy_head_fn(channels, config))
    if config.outputs == "value":
        return ValueNet(config, body, value_head_fn(channels, config))
    return PolicyValueNet(
        config, body, policy_head_fn(channels, config), value_head_fn(channels, config)
    )
