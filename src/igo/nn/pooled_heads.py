"""KataGo's size-independent heads (Wu 2019): global pooling instead of layers sized by the board.

No weight depends on the board's side N, so one net runs every size; a board mask (``[B, 1, N, N]``,
``igo.nn.board_mask``) lets one batch hold several sizes padded to the largest.

| head             | layers                                                                     |
|------------------|----------------------------------------------------------------------------|
| PooledPolicyHead | 1x1 conv to P and G channels; G pooled (mean, scaled mean, max) -> linear  |
|                  | -> a bias per P channel and the pass logit; P -> norm-ReLU -> 1x1 conv to  |
|                  | one logit per point; off-board points get ``OFF_BOARD_LOGIT``              |
| PooledValueHead  | 1x1 conv-norm-ReLU to V channels; pooled -> FC hidden -> ReLU -> FC 2:     |
|                  | value (tanh) and score; a 1x1 conv of V -> tanh: ownership per point        |

Outputs, from the side to move's view: policy logits ``[B, N*N + 1]`` (points row-major, then
pass), value ``[B]`` in (-1, 1), score ``[B]`` (the final margin in points), ownership
``[B, N, N]`` in (-1, 1) (+1: the side to move's at the end; 0 off the board).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from igo.nn.board_mask import OFF_BOARD_LOGIT, global_pool
from igo.nn.layers.conv_norm_act import ConvNormAct
from igo.nn.layers.norm import NormFn

POOLED_CHANNELS = 32
"""Channels of the heads' 1x1 convs (KataGo's b6c96 uses 32 for policy and value)."""
SCORE_SCALE = 20.0
"""The score output is the last layer's unit times this, so that a fresh net's scores are on the
scale of a board's margins from the first step."""


class PooledPolicyHead(nn.Module):
    """Policy logits ``[B, N*N + 1]`` from features ``[B, C, N, N]`` of any N."""

    def __init__(self, in_channels: int, *, norm_fn: NormFn, channels: int = POOLED_CHANNELS):
        """Args:
        in_channels: body channels C.
        norm_fn: builds the norms after the 1x1 convs.
        channels: P and G, the width of the point and the pooled paths.
        """
        super().__init__()
        self.points = nn.Conv2d(in_channels, channels, 1, bias=False)
        self.pooled = ConvNormAct(in_channels, channels, 1, norm_fn=norm_fn)
        self.bias = nn.Linear(3 * channels, channels, bias=False)
        self.pass_fc = nn.Linear(3 * channels, 1)
        self.act = nn.Sequential(norm_fn(channels), nn.ReLU())
        self.logits = nn.Conv2d(channels, 1, 1, bias=False)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """Logits for features ``x`` [B, C, N, N] and board mask ``mask`` [B, 1, N, N] or None."""
        pooled = global_pool(self.pooled(x), mask)
        points = self.points(x) + self.bias(pooled)[:, :, None, None]
        logits = self.logits(self.act(points))
        if mask is not None:
            logits = logits.masked_fill(mask == 0, OFF_BOARD_LOGIT)
        return torch.cat([logits.flatten(1), self.pass_fc(pooled)], dim=1)


class PooledValueHead(nn.Module):
    """Value ``[B]``, score ``[B]`` and ownership ``[B, N, N]`` from features of any N."""

    def __init__(
        self,
        in_channels: int,
        *,
        norm_fn: NormFn,
        hidden: int = 256,
        channels: int = POOLED_CHANNELS,
    ) -> None:
        """Args:
        in_channels: body channels C.
        norm_fn: builds the norm after the 1x1 conv.
        hidden: units of the hidden fully connected layer.
        channels: V, the 1x1 conv's width.
        """
        super().__init__()
        self.conv = ConvNormAct(in_channels, channels, 1, norm_fn=norm_fn)
        self.fc1 = nn.Linear(3 * channels, hidden)
        self.fc2 = nn.Linear(hidden, 2)
        self.owner = nn.Conv2d(channels, 1, 1)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """(value [B], score [B], ownership [B, N, N]) for ``x`` [B, C, N, N] and ``mask``."""
        features = self.conv(x)
        out = self.fc2(torch.relu(self.fc1(global_pool(features, mask))))
        ownership = torch.tanh(self.owner(features))
        if mask is not None:
            ownership = ownership * mask.to(ownership.dtype)
        return torch.tanh(out[:, 0]), out[:, 1] * SCORE_SCALE, ownership[:, 0]
