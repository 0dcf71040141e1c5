"""SGF game records -> supervised-learning shards (kind ``sl``), and reading them back.

``import_records`` reads any SGF files, collections or folders of them (KGS or GoGoD archives,
one's own games), skips and reports what it cannot use (one line each: file and reason), and
writes every move of every game as one example through ``igo.data.shards``. Games are split into
training and held-out sets by a hash of (file name, game number), so the split is the same on
every run and every machine.

One example is the position before a move, stored compactly; enough to rebuild AlphaGo's 48 input
planes (``igo.encode.alphago``) and the rollout policy's pattern features exactly, except for
superko legality (the simple-ko point is kept):

| array      | dtype, shape  | meaning                                                           |
|------------|---------------|-------------------------------------------------------------------|
| ``stones`` | int8 [N, P]   | 0 empty, 1 black, 2 white, before the move                        |
| ``to_play``| int8 [N]      | the side to move (1 black, 2 white)                               |
| ``move``   | int16 [N]     | the move played: flat point, P = pass                             |
| ``recent`` | int16 [N, 8]  | the 8 moves before it, latest first (P pass, -1 before the start) |
| ``ko``     | int16 [N]     | the point the side to move may not retake (simple ko), else -1    |
| ``result`` | int8 [N]      | the game's result from the mover's view: +1 win, -1 loss, 0 else  |
| ``size``   | int8 [N]      | board size (one size per shard)                                   |
| ``komi``   | float32 [N]   | komi                                                              |
| ``game``   | int32 [N]     | game number inside the shard; a game's positions are contiguous   |
| ``ply``    | int16 [N]     | move number inside its game, from 0                               |
| ``source`` | int32 [N]     | index of the game's file in the shard's manifest ``sources``      |
| ``source_game`` | int32 [N]| index of the game inside that file (collections)                 |

Why stones rather than packed planes or bare move lists: a position costs P + ~30 bytes before
compression (a 9x9 game about 8 KB, under 1 KB compressed), a tenth of the 48 planes packed to
bits (48 P / 8 bytes), and any position can be rebuilt on its own (``rebuild`` plus the encoder,
about 0.1 ms), so a shuffled minibatch never replays whole games.

Shards are written per *chunk* of input files (the files in sorted order, a chunk closed once it
holds ``shard_positions`` positions): one shard per (board size, split) of the chunk, each
listing all the chunk's files as its sources and the number of shards its chunk has. A chunk is
done when all its shards are in the manifest; a rerun skips the files of done chunks, redoes an
interrupted chunk under the same shard names (so nothing is duplicated), then goes on.
"""

from __future__ import annotations

import errno
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from igo.data.shards import ShardInfo, iter_shards, read_manifest, write_shard
from igo.files import check_creatable
from igo.go.coords import MAX_SIZE, MIN_SIZE, Color
from igo.go.state import IllegalMove
from igo.io.sgf import GameRecord, SgfError, read_collection, replay

KIND = "sl"
RECENT = 8
_SUFFIXES = (".sgf",)


@dataclass(frozen=True)
class ImportConfig:
    """How ``import_records`` splits and shards."""

    heldout: float = 0.05
    """Fraction of games put in the held-out set."""
    shard_positions: int = 100_000
    """Positions after which a chunk of files is written out."""
    size: int | None = None
    """Keep only games of this board size (None: every size, one shard per size)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.heldout < 1.0:
            raise ValueError("heldout must be in [0, 1)")
        if self.shard_positions < 1:
            raise ValueError("shard_positions must be at least 1")
        if self.size is not None and not MIN_SIZE <= self.size <= MAX_SIZE:
            raise ValueError(f"size must be from {MIN_SIZE} to {MAX_SIZE}, not {self.size}")


@dataclass
class ImportSummary:
    """What ``import_records`` did."""

    files: int = 0
    """Input files found."""
    files_done_before: int = 0
    """Files already in the manifest (skipped)."""
    games: dict[str, int] = field(default_factory=lambda: {"train": 0, "heldout": 0})
    """Games written now, per split."""
    positions: dict[str, int] = field(default_factory=lambda: {"train": 0, "heldout": 0})
    """Positions written now, per split."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(file, reason) for every file or game left out."""
    shards: int = 0
    """Shards written now."""

    def describe(self) -> str:
        """A one-paragraph summary."""
        return (
            f"{self.files} files ({self.files_done_before} already imported), "
            f"{self.games['train']} + {self.games['heldout']} games and "
            f"{self.positions['train']} + {self.positions['heldout']} positions "
            f"(train + held-out) in {self.shards} new shards; {len(self.skipped)} skipped"
        )


def sgf_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every SGF file named or inside the named folders (recursively), sorted, no repeats.

    Raises:
        FileNotFoundError: a path that does not exist.
    """
    found: set[Path] = set()
    for path in map(Path, paths):
        if not path.exists():
            raise FileNotFoundError(errno.ENOENT, "no such file or folder", str(path))
        if path.is_dir():
            found.update(p.resolve() for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES)
        else:
            found.add(path.resolve())
    return sorted(found)


def is_heldout(file_name: str, game_index: int, fraction: float) -> bool:
    """The deterministic split: a hash of the file's name and the game's number in it."""
    digest = hashlib.sha256(f"{file_name}#{game_index}".encode()).digest()
    return int.from_bytes(digest[:8], "little") / 2.0**64 < fraction


def game_positions(record: GameRecord) -> dict[str, np.ndarray]:
    """The examples of one game (every move, passes included), without the shard columns
    ``game``, ``source`` and ``source_game``.

    Raises:
        SgfError: an impossible setup or an illegal move.
    """
    state = replay(replace(record, moves=(), comments=()))
    n = state.num_points
    recent = [-1] * RECENT
    rows: dict[str, list[object]] = defaultdict(list)
    win = 0.0 if record.result is None else record.result.score_for_black
    for ply, (color, point) in enumerate(record.moves):
        if state.consecutive_passes >= 2:
            state.resume()
        ko = state.ko_point if state.to_play == color else None
        rows["stones"].append(state.stones())
        rows["to_play"].append(int(color))
        rows["move"].append(int(point))
        rows["recent"].append(list(recent))
        rows["ko"].append(-1 if ko is None else int(ko))
        rows["result"].append(int(win if color == Color.BLACK else -win))
        rows["ply"].append(ply)
        try:
            state.play(point, color)
        except IllegalMove as exc:
            raise SgfError(record.source, f"move {ply + 1} is illegal: {exc.reason}") from exc
        recent = [int(point), *recent[:-1]]
    count = len(record.moves)
    dtypes = {"stones": np.int8, "to_play": np.int8, "move": np.int16, "recent": np.int16}
    dtypes |= {"ko": np.int16, "result": np.int8, "ply": np.int16}
    out = {key: np.array(rows[key], dtype=dtypes[key]) for key in dtypes}
    out["stones"] = out["stones"].reshape(count, n)
    out["recent"] = out["recent"].reshape(count, RECENT)
    out["size"] = np.full(count, record.size, dtype=np.int8)
    out["komi"] = np.full(count, record.komi, dtype=np.float32)
    return out


@dataclass
class _Chunk:
    """The files of one chunk and their examples, grouped by (size, split)."""

    index: int
    files: list[str] = field(default_factory=list)
    groups: dict[tuple[int, str], list[dict[str, np.ndarray]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    positions: int = 0


def _read_file(
    path: Path, chunk: _Chunk, config: ImportConfig, summary: ImportSummary, skip: SkipFn
) -> None:
    """Add the usable games of ``path`` to ``chunk``; report what is left out."""
    try:
        records = read_collection(path)
    except (SgfError, OSError, ValueError) as exc:
        summary.skipped.append((str(path), _reason(exc)))
        skip(str(path), _reason(exc))
        return
    source = len(chunk.files)  # the file joins the chunk's sources with its first good game
    for number, record in enumerate(records):
        where = str(path) if len(records) == 1 else f"{path} (game {number + 1})"
        if config.size is not None and record.size != config.size:
            continue
        try:
            if not record.moves:
                raise SgfError(where, "no moves")
            rows = game_positions(record)
        except SgfError as exc:
            summary.skipped.append((where, exc.reason))
            skip(where, exc.reason)
            continue
        split = "heldout" if is_heldout(path.name, number, config.heldout) else "train"
        count = rows["move"].shape[0]
        rows["source"] = np.full(count, source, dtype=np.int32)
        rows["source_game"] = np.full(count, number, dtype=np.int32)
        chunk.groups[(record.size, split)].append(rows)
        chunk.positions += count
        if len(chunk.files) == source:
            chunk.files.append(str(path))


def _reason(exc: BaseException) -> str:
    return exc.reason if isinstance(exc, SgfError) else f"{type(exc).__name__}: {exc}"


SkipFn = Callable[[str, str], None]


def _flush(chunk: _Chunk, out: Path, summary: ImportSummary) -> None:
    """Write the chunk's shards (one per size and split)."""
    groups = sorted(chunk.groups.items())
    for (size, split), games in groups:
        for number, rows in enumerate(games):
            rows["game"] = np.full(rows["move"].shape[0], number, dtype=np.int32)
        arrays = {key: np.concatenate([g[key] for g in games]) for key in games[0]}
        name = f"{KIND}-c{chunk.index:05d}-{size}x{size}-{split}.npz"
        extra = {"chunk": str(chunk.index), "chunk_shards": str(len(groups))}
        write_shard(out, name, arrays, KIND, split, tuple(chunk.files), extra)
        summary.games[split] += len(games)
        summary.positions[split] += int(arrays["move"].shape[0])
        summary.shards += 1


def _chunks_in(entries: Sequence[ShardInfo]) -> tuple[set[str], dict[int, list[str]], int]:
    """(files of complete chunks, {incomplete chunk: its files}, next chunk number)."""
    by_chunk: dict[int, list[ShardInfo]] = defaultdict(list)
    for entry in entries:
        if entry.kind == KIND and "chunk" in entry.extra:
            by_chunk[int(entry.extra["chunk"])].append(entry)
    done: set[str] = set()
    partial: dict[int, list[str]] = {}
    for index, shards in by_chunk.items():
        if len(shards) >= int(shards[0].extra.get("chunk_shards", "1")):
            done.update(s for shard in shards for s in shard.sources)
        else:
            partial[index] = list(shards[0].sources)
    return done, partial, max(by_chunk, default=-1) + 1


def import_records(
    paths: Iterable[str | os.PathLike[str]],
    out: str | os.PathLike[str],
    config: ImportConfig | None = None,
    on_skip: SkipFn | None = None,
) -> ImportSummary:
    """Import SGF files and folders into ``sl`` shards in ``out`` (resuming a killed import).

    Args:
        paths: SGF files, collections, or folders searched recursively for ``*.sgf``.
        out: the shard folder (its manifest lists what is done).
        config: split, shard size and size filter.
        on_skip: called with (file, reason) for each file or game left out.

    Returns:
        Counts of files, games, positions and shards, and the skipped files with reasons.

    Raises:
        FileNotFoundError: a path that does not exist.
        ValueError: no SGF file among the paths.
        OSError: ``out`` cannot be written (``check_creatable``); nothing is read then. The
            folder is made with the first shard, so an import that writes none leaves none.
    """
    config = config or ImportConfig()
    skip = on_skip or (lambda path, reason: None)
    root = Path(out)
    names = [str(path) for path in paths]
    files = sgf_files(names)
    if not files:
        raise ValueError(f"no SGF files (*.sgf) in {', '.join(names) or 'no paths given'}")
    check_creatable(root, folder=True)
    summary = ImportSummary(files=len(files))
    done, partial, next_index = _chunks_in(read_manifest(root))
    redo = {f for fs in partial.values() for f in fs}
    summary.files_done_before = sum(str(f) in done for f in files)
    plan: list[tuple[int | None, list[Path]]] = [
        (index, [Path(f) for f in fs]) for index, fs in sorted(partial.items())
    ]
    plan.append((None, [f for f in files if str(f) not in done and str(f) not in redo]))
    for fixed, chunk_files in plan:
        chunk = _Chunk(next_index if fixed is None else fixed)
        for path in chunk_files:
            _read_file(path, chunk, config, summary, skip)
            if fixed is None and chunk.positions >= config.shard_positions:
                _flush(chunk, root, summary)
                next_index += 1
                chunk = _Chunk(next_index)
        if chunk.positions:
            _flush(chunk, root, summary)
            next_index += fixed is None
    return summary


@dataclass(frozen=True)
class SlGame:
    """One game's examples, as read back from a shard (arrays of the module table, [T, ...])."""

    arrays: dict[str, np.ndarray]
    source: str
    """The game's file."""

    @property
    def size(self) -> int:
        """Board size."""
        return int(self.arrays["size"][0])


def iter_games(folder: str | os.PathLike[str], split: str | None = None) -> Iterator[SlGame]:
    """Every game of the folder's valid ``sl`` shards (one split, or all), in manifest order."""
    for info, arrays in iter_shards(folder, KIND, split):
        starts = np.flatnonzero(np.diff(arrays["game"], prepend=-1))
        ends = np.append(starts[1:], arrays["game"].shape[0])
        for start, end in zip(starts, ends, strict=True):
            part = {key: value[start:end] for key, value in arrays.items()}
            source = int(part["source"][0])
            name = info.sources[source] if source < len(info.sources) else "?"
            yield SlGame(part, name)
