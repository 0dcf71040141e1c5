"""Structured channel pruning: whole filters go by norm, and the net really gets narrower.

``channel_prune(net, ChannelPruneConfig(keep=0.5))`` keeps ``round(keep * channels)`` filters of
every layer of the body, chosen by their L1 or L2 norm (Li et al. 2017, "Pruning Filters for
Efficient ConvNets"), and returns a ``ChannelPruned``: a genuinely smaller net of the same family,
built by the registry from the same config with ``channels`` set to the new width, so it saves
and loads as an ordinary checkpoint. Every layer keeps the same count because the families'
configs hold one width (``channels``); which filters survive is chosen per layer.

Which channels go together is the family's plan (``prune_plans``: the residual streams, the
depthwise filters, the gated halves, PyramidNet's nested stream, the heads' inputs); this module
scores each group, keeps its best filters and cuts every tensor the group names. The narrower net
is the family's config at the new width (``_narrower``: ``channels``, and PyramidNet's widening
or MobileNet's multiplier with it); every tensor's new shape is that net's, so a missed
dependency is a load error, not a silent mistake.

Supported: every family of ``prune_plans.PLANS`` (alphago, resnet, bottleneck, preact, wide,
mobilenet, dilated, pyramid) with batch norm or none (a group or layer norm's statistics span
the channels, so removing some changes the others). Refused with a clear error: densenet (why:
``prune_plans.REFUSED``) and squeeze-excite blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from igo.compress.prune_plans import PLANS, REFUSED, Group, State, filter_scores, top
from igo.nn.backbones.mobilenet import MobileNetConfig, scaled_width
from igo.nn.backbones.pyramidnet import PyramidConfig
from igo.nn.net import Net, NetConfig
from igo.nn.registry import build_net

SUPPORTED = tuple(PLANS)
"""Families whose bodies ``channel_prune`` can narrow."""
Cuts = dict[str, dict[int, Tensor]]
"""Per state-dict tensor, the indices to keep along each dimension named."""


@dataclass(frozen=True)
class ChannelPruneConfig:
    """Keep a share of every body layer's filters, chosen by norm."""

    keep: float = 0.5
    """Share of the channels kept (the new width is ``round(keep * channels)``, at least 1)."""
    norm: Literal["l1", "l2"] = "l1"
    """The filter norm that ranks them."""

    def __post_init__(self) -> None:
        if not (0.0 < self.keep <= 1.0):
            raise ValueError(f"keep must be in (0, 1], got {self.keep}")
        if self.norm not in ("l1", "l2"):
            raise ValueError(f"norm must be l1 or l2, got {self.norm!r}")

    def width(self, channels: int) -> int:
        """The pruned width of a body of ``channels`` filters."""
        return max(1, min(channels, round(self.keep * channels)))


@dataclass(frozen=True)
class ChannelPruned:
    """A narrower copy of a net."""

    net: Net
    """The pruned net, built by the registry at the new width."""
    channels_before: int
    """The body's width before."""
    channels_after: int
    """And after."""
    params_before: int
    """Parameters before."""
    params_after: int
    """And after."""


def _narrower(config: NetConfig, keep: ChannelPruneConfig) -> tuple[int, NetConfig]:
    """(the body's width before, the config of the narrower net)."""
    channels: int = getattr(config, "channels")  # noqa: B009 (every planned family has it)
    if isinstance(config, MobileNetConfig):
        before = scaled_width(channels, config.width_mult)
        return before, config.replace(channels=keep.width(before), width_mult=1.0)
    if isinstance(config, PyramidConfig):  # the widening shrinks with the stem
        alpha = round(keep.keep * config.alpha)
        return channels, config.replace(channels=keep.width(channels), alpha=alpha)
    return channels, config.replace(channels=keep.width(channels))


def _cuts(groups: list[Group], state: State, small: State, p: int) -> Cuts:
    """Each group's best filters, as the indices every tensor it names keeps."""
    cuts: Cuts = {}
    for group in groups:
        first = f"{group.producers[0][0]}.weight"
        half = state[first].shape[0] // 2  # a gated channel: its filter row i and gate row half + i
        kept = group.kept
        if kept is None:
            score = sum(filter_scores(state, conv, norm, p) for conv, norm in group.producers)
            assert isinstance(score, Tensor)
            if group.paired:
                score = score[:half] + score[half:]
            kept = top(score, small[first].shape[0] // (2 if group.paired else 1))
        rows = torch.cat([kept, kept + half]) if group.paired else kept
        for prefix in group.outputs:
            for name, tensor in state.items():
                if name.startswith(f"{prefix}.") and tensor.dim() > 0:
                    cuts.setdefault(name, {})[0] = rows
        for name in group.inputs:
            cuts.setdefault(name, {})[1] = kept
    return cuts


def check_supported(config: NetConfig) -> None:
    """Raise ValueError when ``channel_prune`` cannot narrow a net of ``config``."""
    if config.family in REFUSED:
        raise ValueError(f"structured pruning cannot narrow {config.family}: "
                         f"{REFUSED[config.family]}")  # fmt: skip
    if config.family not in PLANS:
        raise ValueError(
            f"structured pruning supports the {', '.join(SUPPORTED)} families, "
            f"not {config.family!r}"
        )
    if config.norm not in ("batch", "none"):
        raise ValueError(f"structured pruning supports batch norm or none, not {config.norm!r}")
    if getattr(config, "se_reduction", 0):
        raise ValueError("structured pruning does not support squeeze-excite blocks")


def channel_prune(net: Net, config: ChannelPruneConfig) -> ChannelPruned:
    """A copy of ``net`` narrowed to ``config.width(channels)`` filters per body layer (and the
    family's other widths with it).

    Raises:
        ValueError: a family, norm or block the pruner does not support.
    """
    check_supported(net.config)
    before, narrower = _narrower(net.config, config)
    small = build_net(narrower)
    state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
    shapes = {k: v.detach() for k, v in small.state_dict().items()}
    p = 1 if config.norm == "l1" else 2
    cuts = _cuts(PLANS[net.config.family](state, shapes, p), state, shapes, p)
    pruned_state = {}
    for name, tensor in state.items():
        for dim, index in cuts.get(name, {}).items():
            tensor = tensor.index_select(dim, index)
        pruned_state[name] = tensor.clone()
    small.load_state_dict(pruned_state)  # strict: a missed dependency is a shape error here
    small.train(net.training)
    params = [sum(p.numel() for p in n.parameters()) for n in (net, small)]
    after: int = getattr(narrower, "channels")  # noqa: B009 (MobileNet's multiplier is 1 now)
    return ChannelPruned(small, before, after, *params)
