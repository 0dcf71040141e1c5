"""What AlphaGo's two supervised network stages share: their data, input planes and symmetries.

Silver et al., Nature 529 (2016), Methods: the SL policy network p_sigma is trained by stochastic
gradient ascent on log p(a|s) of randomly sampled state-action pairs, each augmented by one of the
8 symmetries of the board; the value network v_theta by SGD on the mean squared error between its
tanh output and the outcome z. ``sl_policy_stage.py`` and ``value_net_stage.py`` are those two
stages; ``supervised_loop.py`` their resumable training loop and files; this module their data:

| part         | what                                                                           |
|--------------|--------------------------------------------------------------------------------|
| examples     | the shards of one kind (``sl`` or ``value``) and split, concatenated in memory |
|              | (same columns: stones, to_play, move, recent, ko, result, size, komi...)      |
| planes       | ``planes_from_examples``: AlphaGo's 48 planes (49 for the value net) as uint8 |
|              | [N, C, n, n] (48 n^2 bytes a position: 3.9 KB at 9x9), rebuilt per position    |
|              | from its stones, ko point and last 7 moves (about 15 us a position at 9x9)     |
| minibatches  | ``Symmetries``: one random symmetry per example, applied to the planes and to  |
|              | the move target (pass unchanged)                                               |

A position's legality is rebuilt from its stones and simple-ko point under igo's default rules
(no multi-stone suicide); superko is not stored in the shards and so not seen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from igo.data.shards import iter_shards, read_manifest
from igo.encode.alphago import NUM_PLANES, NUM_VALUE_PLANES, PLAYER_COLOR, fill_alphago_planes
from igo.encode.symmetry import augment
from igo.go.board import geometry, new_board, rebuild
from igo.nn.inference import TorchEvaluator, prepare_eager
from igo.nn.net import Net

COLUMNS = ("stones", "to_play", "move", "recent", "ko", "result", "size", "komi")
"""The shard columns the stages read."""
_OLDEST = 8
EVAL_BATCH = 512
"""Positions a forward pass when a network is measured."""
_CHUNK = 4096  # positions whose ages are computed at once


# ----- data -----


def load_examples(folder: str | Path, kind: str, split: str) -> dict[str, np.ndarray] | None:
    """The ``COLUMNS`` of every valid shard of ``kind`` and ``split`` in ``folder``, concatenated
    (None when there are none).

    Raises:
        ValueError: the shards hold more than one board size.
    """
    parts = [arrays for _, arrays in iter_shards(folder, kind, split) if len(arrays["stones"])]
    if not parts:
        return None
    widths = sorted({int(p["stones"].shape[1]) for p in parts})
    if len(widths) > 1:
        sizes = [math.isqrt(w) for w in widths]
        raise ValueError(f"{folder}: {kind} shards mix board sizes {sizes}; use one size")
    missing = [c for c in COLUMNS if c not in parts[0]]
    if missing:
        raise ValueError(f"{folder}: {kind} shards lack the columns {missing}")
    return {c: np.concatenate([p[c] for p in parts]) for c in COLUMNS}


def load_split_data(
    folder: str | Path, kind: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray] | None]:
    """(training examples, held-out examples or None) of ``kind`` in ``folder``.

    Raises:
        ValueError: no training examples (missing or empty folder, no manifest, wrong kind), or
            held-out examples of another board size.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"{root}: no such folder of {kind!r} shards")
    train = load_examples(root, kind, "train")
    if train is None:
        found = sorted({(i.kind, i.split) for i in read_manifest(root)})
        raise ValueError(
            f"{root}: no training examples of kind {kind!r} (split 'train'); the manifest lists "
            f"{found or 'no shards'}"
        )
    heldout = load_examples(root, kind, "heldout")
    if heldout is not None and heldout["stones"].shape[1] != train["stones"].shape[1]:
        raise ValueError(f"{root}: held-out and training shards hold different board sizes")
    return train, heldout


def board_size_of(arrays: Mapping[str, np.ndarray]) -> int:
    """The board side of examples (from the width of ``stones``)."""
    points = int(arrays["stones"].shape[1])
    size = math.isqrt(points)
    if size * size != points:
        raise ValueError(f"stones rows of {points} points are not a square board")
    return size


def planes_from_examples(
    arrays: Mapping[str, np.ndarray], value_plane: bool, multi_suicide: bool = False
) -> np.ndarray:
    """AlphaGo's input planes of every example, as ``igo.encode.alphago.encode_alphago`` gives
    them for the same position (legality from the stones and the ko point only).

    Args:
        arrays: the columns stones [N, P], to_play [N], recent [N, 8] and ko [N].
        value_plane: add plane 48 (1 when black is to play): the value network's input.
        multi_suicide: whether the rules allow multi-stone suicide (igo's default: no).

    Returns:
        uint8 [N, 48 or 49, n, n].
    """
    stones, to_play = arrays["stones"], arrays["to_play"]
    count, points = stones.shape
    size = board_size_of(arrays)
    g = geometry(size)
    board = new_board(size)
    planes = NUM_VALUE_PLANES if value_plane else NUM_PLANES
    out = np.zeros((count, planes, points), dtype=np.uint8)
    work = np.zeros((NUM_PLANES, points), dtype=np.float32)
    for lo in range(0, count, _CHUNK):
        chunk = slice(lo, min(lo + _CHUNK, count))
        ages, allowed = _ages_and_allowed(arrays["recent"][chunk], arrays["ko"][chunk], points)
        for j, row in enumerate(stones[chunk].astype(np.int64)):
            rebuild(board, g.neighbours, g.zobrist, row)
            work[:] = 0.0
            fill_alphago_planes(
                board, g.neighbours, g.diagonals, g.zobrist, int(to_play[lo + j]), multi_suicide,
                allowed[j], ages[j], work,
            )  # fmt: skip
            out[lo + j, :NUM_PLANES] = work
    if value_plane:
        out[:, PLAYER_COLOR] = (to_play == 1).astype(np.uint8)[:, None]
    return out.reshape(count, planes, size, size)


def _ages_and_allowed(
    recent: np.ndarray, ko: np.ndarray, points: int
) -> tuple[np.ndarray, np.ndarray]:
    """int64 [B, P] moves since each point was played (8: 8 or more) and bool [B, P] False on
    the ko point, from the ``recent`` [B, 8] and ``ko`` [B] columns."""
    rows = np.arange(recent.shape[0])
    ages = np.full((recent.shape[0], points), _OLDEST, dtype=np.int64)
    # recent[:, k] was played k + 1 moves ago; the newest play on a point put its stone there,
    # so the older ones are written first. Only the last 7 can give an age below 8.
    for k in range(min(_OLDEST - 1, recent.shape[1]) - 1, -1, -1):
        moves = recent[:, k].astype(np.int64)
        on_board = (moves >= 0) & (moves < points)
        ages[rows[on_board], moves[on_board]] = k + 1
    allowed = np.ones((recent.shape[0], points), dtype=np.bool_)
    has_ko = ko >= 0
    allowed[rows[has_ko], ko[has_ko].astype(np.int64)] = False
    return ages, allowed


def select(arrays: Mapping[str, np.ndarray], index: np.ndarray) -> dict[str, np.ndarray]:
    """The rows ``index`` of every column."""
    return {key: value[index] for key, value in arrays.items()}


def eval_subset(count: int, limit: int, seed: int) -> np.ndarray:
    """Sorted indices of at most ``limit`` of ``count`` examples, a fixed random choice."""
    if count <= limit:
        return np.arange(count)
    rng = np.random.default_rng(seed + 0x5EED)
    return np.sort(rng.choice(count, size=limit, replace=False))


@dataclass(frozen=True)
class Symmetries:
    """Random symmetries of minibatches: planes and move targets alike (``augment``)."""

    size: int
    """Board side."""

    @staticmethod
    def of(size: int) -> Symmetries:
        """The symmetries of a ``size`` board."""
        return Symmetries(size)

    def apply(
        self, planes: np.ndarray, moves: np.ndarray | None, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """One random symmetry per example of ``planes`` [B, C, n, n] and ``moves`` [B]."""
        return augment(planes, moves, rng)


# ----- the network -----


def as_input(planes: np.ndarray, device: torch.device) -> torch.Tensor:
    """uint8 planes -> float32 tensor on ``device``."""
    return torch.from_numpy(planes).to(device).float()


def held_out_evaluator(net: Net, device: torch.device) -> TorchEvaluator:
    """What measures the stages' networks on held-out positions: the net itself (not a fused
    copy) in fp32, ``EVAL_BATCH`` positions a forward pass, so the reported numbers are the
    trained net's own. It leaves the net in eval mode."""
    return TorchEvaluator(
        net, device, batch_size=EVAL_BATCH, precision="float32", prepare_fn=prepare_eager
    )
