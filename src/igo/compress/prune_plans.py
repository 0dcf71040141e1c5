"""Which channels structured pruning removes together, family by family (``prune_structured``).

A body's channels fall into ``Group``s: channels that must go together because one tensor
produces them and others read them. A plan lists a body's groups from its state dict (names as
``Net.state_dict`` gives them); ``prune_structured`` scores each group, keeps the filters the
narrower net has room for and cuts every tensor that the group names.

| family     | groups                                                                          |
|------------|---------------------------------------------------------------------------------|
| alphago    | each layer's filters (the next conv reads them)                                  |
| resnet     | the residual stream (stem and every block's second conv: the adds share          |
|            | channels); each block's inner channels                                            |
| bottleneck | the stream (stem, every ``restore``); each block's reduced and middle channels    |
| preact,    | one stream per run of identity shortcuts (stem or a 1x1 projection starts one,   |
| wide       | every block's second conv adds to it; the next norms read it); inner channels     |
| mobilenet  | the stem's and each pointwise conv's filters, with the depthwise conv after them |
|            | (one filter per channel)                                                          |
| dilated    | the stream (stem, residual 1x1s), each gated conv's channels (filter and gate   |
|            | halves together), the summed skips, the output conv                               |
| pyramid    | the stream, nested: block b's output keeps block b-1's channels in their order  |
|            | (the zero-padded shortcut) plus new ones of its own widening; inner channels      |

Not planned: ``densenet``. A dense layer reads the concatenation of every earlier output, so
each layer's growth channels are read at a different offset by every later layer and the
transition, and the config holds one growth rate: a per-layer choice of filters would need a
width per layer the registry cannot build.

A filter's score is the norm of its weights times the scale its norm gives it (``|gamma| /
sqrt(var + eps)``, batch norm after the conv, or the pre-activation norm that reads it), summed
over a group's producers (Li et al. 2017).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

State = dict[str, Tensor]


@dataclass(frozen=True)
class Group:
    """Channels pruned together."""

    producers: tuple[tuple[str, str | None], ...]
    """(conv, the norm that scales its output or None): whose filters are these channels; their
    scores are summed. The first one's new filter count is the group's width."""
    outputs: tuple[str, ...]
    """Module prefixes whose every tensor holds these channels along dim 0 (the producers, their
    norms, depthwise convs, the pre-activation norms that read them)."""
    inputs: tuple[str, ...]
    """Weights that read these channels along dim 1."""
    paired: bool = False
    """The producers' filters come in two halves, filter and gate (``GatedConv2d``): channel i
    is rows i and n + i."""
    kept: Tensor | None = None
    """Channels kept, when the plan chose them itself (PyramidNet's nested stream)."""


Plan = Callable[[State, State, int], list[Group]]
"""(the net's state, the narrower net's state, the norm's p) -> the body's groups."""

HEADS = (
    "policy_head.conv.weight",  # AlphaGo's 1x1 policy conv
    "policy_head.pass_fc.weight",
    "policy_head.conv.0.weight",  # Zero's policy head
    "value_head.conv.0.weight",
)
"""The heads' weights that read the body's output channels."""


def heads(state: State) -> tuple[str, ...]:
    """Those of ``HEADS`` this net has."""
    return tuple(name for name in HEADS if name in state)


def filter_scores(state: State, conv: str, norm: str | None, p: int) -> Tensor:
    """Importance of each output filter of the conv ``conv`` (scaled by the norm ``norm``)."""
    weight = state[f"{conv}.weight"]
    score: Tensor = weight.flatten(1).norm(p=p, dim=1)
    if norm is not None and f"{norm}.running_var" in state:
        scale = state[f"{norm}.weight"].abs() / torch.sqrt(state[f"{norm}.running_var"] + 1e-5)
        score = score * scale
    return score


def top(scores: Tensor, width: int) -> Tensor:
    """Indices of the ``width`` largest scores, in channel order (ties: the lower index)."""
    order = sorted(range(len(scores)), key=lambda i: (-float(scores[i]), i))
    return torch.tensor(sorted(order[:width]), dtype=torch.long)


def _count(state: State, prefix: str) -> int:
    blocks = 0
    while any(k.startswith(f"{prefix}.{blocks}.") for k in state):
        blocks += 1
    return blocks


def alphago_plan(state: State, small: State, p: int) -> list[Group]:
    layers = _count(state, "body.layers")
    return [
        Group(
            ((f"body.layers.{i}.0", f"body.layers.{i}.1"),),
            (f"body.layers.{i}",),
            (f"body.layers.{i + 1}.0.weight",) if i + 1 < layers else heads(state),
        )
        for i in range(layers)
    ]


def _post_norm_stream(state: State, last: str, inner: tuple[str, ...]) -> list[Group]:
    """ResNet and bottleneck bodies (conv -> norm everywhere): the stream is the stem and every
    block's ``last`` conv; ``inner`` names each block's earlier convs, each its own group."""
    blocks = _count(state, "body.blocks")
    stream = ["body.stem", *(f"body.blocks.{b}.{last}" for b in range(blocks))]
    readers = tuple(f"body.blocks.{b}.{inner[0]}.0.weight" for b in range(blocks))
    groups = [
        Group(tuple((f"{s}.0", f"{s}.1") for s in stream), tuple(stream), readers + heads(state))
    ]
    for b in range(blocks):
        chain = [f"body.blocks.{b}.{name}" for name in (*inner, last)]
        for here, reader in zip(chain, chain[1:], strict=False):
            groups.append(Group(((f"{here}.0", f"{here}.1"),), (here,), (f"{reader}.0.weight",)))
    return groups


def resnet_plan(state: State, small: State, p: int) -> list[Group]:
    return _post_norm_stream(state, "conv2", ("conv1",))


def bottleneck_plan(state: State, small: State, p: int) -> list[Group]:
    return _post_norm_stream(state, "restore", ("reduce", "conv"))


def preact_plan(state: State, small: State, p: int) -> list[Group]:
    """Pre-activation blocks (``preact``, ``wide``): norm -> ReLU -> conv, twice, plus the input
    or its 1x1 projection. A projection starts a new stream; the final norm reads the last."""
    groups: list[Group] = []
    producers: list[tuple[str, str | None]] = [("body.stem", None)]
    outputs, inputs = ["body.stem"], []
    for b in range(_count(state, "body.blocks")):
        block = f"body.blocks.{b}"
        outputs.append(f"{block}.conv1.0")  # the block's pre-activation norm reads the stream
        inputs.append(f"{block}.conv1.2.weight")
        if f"{block}.shortcut.weight" in state:
            inputs.append(f"{block}.shortcut.weight")
            groups.append(Group(tuple(producers), tuple(outputs), tuple(inputs)))
            producers, outputs, inputs = [(f"{block}.shortcut", None)], [f"{block}.shortcut"], []
        producers.append((f"{block}.conv2.2", None))
        outputs.append(f"{block}.conv2.2")
        groups.append(
            Group(
                ((f"{block}.conv1.2", f"{block}.conv2.0"),),
                (f"{block}.conv1.2", f"{block}.conv2.0"),
                (f"{block}.conv2.2.weight",),
            )
        )
    outputs.append("body.final.0")
    groups.append(Group(tuple(producers), tuple(outputs), (*inputs, *heads(state))))
    return groups


def mobilenet_plan(state: State, small: State, p: int) -> list[Group]:
    blocks = _count(state, "body.blocks")
    convs = ["body.stem", *(f"body.blocks.{b}.pointwise" for b in range(blocks))]
    groups = []
    for b, conv in enumerate(convs):
        if b < blocks:  # the next block's depthwise filters follow, its pointwise conv reads
            outputs: tuple[str, ...] = (conv, f"body.blocks.{b}.depthwise")
            inputs: tuple[str, ...] = (f"body.blocks.{b}.pointwise.0.weight",)
        else:
            outputs, inputs = (conv,), heads(state)
        groups.append(Group(((f"{conv}.0", f"{conv}.1"),), outputs, inputs))
    return groups


def dilated_plan(state: State, small: State, p: int) -> list[Group]:
    blocks = [f"body.blocks.{b}" for b in range(_count(state, "body.blocks"))]
    residual = [f"{b}.residual" for b in blocks if f"{b}.residual.weight" in state]
    skips = [f"{b}.skip" for b in blocks]
    stream = Group(
        (("body.stem.0", "body.stem.1"), *((r, None) for r in residual)),
        ("body.stem", *residual),
        tuple(f"{b}.gated.conv.weight" for b in blocks),
    )
    gated = [
        Group(
            ((f"{b}.gated.conv", f"{b}.gated.norm"),),
            (f"{b}.gated",),
            tuple(n for n in (f"{b}.residual.weight", f"{b}.skip.weight") if n in state),
            paired=True,
        )
        for b in blocks
    ]
    skip = Group(tuple((s, None) for s in skips), tuple(skips), ("body.output.0.weight",))
    output = Group((("body.output.0", "body.output.1"),), ("body.output",), heads(state))
    return [stream, *gated, skip, output]


def pyramid_plan(state: State, small: State, p: int) -> list[Group]:
    """The stream grows by zero-padding: block b's output channels are block b-1's (in order)
    then its new ones, so each level keeps the previous level's choice and adds its own."""
    blocks = [f"body.blocks.{b}" for b in range(_count(state, "body.blocks"))]
    levels = ["body.stem", *(f"{b}.conv2" for b in blocks)]
    widths = [state[f"{s}.0.weight"].shape[0] for s in levels]
    total = torch.zeros(widths[-1])
    for level, width in zip(levels, widths, strict=True):
        total[:width] += filter_scores(state, f"{level}.0", f"{level}.1", p)
    groups, kept, previous = [], torch.zeros(0, dtype=torch.long), 0
    for i, level in enumerate(levels):
        room = small[f"{level}.0.weight"].shape[0] - len(kept)
        newborn = torch.arange(previous, widths[i])
        if room > len(newborn):  # the narrower net widens faster here: take older ones too
            newborn = torch.tensor([c for c in range(widths[i]) if c not in set(kept.tolist())])
        kept = torch.cat([kept, newborn[top(total[newborn], room)]])
        readers = (f"{blocks[i]}.norm",) if i < len(blocks) else ("body.final.0",)
        inputs = (f"{blocks[i]}.conv1.0.weight",) if i < len(blocks) else heads(state)
        groups.append(Group(((f"{level}.0", None),), (level, *readers), inputs, kept=kept))
        previous = widths[i]
    for b in blocks:
        conv = f"{b}.conv1"
        groups.append(Group(((f"{conv}.0", f"{conv}.1"),), (conv,), (f"{b}.conv2.0.weight",)))
    return groups


PLANS: dict[str, Plan] = {
    "alphago": alphago_plan,
    "resnet": resnet_plan,
    "bottleneck": bottleneck_plan,
    "preact": preact_plan,
    "wide": preact_plan,
    "mobilenet": mobilenet_plan,
    "dilated": dilated_plan,
    "pyramid": pyramid_plan,
}
"""The families ``channel_prune`` can narrow, and their groups."""
REFUSED = {
    "densenet": "its layers read the concatenation of every earlier layer's output and its "
    "config holds one growth rate, so the filters kept cannot differ per layer"
}
"""Families refused, and why."""
