"""FitNets hints (Romero et al. 2015): a middle layer of the student taught the teacher's.

Stage 1 of FitNets regresses the student's *guided* layer onto the teacher's *hint* layer
through a learned regressor (here a 1x1 convolution, from the student's channels to the
teacher's; the board keeps its size in every body, so no spatial resampling is needed) under an
L2 loss, training only the student's layers up to the guided one and the regressor. Stage 2 is
ordinary knowledge distillation (``igo.compress.distill``).

A middle activation is read with a forward hook on a named module (``net.get_submodule``), so
no body is edited: ``tap(net, "body.layers.2")``. ``middle_layer(net)`` names the middle block
of a body's longest ``nn.Sequential`` (a plain stack, MobileNet's blocks, a ResNet's tower).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn


class _Reached(Exception):
    """Raised by a hook to stop a forward pass once the wanted layer has run (the layers above
    it would only cost time, and in training mode move their batch-norm statistics)."""


class Tap:
    """The latest output of a module of a net, caught by a forward hook."""

    def __init__(self) -> None:
        self.output: torch.Tensor | None = None

    def take(self) -> torch.Tensor:
        """The caught output (the hooked module must have run)."""
        if self.output is None:
            raise RuntimeError("the tapped layer has not run")
        out, self.output = self.output, None
        return out


def layer(net: nn.Module, name: str) -> nn.Module:
    """``net``'s module ``name``; ValueError naming some of the layers there are.

    Raises:
        ValueError: no such module.
    """
    try:
        return net.get_submodule(name)
    except AttributeError:
        known = [n for n, _ in net.named_modules() if n.count(".") <= 2 and n]
        raise ValueError(
            f"the net has no layer {name!r}; layers include {', '.join(known[:12])}"
        ) from None


@contextmanager
def tap(net: nn.Module, name: str, stop: bool = False) -> Iterator[Tap]:
    """Catch the output of ``net``'s module ``name`` while inside; with ``stop``, a forward pass
    of ``net`` ends there (call it through ``forward_to``)."""
    caught = Tap()

    def hook(module: nn.Module, args: object, output: torch.Tensor) -> None:
        caught.output = output
        if stop:
            raise _Reached

    handle = layer(net, name).register_forward_hook(hook)
    try:
        yield caught
    finally:
        handle.remove()


def forward_to(net: nn.Module, name: str, x: torch.Tensor) -> torch.Tensor:
    """The output of ``net``'s module ``name`` on input ``x`` [B, C, N, N], computing nothing
    above it."""
    with tap(net, name, stop=True) as caught:
        try:
            net(x)
        except _Reached:
            pass
        return caught.take()


def middle_layer(net: nn.Module) -> str:
    """The name of the middle block of the longest ``nn.Sequential`` in ``net``'s body.

    Raises:
        ValueError: the body has no sequence of blocks.
    """
    stacks = [(len(m), n) for n, m in net.named_modules() if isinstance(m, nn.Sequential)]
    stacks = [s for s in stacks if s[0] >= 2]
    if not stacks:
        raise ValueError("no stack of blocks in the net to take a middle layer from; name one")
    length, name = max(stacks, key=lambda s: s[0])
    return f"{name}.{(length - 1) // 2}"


def channels_at(net: nn.Module, name: str, input_shape: tuple[int, ...]) -> int:
    """Channels of ``net``'s module ``name``'s output on a zero input of ``input_shape``.

    Raises:
        ValueError: the output is not [B, C, N, N].
    """
    param = next(net.parameters())
    was_training = net.training
    net.eval()
    try:
        with torch.no_grad():
            out = forward_to(net, name, torch.zeros(input_shape, device=param.device))
    finally:
        net.train(was_training)
    if out.dim() != 4:
        raise ValueError(f"layer {name!r} gives {tuple(out.shape)}, not [B, C, N, N] features")
    return int(out.shape[1])


def regressor(student_channels: int, teacher_channels: int) -> nn.Conv2d:
    """FitNets' regressor: a 1x1 convolution from the student's channels to the teacher's."""
    return nn.Conv2d(student_channels, teacher_channels, 1)


def hint_loss(guided: torch.Tensor, hint: torch.Tensor, reg: nn.Module) -> torch.Tensor:
    """FitNets' stage-1 loss: half the mean squared error between the regressed guided features
    and the hint (mean over batch, channels and points, so the scale does not grow with width).

    Args:
        guided: the student's features [B, Cs, N, N].
        hint: the teacher's features [B, Ct, N, N] (no gradient).
        reg: maps [B, Cs, N, N] to [B, Ct, N, N].
    """
    return 0.5 * F.mse_loss(reg(guided), hint)
