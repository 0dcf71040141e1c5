"""Board masks and KataGo's global pooling: one batch of several board sizes, padded to the largest.

A batch of boards of sizes n_i <= N is padded to [B, C, N, N], each board in the top-left corner,
with a mask ``[B, 1, N, N]`` (1 on the board, 0 off it). Off-board points must act exactly like
the edge of the board, so that a 9x9 position gives the same outputs alone and inside a 13x13
batch (Wu 2019, "Accelerating Self-Play Learning in Go", section 3 and appendix A):

- every conv wider than 1x1 sees its input times the mask (``mask_convs`` installs a forward
  pre-hook), so it reads zeros off the board, which is what its zero padding reads past an edge;
  1x1 convs, batch norm in eval mode, activations and adds work point by point and need nothing;
- pooling over the board (``global_pool``, squeeze-excite) counts board points only;
- the policy puts ``OFF_BOARD_LOGIT`` on off-board points, so its softmax ignores them.

Norms that average over the board (layer, group, instance) and batch norm in training mode do
see the padding; masked batches are exact for batch norm in eval mode and ``norm="none"``.

The mask reaches the layers as an attribute (``board_mask``) that the net sets on every module
marked ``reads_board_mask`` for the length of one forward pass (``board_mask_set``): a plain
attribute, not a buffer, so checkpoints and deep copies are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn

OFF_BOARD_LOGIT = -1e9
"""Policy logit of a point off the board: its softmax weight is exactly 0, its log stays finite
(a zero target times it is 0, not NaN)."""


def mask_convs(body: nn.Module) -> None:
    """Make every conv of ``body`` wider than 1x1 read its input times the board mask."""
    for module in body.modules():
        if isinstance(module, nn.Conv2d) and module.kernel_size != (1, 1):
            setattr(module, "reads_board_mask", True)  # noqa: B010 (not a Module attribute)
            module.register_forward_pre_hook(_mask_input)


def _mask_input(module: nn.Module, args: tuple[Tensor, ...]) -> tuple[Tensor, ...] | None:
    mask = getattr(module, "board_mask", None)
    if mask is None:
        return None
    return (args[0] * mask.to(args[0].dtype),)


@contextmanager
def board_mask_set(net: nn.Module, mask: Tensor | None) -> Iterator[None]:
    """Give every module of ``net`` that reads the mask ``mask`` [B, 1, N, N] (None: every point
    is on the board) for the length of the block."""
    readers = [m for m in net.modules() if getattr(m, "reads_board_mask", False)]
    for module in readers:
        setattr(module, "board_mask", mask)  # noqa: B010
    try:
        yield
    finally:
        for module in readers:
            setattr(module, "board_mask", None)  # noqa: B010


def global_pool(x: Tensor, mask: Tensor | None) -> Tensor:
    """KataGo's global pooling: ``[B, C, N, N] -> [B, 3C]``, the mean over the board, the mean
    scaled by ``(width - 14) / 10`` (width: the board's side, so the net can tell sizes apart) and
    the max, each over board points only.

    Args:
        x: features [B, C, N, N].
        mask: [B, 1, N, N] with 1 on the board, or None for a full N x N board.
    """
    if mask is None:
        count = torch.full((x.shape[0], 1), float(x.shape[2] * x.shape[3]), device=x.device)
        mean, top = x.mean(dim=(2, 3)), x.amax(dim=(2, 3))
    else:
        mask = mask.to(x.dtype)
        count = mask.sum(dim=(2, 3))
        mean = (x * mask).sum(dim=(2, 3)) / count
        top = x.masked_fill(mask == 0, torch.finfo(x.dtype).min).amax(dim=(2, 3))
    width = count.sqrt().to(x.dtype)
    return torch.cat([mean, mean * (width - 14.0) / 10.0, top], dim=1)


def masked_mean(x: Tensor, mask: Tensor | None) -> Tensor:
    """``[B, C, N, N] -> [B, C]``: the mean over board points (all when ``mask`` is None)."""
    if mask is None:
        return x.mean(dim=(2, 3))
    mask = mask.to(x.dtype)
    return (x * mask).sum(dim=(2, 3)) / mask.sum(dim=(2, 3))


def pad_boards(planes: list[Tensor]) -> tuple[Tensor, Tensor]:
    """Boards of several sizes as one batch: ``[C, n_i, n_i]`` each -> (planes [B, C, N, N] zero
    padded, each board top-left; mask [B, 1, N, N]) with N the largest n_i."""
    if not planes:
        raise ValueError("pad_boards needs at least one board")
    size = max(p.shape[-1] for p in planes)
    out = planes[0].new_zeros((len(planes), planes[0].shape[0], size, size))
    mask = planes[0].new_zeros((len(planes), 1, size, size))
    for i, p in enumerate(planes):
        n = p.shape[-1]
        out[i, :, :n, :n] = p
        mask[i, :, :n, :n] = 1
    return out, mask
