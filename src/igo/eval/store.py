"""The arena database: engines, matches and games in one SQLite file, accumulated across runs.

Only the match's parent process writes (workers send it their games), each game in its own
transaction, in WAL mode so that ``igo ratings`` or ``igo report`` can read while a match runs and
a crash loses at most the game being written.

| table   | one row per       | columns                                                   |
|---------|-------------------|-----------------------------------------------------------|
| engines | engine name       | name (unique), spec, command (JSON argv), added           |
| matches | ``igo match`` run | first_id, second_id, size, rules, komi, settings, started, |
|         |                   | finished, summary (JSON)                                  |
| games   | finished game     | match_id, game_index, black_id, white_id, winner (B, W or |
|         |                   | NULL), result (SGF RE), reason, fault (``B:exit``...),    |
|         |                   | detail, num_moves, seconds, sgf_path, sgf (the text)      |
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from igo.eval.engine_game import GameOutcome
from igo.io.sgf import write_sgf

SCHEMA = """
CREATE TABLE IF NOT EXISTS engines (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    command TEXT NOT NULL,
    added TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS matches (
    id INTEGER PRIMARY KEY,
    first_id INTEGER NOT NULL REFERENCES engines(id),
    second_id INTEGER NOT NULL REFERENCES engines(id),
    size INTEGER NOT NULL,
    rules TEXT NOT NULL,
    komi REAL NOT NULL,
    settings TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS games (
    id INTEGER PRIMARY KEY,
    match_id INTEGER NOT NULL REFERENCES matches(id),
    game_index INTEGER NOT NULL,
    black_id INTEGER NOT NULL REFERENCES engines(id),
    white_id INTEGER NOT NULL REFERENCES engines(id),
    size INTEGER NOT NULL,
    rules TEXT NOT NULL,
    komi REAL NOT NULL,
    winner TEXT CHECK (winner IN ('B', 'W')),
    result TEXT NOT NULL,
    reason TEXT NOT NULL,
    fault TEXT,
    detail TEXT NOT NULL,
    num_moves INTEGER NOT NULL,
    seconds REAL NOT NULL,
    sgf_path TEXT,
    sgf TEXT NOT NULL,
    played TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS games_by_match ON games(match_id);
"""


@dataclass(frozen=True)
class GameRow:
    """One game as ratings and reports read it."""

    match_id: int
    black: str
    """Black's engine name."""
    white: str
    winner: str | None
    """``B``, ``W`` or None (draw, void)."""
    reason: str
    """``score``, ``resign``, ``time``, ``forfeit``, ``draw``, ``void``."""
    fault: str | None
    num_moves: int
    size: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


_SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of every SQLite database file."""


class ArenaStore:
    """An open arena database. Use as a context manager, or call ``close``."""

    def __init__(self, path: str | Path) -> None:
        """Open (or create) the database at ``path``.

        Raises:
            ValueError: ``path`` is a file but not an SQLite database (which SQLite would
                overwrite were it shorter than a page: ``--db notes.txt``), or cannot be read.
        """
        self.path = Path(path)
        if self.path.is_file():
            with self.path.open("rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
            if header and header != _SQLITE_HEADER:
                raise ValueError(f"cannot open arena database {self.path}: not an SQLite file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            with self._db:
                self._db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise ValueError(f"cannot open arena database {self.path}: {exc}") from exc

    def engine_id(self, name: str, spec: str, command: list[str]) -> int:
        """The id of engine ``name``, adding it on first sight (its first spec is kept)."""
        with self._db:
            self._db.execute(
                "INSERT OR IGNORE INTO engines (name, spec, command, added) VALUES (?, ?, ?, ?)",
                (name, spec, json.dumps(command), _now()),
            )
        row = self._db.execute("SELECT id FROM engines WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def begin_match(
        self,
        first_id: int,
        second_id: int,
        size: int,
        rules: str,
        komi: float,
        settings: dict[str, Any],
    ) -> int:
        """Record the start of a match; returns its id."""
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO matches (first_id, second_id, size, rules, komi, settings, started)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (first_id, second_id, size, rules, komi, json.dumps(settings), _now()),
            )
        return int(cursor.lastrowid or 0)

    def finish_match(self, match_id: int, summary: dict[str, Any]) -> None:
        """Mark a match finished, with its summary (score, SPRT decision)."""
        with self._db:
            self._db.execute(
                "UPDATE matches SET finished = ?, summary = ? WHERE id = ?",
                (_now(), json.dumps(summary), match_id),
            )

    def add_game(
        self,
        match_id: int,
        game_index: int,
        black_id: int,
        white_id: int,
        outcome: GameOutcome,
        rules: str,
        sgf_path: str | None,
    ) -> int:
        """Record one finished game (its SGF text included); returns its id."""
        record, result = outcome.record, outcome.result
        winner = None if result.winner is None else result.winner.letter
        faulty = f"{outcome.faulty.letter}:{outcome.fault}" if outcome.faulty is not None else None
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO games (match_id, game_index, black_id, white_id, size, rules, komi,"
                " winner, result, reason, fault, detail, num_moves, seconds, sgf_path, sgf, played)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    match_id,
                    game_index,
                    black_id,
                    white_id,
                    record.size,
                    rules,
                    record.komi,
                    winner,
                    result.to_sgf(),
                    result.reason,
                    faulty,
                    outcome.detail,
                    outcome.num_moves,
                    outcome.seconds,
                    sgf_path,
                    write_sgf(record),
                    _now(),
                ),
            )
        return int(cursor.lastrowid or 0)

    def engines(self) -> list[str]:
        """Every engine name, in the order they were added."""
        return [row[0] for row in self._db.execute("SELECT name FROM engines ORDER BY id")]

    def games(self, size: int | None = None) -> list[GameRow]:
        """Every recorded game (on board ``size`` only, if given), oldest first."""
        query = (
            "SELECT g.match_id, b.name, w.name, g.winner, g.reason, g.fault, g.num_moves, g.size"
            " FROM games g JOIN engines b ON b.id = g.black_id JOIN engines w ON w.id = g.white_id"
        )
        params: tuple[Any, ...] = ()
        if size is not None:
            query, params = query + " WHERE g.size = ?", (size,)
        rows = self._db.execute(query + " ORDER BY g.id", params).fetchall()
        return [GameRow(*row) for row in rows]

    def matches(self) -> list[dict[str, Any]]:
        """Every match with its engines' names and game count, oldest first."""
        rows = self._db.execute(
            "SELECT m.id, a.name, b.name, m.size, m.rules, m.komi, m.started, m.finished,"
            " (SELECT COUNT(*) FROM games g WHERE g.match_id = m.id)"
            " FROM matches m JOIN engines a ON a.id = m.first_id"
            " JOIN engines b ON b.id = m.second_id ORDER BY m.id"
        ).fetchall()
        keys = ("id", "first", "second", "size", "rules", "komi", "started", "finished", "games")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> ArenaStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_existing(path: str | Path) -> ArenaStore:
    """Open a database that must already exist (for reading: ratings, reports).

    Raises:
        ValueError: there is no such file, or it cannot be opened (``ArenaStore``).
    """
    if not Path(path).is_file():
        raise ValueError(f"no arena database at {path} (play a match first: igo match A B)")
    return ArenaStore(path)


def games_between(db: str | Path, first: str, second: str) -> int:
    """Games recorded in ``db`` between two engine names, either colour (0 if no database)."""
    if not Path(db).exists():
        return 0
    with ArenaStore(db) as store:
        rows = store.games()
    return sum(1 for row in rows if {row.black, row.white} == {first, second})
