"""Depthwise separable convolution (Howard et al. 2017, MobileNets, section 3.1).

A standard K x K convolution from C to M channels on an H x W map costs ``H*W*K*K*C*M``
multiply-adds. The separable one splits it into a depthwise convolution (one K x K filter per input
channel: ``H*W*C*K*K``) and a pointwise 1 x 1 convolution (``H*W*C*M``), a cost ratio of
``1/M + 1/K**2`` (eq. 5): 8 to 9 times cheaper for 3 x 3 kernels. The depthwise part ignores the
relations between channels; the pointwise part restores them.
"""

from __future__ import annotations

from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import ActFn, ConvNormAct
from igo.nn.layers.norm import NormFn, create_norm


def _no_norm(channels: int) -> nn.Module:
    return create_norm("none", channels)


class SeparableConv2d(nn.Module):
    """Depthwise K x K (-> norm -> act) then pointwise 1 x 1 (-> norm -> act).

    With the defaults (no norm, no activation) it is the bare factorised convolution whose cost
    the FLOP test checks; MobileNet blocks pass a norm and ReLU (Howard et al., Fig. 3).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int = 3,
        *,
        norm_fn: NormFn = _no_norm,
        act_fn: ActFn | None = None,
        dilation: int = 1,
    ) -> None:
        """Args:
        in_channels: input channels C.
        out_channels: output channels M.
        kernel_size: odd depthwise kernel size K.
        norm_fn: builds the norm after each of the two convs.
        act_fn: builds the activation after each norm; None for none.
        dilation: spacing of the depthwise taps.
        """
        super().__init__()
        self.depthwise = ConvNormAct(
            in_channels,
            in_channels,
            kernel_size,
            norm_fn=norm_fn,
            act_fn=act_fn,
            dilation=dilation,
            groups=in_channels,
        )
        self.pointwise = ConvNormAct(in_channels, out_channels, 1, norm_fn=norm_fn, act_fn=act_fn)
        self.out_channels = out_channels

    def forward(self, x: Tensor) -> Tensor:
        """``[B, C, H, W] -> [B, M, H, W]``."""
        out: Tensor = self.pointwise(self.depthwise(x))
        return out
