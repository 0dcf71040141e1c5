"""The markdown report and its plots, from a database of synthetic games."""

from __future__ import annotations

from pathlib import Path

import pytest

from igo.eval.engine_game import forfeit_outcome
from igo.eval.report import write_report
from igo.eval.store import ArenaStore
from igo.go.coords import Color
from igo.go.rules import rules_from_name

pytest.importorskip("matplotlib")


def _fill(path: Path) -> None:
    rules = rules_from_name("chinese")
    with ArenaStore(path) as store:
        ids = {n: store.engine_id(n, n, [n]) for n in ("gnugo-l10", "step-1", "step-2")}
        for first, second, wins in (("step-1", "gnugo-l10", 2), ("step-2", "gnugo-l10", 5)):
            match = store.begin_match(ids[first], ids[second], 9, "chinese", 7.5, {})
            for game in range(8):
                black, white = (first, second) if game % 2 == 0 else (second, first)
                loser = Color.WHITE if (game < wins) == (black == first) else Color.BLACK
                names = {Color.BLACK: black, Color.WHITE: white}
                outcome = forfeit_outcome(9, rules, names, loser, "illegal", "illegal move")
                store.add_game(match, game, ids[black], ids[white], outcome, "chinese", None)


def test_the_report_has_ratings_matches_and_plots(tmp_path: Path) -> None:
    db = tmp_path / "arena.sqlite"
    _fill(db)
    path = write_report(str(db), str(tmp_path / "report"))
    text = path.read_text()
    assert "| 1 | step-2 |" in text and "| gnugo-l10 | 0 | anchor |" in text
    assert "| 2 | step-2 | gnugo-l10 | 9x9 | chinese | 7.5 | 8 | 62.5% |" in text
    for png in ("ratings.png", "colour.png", "lengths.png"):
        assert f"({png})" in text
        assert (path.parent / png).read_bytes().startswith(b"\x89PNG")


def test_an_empty_database_gives_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "arena.sqlite"
    ArenaStore(db).close()
    with pytest.raises(ValueError, match="no rated games"):
        write_report(str(db), str(tmp_path / "report"))
