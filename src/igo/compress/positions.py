"""Real positions for calibration and measurement: a folder of shards in, a net's planes out.

| folder                         | nets                        | planes; targets                |
|--------------------------------|-----------------------------|--------------------------------|
| ``sl`` shards (igo data import) | AlphaGo's policy (48 planes) | ``planes_from_examples``; the  |
|                                | and value (49) nets         | move played, the result        |
| a Zero run's ``replay/``       | nets on Zero planes (2H + 1) | the stones history's planes;   |
|                                |                             | the search's most visited      |
|                                |                             | move, the game's result        |

A fixed random choice of at most ``limit`` positions is taken (``seed``), from the split asked
for when it has any (held-out by default), else the other: the ``sl`` shards' own split, and in a
replay folder every tenth game (by its order in the folders) held out, so that int8 calibrates
on other games than those it is measured on. Replay positions are read as they were played (no
symmetry).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from igo.data.replay_buffer import ReplayBuffer
from igo.encode.alphago import NUM_PLANES, NUM_VALUE_PLANES
from igo.nn.net import NetConfig
from igo.train.alphago.supervised_data import (
    board_size_of,
    eval_subset,
    load_examples,
    planes_from_examples,
    select,
)


@dataclass(frozen=True)
class Positions:
    """Positions encoded for one net, with what was played and how the game ended."""

    planes: np.ndarray
    """float32 [B, C, N, N]: the net's input planes."""
    moves: np.ndarray
    """int64 [B]: the move played (policy index, N*N = pass): the "true move"."""
    results: np.ndarray
    """float32 [B]: the game's result for the side to move (+1 won, -1 lost)."""

    def __len__(self) -> int:
        return int(self.planes.shape[0])


def load_positions(
    folder: str | Path, config: NetConfig, limit: int, seed: int = 0, split: str = "heldout"
) -> Positions:
    """At most ``limit`` positions of ``folder`` (sl shards or a replay folder) for a net of
    ``config``; of sl shards, the ``split`` wanted (``heldout`` or ``train``), else the other.

    Raises:
        ValueError: no such folder, no positions, or positions that do not fit the net (board
            size, kind of planes).
    """
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"{root}: no such folder of positions (sl shards or a replay folder)")
    if limit < 1:
        raise ValueError(f"at least one position is needed, not {limit}")
    if config.in_planes in (NUM_PLANES, NUM_VALUE_PLANES):
        return _sl_positions(root, config, limit, seed, split)
    return _replay_positions(root, config, limit, seed, split)


def _sl_positions(root: Path, config: NetConfig, limit: int, seed: int, split: str) -> Positions:
    other = "train" if split == "heldout" else "heldout"
    arrays = load_examples(root, "sl", split) or load_examples(root, "sl", other)
    if arrays is None:
        raise ValueError(f"{root}: no sl shards (write them with igo data import)")
    if board_size_of(arrays) != config.board_size:
        raise ValueError(
            f"{root} holds {board_size_of(arrays)}x{board_size_of(arrays)} positions; "
            f"the net plays {config.board_size}x{config.board_size}"
        )
    chosen = select(arrays, eval_subset(len(arrays["move"]), limit, seed))
    planes = planes_from_examples(chosen, value_plane=config.in_planes == NUM_VALUE_PLANES)
    return Positions(
        planes.astype(np.float32),
        chosen["move"].astype(np.int64),
        chosen["result"].astype(np.float32),
    )


REPLAY_HELDOUT_EVERY = 10
"""In a replay folder, games 9, 19, 29... (counted from 0, oldest first) are the held-out split."""


def replay_heldout(buffer: ReplayBuffer) -> np.ndarray:
    """bool [num_samples]: which of the buffer's positions are in held-out games."""
    games = buffer.sample_games()
    return np.asarray(games % REPLAY_HELDOUT_EVERY == REPLAY_HELDOUT_EVERY - 1, dtype=bool)


def _replay_positions(
    root: Path, config: NetConfig, limit: int, seed: int, split: str
) -> Positions:
    history = (config.in_planes - 1) // 2
    if config.in_planes % 2 != 1 or history < 1:
        raise ValueError(f"no positions for a net on {config.in_planes} planes")
    buffer = ReplayBuffer(root, config.board_size, history)
    buffer.refresh(1 << 30)
    if buffer.num_samples == 0:
        raise ValueError(
            f"{root}: no {config.board_size}x{config.board_size} replay positions (a Zero run's "
            "replay/ folder) for a net on Zero planes"
        )
    held = replay_heldout(buffer)
    pool = np.flatnonzero(held if split == "heldout" else ~held)
    if pool.size == 0:  # too few games for a split: the other one, as for sl shards
        pool = np.flatnonzero(~held if split == "heldout" else held)
    batch = buffer.positions(pool[eval_subset(pool.size, limit, seed)])
    moves = batch.policy.argmax(axis=1).astype(np.int64)
    return Positions(batch.planes.astype(np.float32), moves, batch.value)
