"""Normalisation layers chosen by name: the one ``create_norm`` factory every body and head uses.

| name       | normalises over                       | module                         | paper      |
|------------|---------------------------------------|--------------------------------|------------|
| `batch`    | each channel, over the mini-batch     | ``BatchNorm2d(C)``             | Ioffe 2015 |
| `layer`    | each sample, over C, H, W             | ``GroupNorm(1, C)``            | Ba 2016    |
| `instance` | each sample's each channel, over H, W | ``InstanceNorm2d(C, affine)``  | Ulyanov 16 |
| `group`    | each sample's groups of channels      | ``GroupNorm(g, C)``, g <= 32   | Wu 2018    |
| `none`     | nothing                               | ``Identity``                   |            |

Batch norm fails with small batches (self-play evaluation, small-memory training); the other
three keep no batch statistics, so they behave the same in training and evaluation.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from torch import nn

NormFn = Callable[[int], nn.Module]
"""Builds a norm layer for a given channel count: what blocks receive instead of a string."""

NORM_NAMES: tuple[str, ...] = ("batch", "layer", "instance", "group", "none")
MAX_GROUPS = 32


def group_count(channels: int, max_groups: int = MAX_GROUPS) -> int:
    """The largest divisor of ``channels`` that is at most ``max_groups`` (Wu & He use 32)."""
    return max(g for g in range(1, min(channels, max_groups) + 1) if channels % g == 0)


def create_norm(name: str, channels: int) -> nn.Module:
    """A 2-D normalisation layer by name.

    Args:
        name: one of ``NORM_NAMES``.
        channels: channel count C of the ``[B, C, H, W]`` input.

    Returns:
        The layer; ``nn.Identity`` for ``"none"``.
    """
    if channels < 1:
        raise ValueError(f"channels must be positive, got {channels}")
    if name == "batch":
        return nn.BatchNorm2d(channels)
    if name == "layer":
        return nn.GroupNorm(1, channels)
    if name == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    if name == "group":
        return nn.GroupNorm(group_count(channels), channels)
    if name == "none":
        return nn.Identity()
    raise ValueError(f"unknown norm {name!r}; choose one of {', '.join(NORM_NAMES)}")


def norm_fn(name: str) -> NormFn:
    """``create_norm`` with the name bound: the callable passed down to blocks."""
    if name not in NORM_NAMES:
        raise ValueError(f"unknown norm {name!r}; choose one of {', '.join(NORM_NAMES)}")
    return partial(create_norm, name)
