"""AlphaGo's value-network data: one position per game, from SL, random and RL moves.

Silver et al., Nature 529 (2016), Methods, "Reinforcement learning of value networks": to keep
the training positions uncorrelated, each game gives one pair (s_{U+1}, z):

1. draw U ~ uniform{1, ..., L} (paper: L = 450 at 19x19);
2. moves 1 .. U-1 are sampled from the SL policy p_sigma;
3. move U is a uniformly random legal move that fills no own true eye;
4. moves U+1 .. end are sampled from the RL policy p_rho; z = the final outcome (area count with
   komi) from the view of the side to move in s_{U+1}, the position after move U (+1 win,
   -1 loss, 0 draw).

Exact choices: L defaults to ``round(0.8 N^2)`` (289 at 19x19, 65 at 9x9): below the length of
games between policy nets that play on until nothing is left (random 9x9 nets: about 110 moves),
so few games are discarded; the paper's 450 at 19x19 is 1.25 N^2. A game that ends before move U, or
whose move U finds no sensible move (the random mover could only pass), gives no position and is
counted in ``discarded``. The policies sample at temperature 1 from their softmax over sensible
moves (``igo.selfplay.policy_games``), moves continue to two passes or the cap 3 N^2.

Output: shards of kind ``value`` in ``out_dir`` (``igo.data.shards``) with the columns of the
``sl`` shards (``igo.data.records``): ``move`` is -1 (no move target), ``result`` is z, ``ply``
is U (the moves before s_{U+1}), ``game`` the game's row in its shard, ``source`` 0 and
``source_game`` the game's number in the run. Chunk c holds games c*G .. (c+1)*G - 1
(G = ``games_per_shard``), played with the seed (seed, c): one shard per split (``train``, and
``heldout`` when the chunk has held-out games, chosen by a hash of seed and game number). A rerun
skips chunks whose shards are all in the manifest and redoes the others, so a killed run ends
with exactly the shards of an uninterrupted one.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from igo.data.records import RECENT, is_heldout
from igo.data.shards import ShardInfo, read_manifest, write_shard
from igo.files import write_text_atomic
from igo.go.state import GameState
from igo.selfplay.policy_games import (
    RANDOM,
    MoverFn,
    PolicyFn,
    PolicyGame,
    PolicyGameConfig,
    net_policy,
    play_policy_games,
)

KIND = "value"
SL, RL = 0, 1
"""Indices of the two policies in the games."""
Rows = dict[str, list[dict[str, np.ndarray]]]
"""A chunk's rows by split."""


@dataclass(frozen=True)
class ValueDataConfig:
    """Settings of the value-data generator."""

    games: int = 20000
    """Games to play (at most one position each)."""
    max_u: int | None = None
    """L: U ~ uniform{1..L}; None: round(0.8 N^2) (see the module docstring)."""
    heldout: float = 0.05
    """Fraction of games whose position goes to the held-out split."""
    games_per_shard: int = 1024
    """Games per chunk (one shard per split each)."""
    parallel_games: int = 256
    """Games played at once (one network batch per step)."""
    komi: float = 7.0
    """Komi of every game."""
    rules: str = "chinese"
    """Rules preset; games are counted by area."""
    torch_threads: int = 2
    """Torch CPU threads while the generator runs (restored afterwards)."""
    seed: int = 0
    """Seeds every chunk (with its number) and the held-out split."""

    def __post_init__(self) -> None:
        if min(self.games, self.games_per_shard, self.parallel_games, self.torch_threads) < 1:
            raise ValueError("games, games_per_shard, parallel_games, torch_threads must be >= 1")
        if self.max_u is not None and self.max_u < 1:
            raise ValueError("max_u must be >= 1")
        if not 0.0 <= self.heldout < 1.0:
            raise ValueError("heldout must be in [0, 1)")


@dataclass(frozen=True)
class ValueDataReport:
    """What the generator holds in ``out_dir`` (all chunks, done now or before)."""

    positions: int
    """Training positions."""
    heldout_positions: int
    """Held-out positions."""
    discarded: int
    """Games that ended before their random move."""
    seconds: float
    """Wall time of this run."""

    def to_dict(self) -> dict[str, float]:
        """The fields as numbers."""
        return {key: float(value) for key, value in asdict(self).items()}


def default_max_u(size: int) -> int:
    """L when ``max_u`` is None: round(0.8 N^2)."""
    return max(1, round(0.8 * size * size))


def position_columns(state: GameState, z: int) -> dict[str, np.ndarray]:
    """One row of the ``sl`` columns (without game / source / source_game) for ``state``."""
    moves = [int(p) for _, p in state.moves]
    recent = (moves[::-1] + [-1] * RECENT)[:RECENT]
    ko = state.ko_point
    return {
        "stones": state.stones()[None, :],
        "to_play": np.array([int(state.to_play)], dtype=np.int8),
        "move": np.array([-1], dtype=np.int16),
        "recent": np.array([recent], dtype=np.int16),
        "ko": np.array([-1 if ko is None else int(ko)], dtype=np.int16),
        "result": np.array([z], dtype=np.int8),
        "size": np.array([state.size], dtype=np.int8),
        "komi": np.array([state.rules.komi], dtype=np.float32),
        "ply": np.array([len(moves)], dtype=np.int16),
    }


def _mover(us: Sequence[int]) -> MoverFn:
    """SL before ply U-1, the random move at ply U-1 (move U), RL after."""

    def mover(game: int, ply: int) -> int:
        u = us[game]
        return SL if ply < u - 1 else (RANDOM if ply == u - 1 else RL)

    return mover


def _position(game: PolicyGame, u: int) -> dict[str, np.ndarray] | None:
    """The game's row, or None if it ended before move U or move U was a pass."""
    state = game.captured
    if state is None or game.moves[u - 1] == state.num_points:
        return None
    return position_columns(state, int(game.outcome_for(state.to_play)))


def _play_chunk(
    chunk: int,
    first: int,
    count: int,
    policies: Sequence[PolicyFn],
    size: int,
    config: ValueDataConfig,
) -> tuple[Rows, int]:
    """The rows of games first .. first+count-1 by split, and how many were discarded."""
    rng = np.random.default_rng([config.seed, chunk])
    limit = config.max_u if config.max_u is not None else default_max_u(size)
    us = rng.integers(1, limit + 1, size=count).tolist()
    games_config = PolicyGameConfig(size, config.komi, config.rules, temperature=1.0)
    rows: Rows = defaultdict(list)
    discarded = 0
    for start in range(0, count, config.parallel_games):
        part = us[start : start + config.parallel_games]
        played = play_policy_games(
            policies, len(part), _mover(part), games_config, rng, capture_plies=part
        )
        for offset, (game, u) in enumerate(zip(played, part, strict=True)):
            row = _position(game, u)
            number = first + start + offset
            if row is None:
                discarded += 1
                continue
            held = is_heldout(f"value-{config.seed}", number, config.heldout)
            split = "heldout" if held else "train"
            row["source_game"] = np.array([number], dtype=np.int32)
            rows[split].append(row)
    return rows, discarded


def _write_chunk(
    out: Path, chunk: int, rows: Rows, discarded: int, size: int, sources: tuple[str, ...]
) -> None:
    """One shard per split (train always, heldout when it has rows)."""
    splits = ["train"] + (["heldout"] if rows.get("heldout") else [])
    for split in splits:
        arrays = _stack(rows.get(split, []), size)
        extra = {"chunk": str(chunk), "chunk_shards": str(len(splits)), "discarded": str(discarded)}
        write_shard(out, f"{KIND}-c{chunk:05d}-{split}.npz", arrays, KIND, split, sources, extra)


def _stack(rows: list[dict[str, np.ndarray]], size: int) -> dict[str, np.ndarray]:
    """The rows as shard arrays (empty arrays of the right dtypes when there are none)."""
    if not rows:
        empty = position_columns(GameState.new(size), 0)
        arrays = {key: value[:0] for key, value in empty.items()}
        arrays["source_game"] = np.zeros(0, dtype=np.int32)
    else:
        arrays = {key: np.concatenate([r[key] for r in rows]) for key in rows[0]}
    count = len(arrays["ply"])
    arrays["game"] = np.arange(count, dtype=np.int32)
    arrays["source"] = np.zeros(count, dtype=np.int32)
    return arrays


def _done_chunks(entries: Sequence[ShardInfo]) -> dict[int, list[ShardInfo]]:
    """The chunks all of whose shards are in the manifest, with those shards."""
    by_chunk: dict[int, list[ShardInfo]] = defaultdict(list)
    for entry in entries:
        if entry.kind == KIND and "chunk" in entry.extra:
            by_chunk[int(entry.extra["chunk"])].append(entry)
    return {
        c: shards
        for c, shards in by_chunk.items()
        if len(shards) >= int(shards[0].extra.get("chunk_shards", "1"))
    }


def _report(out: Path, num_chunks: int, seconds: float) -> ValueDataReport:
    """Totals over the run's done chunks."""
    done = {c: s for c, s in _done_chunks(read_manifest(out)).items() if c < num_chunks}
    shards = [s for chunk in done.values() for s in chunk]
    return ValueDataReport(
        positions=sum(s.count for s in shards if s.split == "train"),
        heldout_positions=sum(s.count for s in shards if s.split == "heldout"),
        discarded=sum(int(chunk[0].extra.get("discarded", "0")) for chunk in done.values()),
        seconds=seconds,
    )


def generate_value_data(
    sl_checkpoint: str | Path,
    rl_checkpoint: str | Path,
    out_dir: str | Path,
    config: ValueDataConfig,
    *,
    progress: bool = False,
    device: str = "auto",
) -> ValueDataReport:
    """Generate the value net's pairs into ``out_dir`` (see the module docstring); resumable.

    Args:
        sl_checkpoint: the SL policy net (AlphaGo ``PolicyNet``), for moves 1 .. U-1.
        rl_checkpoint: the RL policy net, for moves U+1 .. end.
        out_dir: the shard folder; ``report.json`` is written there at the end.
        config: the generator's settings.
        progress: show a tqdm bar over games.
        device: where the two nets run (``auto``: CUDA when present; ``cpu``, ``cuda``...).

    Returns:
        Totals over every chunk in the folder, and this run's time.
    """
    from igo.nn.threads import torch_threads

    with torch_threads(config.torch_threads):
        return _generate(sl_checkpoint, rl_checkpoint, Path(out_dir), config, progress, device)


def _generate(
    sl_checkpoint: str | Path,
    rl_checkpoint: str | Path,
    out: Path,
    config: ValueDataConfig,
    progress: bool,
    device: str,
) -> ValueDataReport:
    """``generate_value_data``'s work, on the thread count it set."""
    from tqdm import tqdm

    from igo.nn.checkpoint import load_checkpoint

    began = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    sl_net, rl_net = load_checkpoint(sl_checkpoint), load_checkpoint(rl_checkpoint)
    size = int(sl_net.config.board_size)
    if int(rl_net.config.board_size) != size:
        raise ValueError("the SL and RL nets play different board sizes")
    policies = [net_policy(sl_net, device), net_policy(rl_net, device)]
    sources = (f"value games: sl={sl_checkpoint} rl={rl_checkpoint} seed={config.seed}",)
    per = config.games_per_shard
    num_chunks = -(-config.games // per)
    done = _done_chunks(read_manifest(out))
    todo = [c for c in range(num_chunks) if c not in done]
    bar = tqdm(total=config.games, disable=not progress, desc="value data")
    bar.update(config.games - sum(min(per, config.games - c * per) for c in todo))
    for chunk in todo:
        count = min(per, config.games - chunk * per)
        rows, discarded = _play_chunk(chunk, chunk * per, count, policies, size, config)
        _write_chunk(out, chunk, rows, discarded, size, sources)
        bar.update(count)
    bar.close()
    report = _report(out, num_chunks, time.monotonic() - began)
    write_text_atomic(out / "report.json", json.dumps(report.to_dict(), indent=1) + "\n")
    return report
