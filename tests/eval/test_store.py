"""The arena database: schema, WAL, engines by name, games read back for ratings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from igo.eval.engine_game import forfeit_outcome
from igo.eval.store import ArenaStore, open_existing
from igo.go.coords import Color
from igo.go.rules import rules_from_name


def test_engines_games_and_matches_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "arena.sqlite"
    rules = rules_from_name("chinese")
    with ArenaStore(path) as store:
        a = store.engine_id("a", "igo:player=random,name=a", ["python", "-m", "igo"])
        b = store.engine_id("b", "gnugo:level=1,name=b", ["gnugo"])
        assert store.engine_id("a", "another spec", []) == a  # one row per name
        match = store.begin_match(a, b, 9, "chinese", 7.5, {"games": 1})
        names = {Color.BLACK: "a", Color.WHITE: "b"}
        outcome = forfeit_outcome(9, rules, names, Color.WHITE, "exit", "b exited (code 3)")
        store.add_game(match, 0, a, b, outcome, "chinese", None)
        store.finish_match(match, {"wins": 1})
        assert store.engines() == ["a", "b"]
        [row] = store.games()
        assert (row.black, row.white, row.winner, row.reason, row.fault) == (
            "a",
            "b",
            "B",
            "forfeit",
            "W:exit",
        )
        assert store.games(size=19) == []
        [info] = store.matches()
        assert (info["first"], info["second"], info["games"]) == ("a", "b", 1)
        assert info["finished"] is not None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT sgf FROM games").fetchone()[0].startswith("(;")


def test_opening_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no arena database"):
        open_existing(tmp_path / "missing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ValueError, match="cannot open arena database"):
        ArenaStore(junk)
    notes = tmp_path / "notes.txt"  # under a page: SQLite itself would take it for a new database
    notes.write_text("x")
    with pytest.raises(ValueError, match="not an SQLite file"):
        ArenaStore(notes)
    assert notes.read_text() == "x"
