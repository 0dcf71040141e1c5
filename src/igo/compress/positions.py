"""Real positions for calibration and measurement: a folder of shards in, a net's planes out.

| folder                         | nets                        | planes; targets                |
|--------------------------------|-----------------------------|--------------------------------|
| ``sl`` shards (igo data import) | AlphaGo's policy (48 planes) | ``planes_from_examples``; the  |
|                                | and value (49) nets         | move played, the result        |
| a Zero run's ``replay/``       | nets on Zero planes (2H + 1) | the stones history's planes;   |
|                                |                             | the search's most visited      |
|                                |                             | move, the game's result        |
| ``sl`` shards                  | nets on Zero planes (H <= 9) | the stones of the last H       |
|                                |                             | positions of the same game     |
|                                |                             | (``zero_planes_of_examples``); |
|                                |                             | the move played, the result    |

A fixed random choice of at most ``limit`` positions is taken (``seed``), from the split asked
for when it has any (held-out by default), else the other: the ``sl`` shards' own split, and in a
replay folder every tenth game (by its order in the folders) held out, so that int8 calibrates
on other games than those it is measured on. Replay positions are read as they were played (no
symmetry).

A net with pooled heads plays every size, and a mixed run's replay holds games of several: such a
net reads every size of the replay (grouped by size, as training does); a net with fixed heads
reads its own size (a replay with none of it is refused in one line, naming the sizes it holds).
The held-out games are split size by size (a size with too few games for a held-out one gives
its other split). ``load_positions`` gives one size (``size``; the net's own by default),
``load_positions_by_size`` every size of the replay, ``limit`` spread over them by their share of
the positions, or ``limit`` of each (``each``: int8 calibrates on every size it will play, since
``Positions`` of several sizes cannot share one planes array); ``replay_split_by_size`` every
size's whole split (what quantization-aware training trains on).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from igo.data.records import RECENT
from igo.data.replay_buffer import ReplayBuffer
from igo.data.shards import read_manifest
from igo.encode.alphago import NUM_PLANES, NUM_VALUE_PLANES
from igo.encode.zero_planes import zero_planes_batch
from igo.nn.inference import any_size
from igo.nn.net import NetConfig
from igo.selfplay.selfplay_config import MIX_SIZES
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
    folder: str | Path,
    config: NetConfig,
    limit: int,
    seed: int = 0,
    split: str = "heldout",
    size: int | None = None,
) -> Positions:
    """At most ``limit`` positions of ``folder`` (sl shards or a replay folder) for a net of
    ``config``; of sl shards, the ``split`` wanted (``heldout`` or ``train``), else the other.
    A replay's positions on boards of side ``size`` (None: the net's ``board_size``; another
    size only for a net with pooled heads).

    Raises:
        ValueError: no such folder, no positions, or positions that do not fit the net (board
            size, kind of planes).
    """
    _check_folder(folder, limit)
    root = Path(folder)
    if config.in_planes in (NUM_PLANES, NUM_VALUE_PLANES) or holds_sl_shards(root):
        return _sl_positions(root, config, limit, seed, split)
    wanted = config.board_size if size is None else size
    if wanted != config.board_size and not any_size(config):
        raise ValueError(f"the net plays {config.board_size}x{config.board_size} only")
    return replay_split(root, config, split, limit, seed, size=wanted)


def replay_split(
    root: str | Path,
    config: NetConfig,
    split: str,
    limit: int = 0,
    seed: int = 0,
    size: int | None = None,
) -> Positions:
    """The positions on boards of side ``size`` (None: the net's) of the ``split`` games
    (``heldout``: every tenth, else ``train``) of the replay folder ``root`` for a net on Zero
    planes, as played, in the folder's order: all of them, or a fixed random choice of
    ``limit`` (``seed``); a size with too few games for a held-out one gives its other split.

    Raises:
        ValueError: an empty replay, none of that board, or a net not on Zero planes.
    """
    wanted = config.board_size if size is None else size
    buffer, pools = _replay_pools(Path(root), config, split)
    if wanted not in pools:
        raise ValueError(
            f"{root}: no {wanted}x{wanted} replay games (it holds {_names(pools)}) for the net"
        )
    pool = pools[wanted]
    return _replay_positions(buffer, pool[eval_subset(pool.size, limit, seed)] if limit else pool)


def replay_split_by_size(
    root: str | Path, config: NetConfig, split: str, limit: int = 0, seed: int = 0
) -> dict[int, Positions]:
    """``replay_split`` of every size of the replay the net plays (its own for fixed heads,
    every size for pooled ones), by size: ``limit`` positions of each (0: all).

    Raises:
        ValueError: as ``replay_split``.
    """
    buffer, pools = _replay_pools(Path(root), config, split)
    return {
        n: _replay_positions(buffer, pool[eval_subset(pool.size, limit, seed)] if limit else pool)
        for n, pool in pools.items()
    }


def load_positions_by_size(
    folder: str | Path,
    config: NetConfig,
    limit: int,
    seed: int = 0,
    split: str = "heldout",
    *,
    each: bool = False,
) -> dict[int, Positions]:
    """At most ``limit`` positions of a replay folder, of every size it holds that the net
    plays, by size: a fixed random choice over all of them, so each size gets about its share
    (``each``: at most ``limit`` of each size, so a rare size is seen too). For sl shards (one
    size): ``load_positions``'s, under its size.

    Raises:
        ValueError: as ``load_positions``.
    """
    _check_folder(folder, limit)
    root = Path(folder)
    if config.in_planes in (NUM_PLANES, NUM_VALUE_PLANES) or holds_sl_shards(root):
        return {config.board_size: _sl_positions(root, config, limit, seed, split)}
    if each:
        return replay_split_by_size(root, config, split, limit, seed)
    buffer, pools = _replay_pools(root, config, split)
    pool = np.concatenate(list(pools.values()))  # each size's in the window's order
    pick = pool[eval_subset(pool.size, limit, seed)]
    sizes = _sizes_of(buffer, pick)
    return {int(n): _replay_positions(buffer, pick[sizes == n]) for n in np.unique(sizes)}


def _check_folder(folder: str | Path, limit: int) -> None:
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"{root}: no such folder of positions (sl shards or a replay folder)")
    if limit < 1:
        raise ValueError(f"at least one position is needed, not {limit}")


def holds_sl_shards(folder: Path) -> bool:
    """Whether ``folder`` has a manifest listing ``sl`` shards (a replay folder has none: its
    manifests are in its ``gen-*`` folders)."""
    if not (folder / "manifest.json").is_file():
        return False
    try:
        return any(info.kind == "sl" for info in read_manifest(folder))
    except ValueError:  # an unreadable manifest: the reader below says what is wrong
        return False


def zero_history(config: NetConfig) -> int:
    """H of a net on AlphaGo Zero planes (2H + 1). Raises ValueError for other planes."""
    history = (config.in_planes - 1) // 2
    if config.in_planes % 2 != 1 or history < 1:
        raise ValueError(f"no positions for a net on {config.in_planes} planes")
    return history


def zero_planes_of_examples(arrays: dict[str, np.ndarray], history: int) -> np.ndarray:
    """uint8 [N, 2H + 1, n, n]: AlphaGo Zero planes of ``sl`` examples (columns ``stones``,
    ``to_play``, ``recent``), as ``encode_zero`` gives them for the same position.

    A game's examples are contiguous, one a move, so the stones k moves ago are those of the
    example k rows up, unless ``recent`` says the game had not reached k moves (-1): then the
    plane is empty, as before a game's start.

    Raises:
        ValueError: H above what ``recent`` can tell (``RECENT`` + 1).
    """
    if not 1 <= history <= RECENT + 1:
        raise ValueError(f"sl shards give at most {RECENT + 1} positions of history, not {history}")
    stones, to_play = arrays["stones"], arrays["to_play"]
    count, points = stones.shape
    size = int(round(points**0.5))
    out = np.empty((count, 2 * history + 1, size, size), dtype=np.uint8)
    valid = np.ones((count, history), dtype=bool)
    valid[:, 1:] = arrays["recent"][:, : history - 1] >= 0
    for lo in range(0, count, 4096):  # float32 planes of a chunk at a time
        rows = np.arange(lo, min(lo + 4096, count))
        ago = rows[:, None] - np.arange(history)[None, :]
        past = np.where(valid[rows, :, None], stones[np.maximum(ago, 0)], 0).astype(np.int8)
        out[rows] = zero_planes_batch(past, to_play[rows], size)
    return out


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
    if config.in_planes in (NUM_PLANES, NUM_VALUE_PLANES):
        chosen = select(arrays, eval_subset(len(arrays["move"]), limit, seed))
        planes = planes_from_examples(chosen, value_plane=config.in_planes == NUM_VALUE_PLANES)
    else:  # the history reaches rows before the chosen ones: encode all, then choose
        every = zero_planes_of_examples(arrays, zero_history(config))
        pick = eval_subset(len(arrays["move"]), limit, seed)
        chosen, planes = select(arrays, pick), every[pick]
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


def replay_sizes(config: NetConfig, every: bool = False) -> tuple[int, ...]:
    """The sizes of a replay's games a net of ``config`` reads, its own first: every size of a
    mix (``MIX_SIZES``) for a net with pooled heads (or with ``every``), else its own."""
    if not (every or any_size(config)):
        return (config.board_size,)
    low, high = MIX_SIZES
    return (config.board_size, *(n for n in range(low, high + 1) if n != config.board_size))


def _replay_pools(
    root: Path, config: NetConfig, split: str
) -> tuple[ReplayBuffer, dict[int, np.ndarray]]:
    """The replay's games, and for each size of them the net plays the indices of the
    ``split`` wanted's positions (that size's other split's where it has none).

    Every size of a mix is read, also for a net with fixed heads, so that a replay of another
    size is refused in one line (not a warning for each of its games).

    Raises:
        ValueError: no games, or none of a size the net plays.
    """
    buffer = ReplayBuffer(root, replay_sizes(config, every=True), zero_history(config))
    buffer.refresh(1 << 30)
    held = replay_heldout(buffer)
    sizes = _sizes_of(buffer, np.arange(buffer.num_samples))
    found = [n for n, count in buffer.samples_by_size().items() if count]
    if not found:
        n = config.board_size
        which = "" if any_size(config) else f" {n}x{n}"
        raise ValueError(
            f"{root}: no{which} replay positions: no replay games in it (a Zero run's replay/ "
            "folder of gen-* folders)"
        )
    plays = [n for n in found if n in replay_sizes(config)]
    if not plays:
        n = config.board_size
        raise ValueError(
            f"{root} holds {_names(found)} games; the net plays {n}x{n} only (fixed heads: "
            "a net with pooled heads plays every size)"
        )
    pools = {}
    for n in plays:
        wanted = (held if split == "heldout" else ~held) & (sizes == n)
        if not wanted.any():  # too few games for a split: the other one, as for sl shards
            wanted = (~held if split == "heldout" else held) & (sizes == n)
        pools[n] = np.flatnonzero(wanted)
    return buffer, pools


def _names(sizes: Iterable[int]) -> str:
    """``9x9 and 13x13``: the board sizes named."""
    return " and ".join(f"{n}x{n}" for n in sizes)


def _sizes_of(buffer: ReplayBuffer, pick: np.ndarray) -> np.ndarray:
    """int64 [len(pick)]: the board size of each of the buffer's positions ``pick``."""
    counts = buffer.samples_by_size()
    bounds = np.cumsum(list(counts.values()))
    return np.array(list(counts), dtype=np.int64)[np.searchsorted(bounds, pick, side="right")]


def _replay_positions(buffer: ReplayBuffer, pick: np.ndarray) -> Positions:
    batch = buffer.positions(pick)
    moves = batch.policy.argmax(axis=1).astype(np.int64)
    return Positions(batch.planes.astype(np.float32), moves, batch.value)
