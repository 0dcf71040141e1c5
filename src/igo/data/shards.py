"""Training shards: named NumPy arrays in one compressed ``.npz`` file, plus a folder manifest.

Every pipeline stores its examples this way (SL records, self-play games, value pairs); each names
its own arrays. A shard is written atomically (temp file + rename) and carries its format
version and kind; ``manifest.json`` in the folder lists every shard with its example count,
SHA-256 checksum and sources, so a reader can skip what is truncated or corrupt and a killed
writer can resume where it stopped (a shard in the manifest is complete; anything else is not).

| key in a shard file   | meaning                                                     |
|-----------------------|-------------------------------------------------------------|
| ``__format__``        | int: SHARD_FORMAT (bumped when the layout changes)          |
| ``__kind__``          | str: what the arrays are (``sl``, ``selfplay``, ``value``)  |
| any other             | the pipeline's arrays, all with the same first dimension    |
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from igo.files import write_bytes_atomic, write_text_atomic

SHARD_FORMAT = 1
MANIFEST = "manifest.json"


class ShardError(ValueError):
    """A shard or manifest that cannot be read: the message names the file and the reason."""


@dataclass(frozen=True)
class ShardInfo:
    """One shard's line in the manifest."""

    name: str
    """File name inside the folder."""
    kind: str
    """What the arrays are (``sl``, ``selfplay``, ``value``...)."""
    count: int
    """Number of examples (the arrays' first dimension)."""
    sha256: str
    """Checksum of the file's bytes."""
    split: str = "train"
    """``train`` or ``heldout``."""
    sources: tuple[str, ...] = ()
    """Where the examples came from (SGF files, game ids...)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Anything else the pipeline wants to remember (generation, seed...)."""


def _encode(arrays: Mapping[str, np.ndarray], kind: str) -> tuple[bytes, int]:
    counts = {int(np.asarray(a).shape[0]) for a in arrays.values()}
    if len(counts) != 1:
        raise ValueError(f"shard arrays must share their first dimension, got {sorted(counts)}")
    buffer = io.BytesIO()
    named: dict[str, Any] = {k: np.asarray(v) for k, v in arrays.items()}
    named["__format__"], named["__kind__"] = np.array(SHARD_FORMAT), np.array(kind)
    np.savez_compressed(buffer, **named)
    return buffer.getvalue(), counts.pop()


def write_shard(
    folder: str | os.PathLike[str],
    name: str,
    arrays: Mapping[str, np.ndarray],
    kind: str,
    split: str = "train",
    sources: tuple[str, ...] = (),
    extra: Mapping[str, str] | None = None,
) -> ShardInfo:
    """Write one shard atomically and record it in the folder's manifest (also atomically).

    Returns:
        The shard's manifest entry.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    data, count = _encode(arrays, kind)
    write_bytes_atomic(root / name, data)
    info = ShardInfo(
        name,
        kind,
        count,
        hashlib.sha256(data).hexdigest(),
        split,
        tuple(sources),
        dict(extra or {}),
    )
    entries = {entry.name: entry for entry in read_manifest(root)}
    entries[name] = info
    _write_manifest(root, list(entries.values()))
    return info


def restore_shards(folder: str | os.PathLike[str], shards: list[tuple[ShardInfo, bytes]]) -> None:
    """Write shards copied byte for byte from another folder (a carried run's sample of games)
    and list them in the folder's manifest, beside the entries it has.

    Raises:
        ShardError: a shard's bytes do not match its manifest checksum.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    entries = {entry.name: entry for entry in read_manifest(root)}
    for info, data in shards:
        if hashlib.sha256(data).hexdigest() != info.sha256:
            raise ShardError(f"{info.name}: its bytes do not match its checksum")
        write_bytes_atomic(root / info.name, data)
        entries[info.name] = info
    _write_manifest(root, list(entries.values()))


def _write_manifest(root: Path, entries: list[ShardInfo]) -> None:
    body = {"format": SHARD_FORMAT, "shards": [asdict(e) for e in entries]}
    write_text_atomic(root / MANIFEST, json.dumps(body, indent=1) + "\n")


def read_manifest(folder: str | os.PathLike[str]) -> list[ShardInfo]:
    """The shards a folder's manifest lists ([] when there is no manifest yet).

    Raises:
        ShardError: the manifest exists but cannot be read.
    """
    path = Path(folder) / MANIFEST
    if not path.exists():
        return []
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return [ShardInfo(**{**e, "sources": tuple(e.get("sources", ()))}) for e in body["shards"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ShardError(f"{path}: unreadable manifest ({exc})") from exc


def require_shards(folder: str | os.PathLike[str], kind: str) -> list[ShardInfo]:
    """The manifest entries of ``kind`` in ``folder``, for a reader that needs some.

    Raises:
        FileNotFoundError: ``folder`` does not exist.
        ShardError: it lists no shard of ``kind`` (no manifest: not a shard folder).
    """
    if not Path(folder).is_dir():
        raise FileNotFoundError(errno.ENOENT, "no such shard folder", str(folder))
    entries = [entry for entry in read_manifest(folder) if entry.kind == kind]
    if not entries:
        raise ShardError(f"{folder}: no {kind} shards (no {MANIFEST} listing any)")
    return entries


def read_shard(
    path: str | os.PathLike[str], expect_kind: str | None = None, sha256: str | None = None
) -> dict[str, np.ndarray]:
    """Load a shard's arrays, checking format, kind, checksum and that values are finite.

    Raises:
        ShardError: truncated, corrupt, of another kind or format, or holding NaN/inf.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ShardError(f"{path}: cannot read ({exc})") from exc
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise ShardError(f"{path}: checksum mismatch (truncated or corrupt)")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError, KeyError) as exc:
        raise ShardError(f"{path}: not a readable shard ({exc})") from exc
    fmt, kind = arrays.pop("__format__", None), arrays.pop("__kind__", None)
    if fmt is None or int(fmt) != SHARD_FORMAT:
        raise ShardError(f"{path}: shard format {fmt} is not {SHARD_FORMAT}")
    if expect_kind is not None and str(kind) != expect_kind:
        raise ShardError(f"{path}: holds {kind} examples, not {expect_kind}")
    for key, array in arrays.items():
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise ShardError(f"{path}: array {key!r} holds NaN or infinite values")
    return arrays


def iter_shards(
    folder: str | os.PathLike[str], kind: str | None = None, split: str | None = None
) -> Iterator[tuple[ShardInfo, dict[str, np.ndarray]]]:
    """Each valid shard of the manifest (optionally one kind / split), verified by checksum;
    unreadable ones are skipped with a warning on stderr, never an exception."""
    for info in read_manifest(folder):
        if (kind is not None and info.kind != kind) or (split is not None and info.split != split):
            continue
        try:
            yield info, read_shard(Path(folder) / info.name, kind, info.sha256)
        except ShardError as exc:
            print(f"igo: skipping shard: {exc}", file=sys.stderr)
