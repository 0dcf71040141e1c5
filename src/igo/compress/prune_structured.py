"""Structured channel pruning: whole filters go by norm, and the net really gets narrower.

``channel_prune(net, ChannelPruneConfig(keep=0.5))`` keeps ``round(keep * channels)`` filters of
every layer of the body, chosen by their L1 or L2 norm (Li et al. 2017, "Pruning Filters for
Efficient ConvNets"), and returns a ``ChannelPruned``: a genuinely smaller net of the same family,
built by the registry from the same config with ``channels`` set to the new width, so it saves
and loads as an ordinary checkpoint. Every layer keeps the same count because the families'
configs hold one width (``channels``); which filters survive is chosen per layer.

A filter's importance is the norm of its weights times the scale its norm layer gives it
(``|gamma| / sqrt(var + eps)`` for batch norm, 1 with no norm): what it adds to the next layer.
Dependencies are handled per family (``_PLANS``):

| family  | channels chosen together                           | follow the choice          |
|---------|----------------------------------------------------|----------------------------|
| alphago | each layer's filters on their own (a plain stack)  | its norm, the next conv    |
| resnet  | the residual stream: the stem's and every block's  | their norms, each block's  |
|         | second conv, importances summed (the adds share    | first conv's input, the    |
|         | channels); each block's first conv on its own      | heads' inputs              |

The heads keep their own widths; their first layers lose the pruned input channels. Supported
norms: batch and none (a group or layer norm's statistics span the channels, so removing some
changes the others). Not supported: the other families (bottleneck, preact, densenet, mobilenet,
wide/dilated/pyramid ResNets) and squeeze-excite blocks; they are refused with a clear error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

from igo.nn.net import Net, NetConfig
from igo.nn.registry import build_net

SUPPORTED = ("alphago", "resnet")
"""Families whose bodies ``channel_prune`` can narrow."""
Plan = dict[str, dict[int, Tensor]]
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


def _filter_scores(state: dict[str, Tensor], conv: str, norm: str | None, p: int) -> Tensor:
    """Importance of each output filter of the conv ``conv`` (its norm layer ``norm``)."""
    weight = state[f"{conv}.weight"]
    score: Tensor = weight.flatten(1).norm(p=p, dim=1)
    if norm is not None and f"{norm}.running_var" in state:
        scale = state[f"{norm}.weight"].abs() / torch.sqrt(state[f"{norm}.running_var"] + 1e-5)
        score = score * scale
    return score


def _top(scores: Tensor, width: int) -> Tensor:
    """Indices of the ``width`` largest scores, in channel order (ties: the lower index)."""
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
    return torch.tensor(sorted(order[:width]), dtype=torch.long)


def _conv_norm(plan: Plan, state: dict[str, Tensor], prefix: str, out: Tensor) -> None:
    """A ConvNormAct at ``prefix``: its conv's filters and bias and its norm follow ``out``."""
    for name in state:
        if name.startswith(f"{prefix}.") and state[name].dim() > 0:
            plan.setdefault(name, {})[0] = out


def _heads(plan: Plan, state: dict[str, Tensor], kept: Tensor) -> None:
    """The heads' first layers read only the kept body channels."""
    for name in (
        "policy_head.conv.weight",  # AlphaGo's 1x1 policy conv
        "policy_head.pass_fc.weight",
        "policy_head.conv.0.weight",  # Zero's policy head
        "value_head.conv.0.weight",
    ):
        if name in state:
            plan.setdefault(name, {})[1] = kept


def _alphago_plan(state: dict[str, Tensor], width: int, p: int) -> Plan:
    plan: Plan = {}
    previous: Tensor | None = None
    layer = 0
    while f"body.layers.{layer}.0.weight" in state:
        prefix = f"body.layers.{layer}"
        kept = _top(_filter_scores(state, f"{prefix}.0", f"{prefix}.1", p), width)
        _conv_norm(plan, state, prefix, kept)
        if previous is not None:
            plan[f"{prefix}.0.weight"][1] = previous
        previous, layer = kept, layer + 1
    assert previous is not None
    _heads(plan, state, previous)
    return plan


def _resnet_plan(state: dict[str, Tensor], width: int, p: int) -> Plan:
    plan: Plan = {}
    blocks = 0
    while f"body.blocks.{blocks}.conv1.0.weight" in state:
        blocks += 1
    stream = ["body.stem"] + [f"body.blocks.{b}.conv2" for b in range(blocks)]
    total = sum(_filter_scores(state, f"{s}.0", f"{s}.1", p) for s in stream)
    assert isinstance(total, Tensor)
    kept = _top(total, width)
    for prefix in stream:
        _conv_norm(plan, state, prefix, kept)
    for b in range(blocks):
        prefix = f"body.blocks.{b}.conv1"
        inner = _top(_filter_scores(state, f"{prefix}.0", f"{prefix}.1", p), width)
        _conv_norm(plan, state, prefix, inner)
        plan[f"{prefix}.0.weight"][1] = kept
        plan[f"body.blocks.{b}.conv2.0.weight"][1] = inner
    _heads(plan, state, kept)
    return plan


_PLANS: dict[str, Callable[[dict[str, Tensor], int, int], Plan]] = {
    "alphago": _alphago_plan,
    "resnet": _resnet_plan,
}


def check_supported(config: NetConfig) -> None:
    """Raise ValueError when ``channel_prune`` cannot narrow a net of ``config``."""
    if config.family not in _PLANS:
        raise ValueError(
            f"structured pruning supports the {' and '.join(SUPPORTED)} families, "
            f"not {config.family!r}"
        )
    if config.norm not in ("batch", "none"):
        raise ValueError(f"structured pruning supports batch norm or none, not {config.norm!r}")
    if getattr(config, "se_reduction", 0):
        raise ValueError("structured pruning does not support squeeze-excite blocks")


def channel_prune(net: Net, config: ChannelPruneConfig) -> ChannelPruned:
    """A copy of ``net`` narrowed to ``config.width(channels)`` filters per body layer.

    Raises:
        ValueError: a family, norm or block the pruner does not support.
    """
    check_supported(net.config)
    before: int = getattr(net.config, "channels")  # noqa: B009 (every supported family has it)
    width = config.width(before)
    state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
    plan = _PLANS[net.config.family](state, width, 1 if config.norm == "l1" else 2)
    pruned_state = {}
    for name, tensor in state.items():
        for dim, index in plan.get(name, {}).items():
            tensor = tensor.index_select(dim, index)
        pruned_state[name] = tensor.clone()
    small = build_net(net.config.replace(channels=width))
    small.load_state_dict(pruned_state)  # strict: a missed dependency is a shape error here
    small.train(net.training)
    params = [sum(p.numel() for p in n.parameters()) for n in (net, small)]
    return ChannelPruned(small, before, width, *params)
