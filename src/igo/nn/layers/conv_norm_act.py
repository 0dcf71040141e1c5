"""Conv -> norm -> activation, and the pre-activation order norm -> activation -> conv.

Padding keeps the board's size (``dilation * (kernel_size - 1) // 2`` for odd kernels). A conv
followed by a real norm has no bias (the norm's shift replaces it); with ``norm="none"`` it keeps
one.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from igo.nn.layers.norm import NormFn

ActFn = Callable[[], nn.Module]
"""Builds an activation module (``nn.ReLU``, ``nn.SiLU``, ...)."""


def same_padding(kernel_size: int, dilation: int = 1) -> int:
    """Padding that keeps H and W for an odd ``kernel_size`` at stride 1."""
    if kernel_size % 2 == 0:
        raise ValueError(f"same padding needs an odd kernel, got {kernel_size}")
    return dilation * (kernel_size - 1) // 2


def _conv_then_norm(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    norm: nn.Module,
    dilation: int,
    groups: int,
) -> nn.Conv2d:
    return nn.Conv2d(
        in_channels,
        out_channels,
        kernel_size,
        padding=same_padding(kernel_size, dilation),
        dilation=dilation,
        groups=groups,
        bias=isinstance(norm, nn.Identity),
    )


class ConvNormAct(nn.Sequential):
    """Conv -> norm -> activation: ``[B, C_in, H, W] -> [B, C_out, H, W]``."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        *,
        norm_fn: NormFn,
        act_fn: ActFn | None = nn.ReLU,
        dilation: int = 1,
        groups: int = 1,
    ) -> None:
        """Args:
        in_channels: input channels C_in.
        out_channels: output channels C_out.
        kernel_size: odd square kernel size.
        norm_fn: builds the norm for C_out channels (see ``norm_fn`` in ``norm.py``).
        act_fn: builds the activation; None for none.
        dilation: spacing of the kernel taps.
        groups: conv groups (``in_channels`` for a depthwise conv).
        """
        norm = norm_fn(out_channels)
        conv = _conv_then_norm(in_channels, out_channels, kernel_size, norm, dilation, groups)
        act = act_fn() if act_fn is not None else nn.Identity()
        super().__init__(conv, norm, act)
        self.out_channels = out_channels


class NormActConv(nn.Sequential):
    """Norm -> activation -> conv, pre-activation order (He et al. 2016b, "Identity Mappings")."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        *,
        norm_fn: NormFn,
        act_fn: ActFn = nn.ReLU,
        dilation: int = 1,
    ) -> None:
        """Args:
        in_channels: input channels C_in (the norm's width).
        out_channels: output channels C_out.
        kernel_size: odd square kernel size.
        norm_fn: builds the norm for C_in channels.
        act_fn: builds the activation.
        dilation: spacing of the kernel taps.
        """
        conv = nn.Conv2d(
            in_channels,
            out_channels,
            kernel_size,
            padding=same_padding(kernel_size, dilation),
            dilation=dilation,
            bias=False,
        )
        super().__init__(norm_fn(in_channels), act_fn(), conv)
        self.out_channels = out_channels
