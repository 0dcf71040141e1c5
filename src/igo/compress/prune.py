"""Magnitude pruning (Han et al. 2015): per layer, the weights under alpha standard deviations go.

``magnitude_prune(net, MagnitudePruneConfig(alpha))`` takes every convolution and fully connected
weight of the net (biases, norms and the policy's per-point bias stay), sets to zero those whose
magnitude is under ``alpha * std(layer's weights)``, and returns a ``MagnitudePruned``: the pruned
copy (the net given is never changed), a boolean mask per pruned weight (True: kept) and what
was removed per layer and in all. The pruned net is an ordinary dense net with zeros: its
checkpoint loads in every player. Retraining with the mask fixed (``prune_train.py``) attaches
``MaskKeeper`` to the net and its optimiser so the removed weights stay exactly zero.

Unstructured zeros give no speed on dense kernels; ``prune_structured.py`` removes whole filters.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from igo.nn.net import Net


@dataclass(frozen=True)
class MagnitudePruneConfig:
    """Han et al.'s rule: per layer, remove weights with ``|w| < alpha * std(layer)``."""

    alpha: float
    """Threshold in standard deviations of each layer's weights (the seed: 0.5 to 2.6)."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.alpha) and self.alpha >= 0):
            raise ValueError(f"alpha must be a finite number >= 0, got {self.alpha}")


@dataclass(frozen=True)
class LayerPruning:
    """What the rule removed from one weight tensor."""

    name: str
    """The weight's name in the net's ``state_dict`` (``body.layers.0.0.weight``)."""
    total: int
    """Weights in the tensor."""
    removed: int
    """Weights set to zero (by the rule; those already zero count as removed)."""
    threshold: float
    """``alpha * std`` of the tensor's weights."""

    @property
    def fraction(self) -> float:
        """Share of the tensor's weights removed."""
        return self.removed / self.total if self.total else 0.0


@dataclass(frozen=True)
class MagnitudePruned:
    """A magnitude-pruned copy of a net, its masks and the per-layer counts."""

    net: Net
    """The pruned copy (dense tensors, the removed weights zero)."""
    masks: Mapping[str, Tensor]
    """Bool mask of each pruned weight by its parameter name (True: kept)."""
    layers: tuple[LayerPruning, ...]
    """Per pruned weight tensor, in the net's order."""
    net_params: int
    """Every parameter of the net (weights, biases, norms)."""

    @property
    def total(self) -> int:
        """Weights of the pruned layers."""
        return sum(layer.total for layer in self.layers)

    @property
    def removed(self) -> int:
        """Weights removed, in all."""
        return sum(layer.removed for layer in self.layers)

    @property
    def fraction(self) -> float:
        """Share of the pruned layers' weights removed (the seed's "parameters removed")."""
        return self.removed / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts (for a checkpoint's ``extra`` and the CLI's report)."""
        return {
            "removed": self.removed,
            "total": self.total,
            "fraction": self.fraction,
            "net_params": self.net_params,
            "layers": [
                {"name": x.name, "total": x.total, "removed": x.removed, "threshold": x.threshold}
                for x in self.layers
            ],
        }


def prunable_weights(net: nn.Module) -> dict[str, Tensor]:
    """The convolution and fully connected weights of ``net`` by parameter name, in order."""
    found: dict[str, Tensor] = {}
    for prefix, module in net.named_modules():
        if isinstance(module, nn.Conv2d | nn.Linear):
            found[f"{prefix}.weight" if prefix else "weight"] = module.weight
    return found


def magnitude_mask(weight: Tensor, alpha: float) -> tuple[Tensor, float]:
    """(mask of the weights kept, threshold): kept where ``|w| >= alpha * std(w)``; a tensor of
    one weight (no spread) keeps it unless it is zero."""
    data = weight.detach()
    spread = float(data.std()) if data.numel() > 1 else 0.0
    threshold = alpha * spread
    return (data.abs() >= threshold) & (data != 0), threshold


def magnitude_prune(net: Net, config: MagnitudePruneConfig) -> MagnitudePruned:
    """A copy of ``net`` with each conv and linear weight pruned by ``config``'s rule.

    Args:
        net: any registry net (unchanged).
        config: the threshold, alpha.

    Returns:
        The pruned copy, its masks and the counts per layer and in all.
    """
    pruned = copy.deepcopy(net)
    masks: dict[str, Tensor] = {}
    layers: list[LayerPruning] = []
    with torch.no_grad():
        for name, weight in prunable_weights(pruned).items():
            mask, threshold = magnitude_mask(weight, config.alpha)
            weight.mul_(mask)
            masks[name] = mask
            removed = int(mask.numel() - mask.sum())
            layers.append(LayerPruning(name, mask.numel(), removed, threshold))
    params = sum(p.numel() for p in pruned.parameters())
    return MagnitudePruned(pruned, masks, tuple(layers), params)


class MaskKeeper:
    """Keeps the removed weights of ``net`` exactly zero while an optimiser trains it.

    Their gradients are zeroed as they are computed (so momentum and Adam moments stay zero
    there), and after every ``optimizer.step`` the masks are applied again: weight decay or a
    moment left from before cannot move a removed weight. ``close`` detaches both hooks.
    """

    def __init__(
        self, net: nn.Module, optimizer: torch.optim.Optimizer, masks: Mapping[str, Tensor]
    ) -> None:
        params = dict(net.named_parameters())
        unknown = sorted(set(masks) - set(params))
        if unknown:
            raise ValueError(f"masks for weights the net lacks: {', '.join(unknown)}")
        self._pairs = [(params[n], m.to(params[n].device)) for n, m in masks.items()]
        self._handles = [
            param.register_hook(lambda grad, m=mask: grad * m)  # type: ignore[no-untyped-call]
            for param, mask in self._pairs
        ]
        self._handles.append(optimizer.register_step_post_hook(lambda *_: self.apply()))
        self.apply()

    def apply(self) -> None:
        """Zero the removed weights."""
        with torch.no_grad():
            for param, mask in self._pairs:
                param.mul_(mask)

    def close(self) -> None:
        """Remove the hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
