"""The replay buffer: a window over the most recent self-play games, sampled with symmetries.

AlphaGo Zero trained on "the most recent 500,000 games" with each position augmented by a random
one of the 8 board symmetries (Silver et al. 2017, Methods "Optimization"). The window here is
counted in games; it is fixed, or grows with the run as KataGo's does (Wu 2019, appendix), so that
the first generations are not drowned in random games and later ones still see enough history:

    window(N) = min(max_games, c * (1 + beta * ((N / c) ** alpha - 1) / alpha))   for N > c

with ``c = min_games``, ``beta = 0.4`` and ``alpha = exponent`` (0: a fixed window of ``c``
games). Files are validated when read (checksum, format, finite values); one that is truncated,
corrupt or holds NaN is skipped with a warning on stderr, never an exception. Input planes are
rebuilt from each position's stones history at sampling time (see ``igo.selfplay.record``).
Games of record version 2 carry the ownership and score targets of KataGo's auxiliary heads; a
position without them (an older or a resigned game) has ``Batch.aux`` False, and its auxiliary
loss is masked off.

A run on a mix of sizes (``selfplay.board_sizes``) keeps one window of games of every size (each
game's size from its stones): the window is still counted in games, the newest of every size
together, so a size's share of the positions is its share of the games times its game length.
``sample`` gives a batch of one size, drawn with the probability of its share of the window's
target positions and then uniformly within it: every position is as likely as in a uniform draw
from the whole window, and each batch is one size, so the net sees no padding (docs/zero.md,
"Mixed sizes").
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from igo.data.shards import ShardError, ShardInfo, read_manifest, read_shard
from igo.encode.symmetry import augment
from igo.encode.zero_planes import zero_planes_batch

GAME_KIND = "zero_game"
_BETA = 0.4


def window_size(total_games: int, min_games: int, max_games: int, exponent: float) -> int:
    """Games in the window after ``total_games`` have been played (see the module docstring)."""
    if exponent <= 0 or total_games <= min_games:
        return min(min_games, max_games)
    ratio = total_games / min_games
    grown = min_games * (1 + _BETA * (ratio**exponent - 1) / exponent)
    return int(min(max_games, grown))


@dataclass(frozen=True)
class GameEntry:
    """A game listed in a generation's manifest."""

    generation: int
    """The generation folder it is in."""
    info: ShardInfo
    """Its manifest entry (name, checksum, game-level extra)."""


def list_games(replay_root: str | Path) -> list[GameEntry]:
    """Every game listed in the replay folders' manifests, oldest first (by generation, then
    name); a folder whose manifest cannot be read is skipped with a warning."""
    root = Path(replay_root)
    entries: list[GameEntry] = []
    if not root.is_dir():
        return entries
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith("gen-")):
        try:
            infos = read_manifest(folder)
        except ShardError as err:
            print(f"igo: skipping replay folder: {err}", file=sys.stderr)
            continue
        generation = int(folder.name.split("-")[1])
        entries += [GameEntry(generation, i) for i in sorted(infos, key=lambda i: i.name)]
    return entries


@dataclass(frozen=True)
class Batch:
    """A training minibatch."""

    planes: np.ndarray
    """float32 [B, 2H + 1, N, N]: input planes."""
    policy: np.ndarray
    """float32 [B, N*N + 1]: search policy targets."""
    value: np.ndarray
    """float32 [B]: game results from the side to move."""
    ownership: np.ndarray
    """float32 [B, N, N]: final owners from the side to move (+1 its, -1 the opponent's);
    zeros where ``aux`` is False."""
    score: np.ndarray
    """float32 [B]: final margins for the side to move; 0 where ``aux`` is False."""
    aux: np.ndarray
    """bool [B]: the position has ownership and score targets (its game was counted)."""


@dataclass
class _Game:
    stones: np.ndarray  # int8 [T, P]
    to_play: np.ndarray  # int8 [T]
    policy: np.ndarray  # float32 [F, A], full searches only
    rows: np.ndarray  # int64 [F]: their positions in the game
    z: np.ndarray  # int8 [T]
    ownership: np.ndarray | None  # int8 [T, P], counted games of record version 2
    score: np.ndarray | None  # float32 [T]


class _SizeWindow:
    """The window's games of one board size as flat arrays (one row per position)."""

    def __init__(self, board_size: int, history: int, games: list[_Game]) -> None:
        self.board_size, self.history = board_size, history
        p, a = board_size**2, board_size**2 + 1
        if not games:
            self._stones = np.zeros((0, p), np.int8)
            self._start = self.sample_rows = np.zeros(0, np.int64)
            self._to_play, self._z = np.zeros(0, np.int8), np.zeros(0, np.int8)
            self._policy = np.zeros((0, a), np.float32)
            self._ownership, self._score = np.zeros((0, p), np.int8), np.zeros(0, np.float32)
            self._aux = np.zeros(0, bool)
            return
        lengths = np.array([g.stones.shape[0] for g in games])
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        self._stones = np.concatenate([g.stones for g in games])
        self._to_play = np.concatenate([g.to_play for g in games])
        self._z = np.concatenate([g.z for g in games])
        self._start = np.repeat(offsets, lengths)
        self.sample_rows = np.concatenate([g.rows + o for g, o in zip(games, offsets, strict=True)])
        self._policy = np.concatenate([g.policy for g in games]).astype(np.float32)
        self._ownership = np.concatenate(
            [g.ownership if g.ownership is not None else np.zeros_like(g.stones) for g in games]
        ).astype(np.int8)
        self._score = np.concatenate(
            [g.score if g.score is not None else np.zeros(len(g.z), np.float32) for g in games]
        ).astype(np.float32)
        self._aux = np.concatenate([np.full(len(g.z), g.score is not None) for g in games])

    @property
    def num_samples(self) -> int:
        return int(self.sample_rows.size)

    def game_starts(self) -> np.ndarray:
        """int64 [num_samples]: the first row of each target position's game."""
        return self._start[self.sample_rows]

    def keep_samples(self, keep: np.ndarray) -> None:
        self.sample_rows = self.sample_rows[keep]
        self._policy = self._policy[keep]

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        batch = self.positions(rng.integers(self.num_samples, size=batch_size))
        # Ownership rides along as one more plane, so it turns with the board.
        stacked = np.concatenate([batch.planes, batch.ownership[:, None]], axis=1)
        stacked, policy = augment(stacked, batch.policy, rng, in_place=True)
        planes, ownership = stacked[:, :-1], stacked[:, -1]
        return Batch(planes, policy, batch.value, ownership, batch.score, batch.aux)

    def positions(self, pick: np.ndarray) -> Batch:
        rows = self.sample_rows[pick]
        ago = rows[:, None] - np.arange(self.history)[None, :]
        valid = ago >= self._start[rows][:, None]
        history = np.where(valid[:, :, None], self._stones[np.maximum(ago, 0)], 0).astype(np.int8)
        planes = zero_planes_batch(history, self._to_play[rows], self.board_size)
        n = self.board_size
        ownership = self._ownership[rows].astype(np.float32).reshape(-1, n, n)
        value = self._z[rows].astype(np.float32)
        return Batch(
            planes, self._policy[pick], value, ownership, self._score[rows], self._aux[rows]
        )


class ReplayBuffer:
    """The games of the window, in memory, ready to sample from."""

    def __init__(
        self, replay_root: str | Path, board_size: int | Sequence[int], history: int = 8
    ) -> None:
        """Args:
        replay_root: the run's ``replay/`` folder (one ``gen-<number>`` folder per generation).
        board_size: N, or the sizes of a mixed run (a game of another size is skipped).
        history: H, positions of stones per input (8: the paper's 17 planes).
        """
        self.root = Path(replay_root)
        self.sizes = (board_size,) if isinstance(board_size, int) else tuple(board_size)
        self.board_size = self.sizes[0]
        self.history = history
        self._games: dict[tuple[int, str], _Game] = {}
        self._bad: set[tuple[int, str]] = set()
        self._order: list[tuple[int, str]] = []
        self._build()

    @property
    def num_games(self) -> int:
        """Games in the window (valid ones)."""
        return len(self._order)

    @property
    def num_samples(self) -> int:
        """Positions with a policy target in the window."""
        return sum(w.num_samples for w in self._windows.values())

    def samples_by_size(self) -> dict[int, int]:
        """Positions with a policy target in the window, per board size."""
        return {size: w.num_samples for size, w in self._windows.items()}

    def sample_games(self) -> np.ndarray:
        """int64 [num_samples]: the game of each target position, numbered in the window from 0
        (size by size, each size's oldest game first), so that positions can be split by game."""
        out, base = [], 0
        for window in self._windows.values():
            numbers = np.unique(window.game_starts(), return_inverse=True)[1].reshape(-1)
            out.append(numbers.astype(np.int64) + base)
            base += int(numbers.max()) + 1 if numbers.size else 0
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def refresh(self, window_games: int) -> None:
        """Load the newest ``window_games`` listed games (reading only new files) and forget the
        older ones."""
        listed = list_games(self.root)
        keys = [(e.generation, e.info.name) for e in listed]
        wanted = [(k, e) for k, e in zip(keys, listed, strict=True) if k not in self._bad]
        wanted = wanted[-window_games:] if window_games > 0 else []
        for key, entry in wanted:
            if key not in self._games:
                game = self._load(entry)
                if game is None:
                    self._bad.add(key)
                else:
                    self._games[key] = game
        keep = [k for k, _ in wanted if k in self._games]
        self._games = {k: self._games[k] for k in keep}
        self._order = keep
        self._build()

    def _load(self, entry: GameEntry) -> _Game | None:
        path = self.root / f"gen-{entry.generation:06d}" / entry.info.name
        try:
            arrays = read_shard(path, GAME_KIND, entry.info.sha256)
            stones, to_play = arrays["stones"], arrays["to_play"]
            full, policy, z = arrays["full"].astype(bool), arrays["policy"], arrays["z"]
            side = math.isqrt(stones.shape[1])
            if side not in self.sizes or side**2 != stones.shape[1]:
                raise ShardError(f"{path}: not a {_names(self.sizes)} game")
            if policy.shape[1] != stones.shape[1] + 1:
                raise ShardError(f"{path}: policy rows do not fit a {side}x{side} board")
        except (ShardError, KeyError, IndexError) as err:
            print(f"igo: skipping replay file: {err}", file=sys.stderr)
            return None
        rows = np.flatnonzero(full)
        ownership, score = arrays.get("ownership"), arrays.get("score")
        if ownership is not None and ownership.shape != stones.shape:
            ownership = score = None  # not this board's targets: train without them
        return _Game(
            stones.astype(np.int8), to_play.astype(np.int8), policy[rows], rows, z, ownership, score
        )

    def _build(self) -> None:
        """One flat window per size, its games in window order."""
        games = [self._games[k] for k in self._order]
        self._windows = {
            n: _SizeWindow(n, self.history, [g for g in games if g.stones.shape[1] == n * n])
            for n in self.sizes
        }

    def keep_samples(self, keep: np.ndarray) -> None:
        """Keep only the target positions where ``keep`` (bool [num_samples], in
        ``sample_games``'s order) is true, until the next ``refresh``: ``sample`` and
        ``positions`` then draw from those (a training split)."""
        start = 0
        for window in self._windows.values():
            stop = start + window.num_samples
            window.keep_samples(keep[start:stop])
            start = stop

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        """``batch_size`` positions drawn uniformly (with replacement) from the window's targets,
        each under a random one of the 8 symmetries; with several sizes, all of one size, drawn
        by its share of the targets (see the module docstring).

        Raises:
            ValueError: if the window holds no target.
        """
        if self.num_samples == 0:
            raise ValueError(f"the replay buffer in {self.root} holds no training positions")
        windows = [w for w in self._windows.values() if w.num_samples > 0]
        if len(windows) == 1:  # draws nothing more: a one-size run samples as before mixes
            return windows[0].sample(batch_size, rng)
        counts = np.array([w.num_samples for w in windows], dtype=np.float64)
        window = windows[int(rng.choice(len(windows), p=counts / counts.sum()))]
        return window.sample(batch_size, rng)

    def positions(self, pick: np.ndarray) -> Batch:
        """The window's positions ``pick`` (indices below ``num_samples``, in
        ``sample_games``'s order, all of one size) as they were played: no symmetry (the
        measurements of ``igo.compress`` read these).

        Raises:
            ValueError: if ``pick`` spans several board sizes.
        """
        start = 0
        for window in self._windows.values():
            stop = start + window.num_samples
            inside = (pick >= start) & (pick < stop)
            if inside.all():
                return window.positions(pick - start)
            if inside.any():
                raise ValueError("positions() takes positions of one board size at a time")
            start = stop
        raise IndexError(f"positions {pick} are past the window's {self.num_samples}")


def _names(sizes: Sequence[int]) -> str:
    return " or ".join(f"{n}x{n}" for n in sizes)
