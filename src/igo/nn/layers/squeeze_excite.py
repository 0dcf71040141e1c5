"""Squeeze-and-excitation (Hu et al. 2018): rescale channels by a gate computed from global pooling.

On a Go board the global average gives every point a view of the whole position, which is why
Leela Zero and KataGo add global pooling to their residual blocks.
"""

from __future__ import annotations

from torch import Tensor, nn

from igo.nn.board_mask import masked_mean


class SqueezeExcite(nn.Module):
    """``x * sigmoid(W_2 relu(W_1 mean_hw(x)))``: ``[B, C, H, W] -> [B, C, H, W]``.

    The mean is over board points only when a net sets a board mask (``igo.nn.board_mask``)."""

    reads_board_mask = True
    board_mask: Tensor | None = None

    def __init__(self, channels: int, reduction: int = 4) -> None:
        """Args:
        channels: channels C.
        reduction: the hidden layer has ``max(1, C // reduction)`` units.
        """
        super().__init__()
        hidden = max(1, channels // reduction)
        self.fc1 = nn.Linear(channels, hidden)
        self.fc2 = nn.Linear(hidden, channels)
        self.act = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        """Rescale each channel of ``x`` [B, C, H, W]."""
        scale = self.fc2(self.act(self.fc1(masked_mean(x, self.board_mask)))).sigmoid()
        out: Tensor = x * scale[:, :, None, None]
        return out
