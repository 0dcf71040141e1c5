"""Output heads: AlphaGo Zero's policy and value heads, and AlphaGo (2016)'s own.

Every head reads body features ``[B, C, N, N]``. Policy heads return ``N*N + 1`` logits (the board
points in row-major order, then pass); value heads return ``[B]`` values in (-1, 1), the expected
result for the player to move.

| head              | layers (Silver et al.)                                                   |
|-------------------|--------------------------------------------------------------------------|
| PolicyHead        | conv 2 x 1x1 -> norm -> ReLU -> FC to N*N+1 (2017, Methods)                |
| ValueHead         | conv 1 x 1x1 -> norm -> ReLU -> FC hidden -> ReLU -> FC 1 -> tanh (2017) |
| AlphaGoPolicyHead | conv 1 x 1x1 + a bias per point (2016, Methods); + a pass logit (ours)   |

AlphaGo's value network ends the same way as Zero's value head (its layer 13 is one 1x1 filter,
layer 14 a fully connected layer of 256 ReLUs, then one tanh unit), so both use ``ValueHead``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from igo.nn.layers.conv_norm_act import ConvNormAct
from igo.nn.layers.norm import NormFn


class PolicyHead(nn.Module):
    """AlphaGo Zero's policy head: ``[B, C, N, N] -> [B, N*N + 1]`` logits."""

    def __init__(
        self, in_channels: int, board_size: int, *, norm_fn: NormFn, head_channels: int = 2
    ) -> None:
        """Args:
        in_channels: body channels C.
        board_size: board side N.
        norm_fn: builds the norm after the 1x1 conv.
        head_channels: filters of the 1x1 conv (2 in the paper).
        """
        super().__init__()
        self.conv = ConvNormAct(in_channels, head_channels, 1, norm_fn=norm_fn)
        self.fc = nn.Linear(head_channels * board_size * board_size, board_size * board_size + 1)

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``[B, N*N + 1]`` for features ``x`` [B, C, N, N]."""
        out: Tensor = self.fc(self.conv(x).flatten(1))
        return out


class ValueHead(nn.Module):
    """AlphaGo Zero's value head: ``[B, C, N, N] -> [B]`` in (-1, 1)."""

    def __init__(
        self, in_channels: int, board_size: int, *, norm_fn: NormFn, hidden: int = 256
    ) -> None:
        """Args:
        in_channels: body channels C.
        board_size: board side N.
        norm_fn: builds the norm after the 1x1 conv.
        hidden: units of the hidden fully connected layer (256 in the paper).
        """
        super().__init__()
        self.conv = ConvNormAct(in_channels, 1, 1, norm_fn=norm_fn)
        self.fc1 = nn.Linear(board_size * board_size, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Values ``[B]`` for features ``x`` [B, C, N, N]."""
        hidden = torch.relu(self.fc1(self.conv(x).flatten(1)))
        return torch.tanh(self.fc2(hidden)).squeeze(1)


class AlphaGoPolicyHead(nn.Module):
    """AlphaGo's policy output: one 1x1 filter with a separate bias for each point, plus pass.

    The 2016 network had no pass output; a player of full games needs one, so the pass logit is
    a linear function of the board-averaged features.
    """

    def __init__(self, in_channels: int, board_size: int) -> None:
        """Args:
        in_channels: body channels C.
        board_size: board side N.
        """
        super().__init__()
        self.conv = nn.Conv2d(in_channels, 1, 1, bias=False)
        self.point_bias = nn.Parameter(torch.zeros(board_size * board_size))
        self.pass_fc = nn.Linear(in_channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``[B, N*N + 1]`` for features ``x`` [B, C, N, N]."""
        point_logits = self.conv(x).flatten(1) + self.point_bias
        pass_logit = self.pass_fc(x.mean(dim=(2, 3)))
        return torch.cat([point_logits, pass_logit], dim=1)
