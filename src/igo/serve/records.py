"""Uploaded SGF records and watched run folders, read into what the page draws.

An upload is parsed by igo's SGF reader and replayed by the rules engine (a broken file or an
illegal move is an error naming the problem); its positions then go to the analysis engine as
one query, whose answers fill the page's win-rate graph as they come.

A watched folder is a running self-play or match: the newest game file under it, either an SGF
(``igo match``'s ``games/`` folder, a Zero run's gating games) or a Zero self-play game
(``replay/gen-*/game-*.npz``, whose SGF text is stored inside), re-read whenever it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igo.io.sgf import GameRecord, SgfError, parse_sgf
from igo.selfplay.record import read_game_arrays, unpack_text
from igo.serve.channels import Channel
from igo.serve.positions import record_query, record_view
from igo.serve.recent import Recent
from igo.serve.worker import Worker

MAX_RECORDS = 16
"""Uploaded records kept at once; the oldest is dropped (and its analysis stopped)."""


class RecordError(ValueError):
    """A record the page cannot show (its message is shown on the page)."""


def read_record(data: bytes, name: str) -> dict[str, Any]:
    """``data`` (SGF bytes) as the page's record view; RecordError names what is wrong."""
    try:
        record = parse_sgf(data, source=name)
        return record_view(record, name) | {"_record": record}
    except (SgfError, ValueError) as err:
        reason = str(err).removeprefix(f"{name}: ")  # igo's reader names the file itself
        raise RecordError(f"{name}: not a readable SGF game: {reason}") from err


@dataclass
class Upload:
    """One uploaded record and its analysis."""

    id: str
    view: dict[str, Any]
    record: GameRecord
    graph: Channel


class Records:
    """The uploaded records by id, each analysed once, in the background."""

    def __init__(self, worker: Worker, visits: int) -> None:
        self.worker = worker
        self.visits = visits
        self._uploads: Recent[Upload] = Recent(
            "r", MAX_RECORDS, "record", lambda old: worker.stop_analysis(old.graph)
        )

    def add(self, data: bytes, name: str) -> Upload:
        """Read an upload and start its analysis."""
        view = read_record(data, name)
        record = view.pop("_record")
        graph = self.worker.analyse(record_query(record, self.visits), len(record.moves) + 1)
        return self._uploads.add(lambda key: Upload(key, view, record, graph))

    def get(self, record_id: str) -> Upload:
        """The upload ``record_id`` (RecordError if there is none)."""
        try:
            return self._uploads.get(record_id)
        except LookupError as err:
            raise RecordError(str(err)) from err


GAME_PATTERNS = ("*.sgf", "game-*.npz")


class Watch:
    """The newest game of a folder, read again when its file changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cache: tuple[tuple[str, int, int], dict[str, Any]] | None = None

    def newest(self) -> dict[str, Any]:
        """``{"folder", "games", "game"}``: the game files found and the newest one's view
        (None while there is none). A file caught half-written reads as not there yet."""
        files = [p for pattern in GAME_PATTERNS for p in self.folder.rglob(pattern)]
        found: list[tuple[int, str, Path]] = []
        for path in files:
            try:
                stat = path.stat()
            except OSError:  # removed meanwhile
                continue
            found.append((stat.st_mtime_ns, str(path), path))
        out: dict[str, Any] = {"folder": str(self.folder), "games": len(found), "game": None}
        for mtime, _, path in sorted(found, reverse=True):
            game = self._read(path, mtime)
            if game is not None:
                out["game"] = game
                break
        return out

    def _read(self, path: Path, mtime: int) -> dict[str, Any] | None:
        key = (str(path), mtime, path.stat().st_size if path.exists() else -1)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        try:
            if path.suffix == ".npz":
                data = unpack_text(read_game_arrays(path)["sgf"]).encode("utf-8")
            else:
                data = path.read_bytes()
            name = str(path.relative_to(self.folder))
            view = read_record(data, name)
        except Exception:  # noqa: BLE001 - half-written or not a game (a bad zip, no sgf...)
            return None  # the next newest is shown; this one is read again once it changes
        view.pop("_record")
        self._cache = (key, view)
        return view
