"""Whole matches: parallel games, SGF files and database rows, faults, SPRT early stops."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from igo.agents.referee import GameLimits
from igo.eval import arena
from igo.eval.arena import MatchConfig, parse_time_control, run_match
from igo.eval.engine_game import GameOutcome
from igo.eval.kept_engines import KeptEngines
from igo.eval.sprt import Sprt
from igo.go.coords import Color
from igo.go.state import GameState
from igo.io.sgf import read_sgf

FakeFactory = Callable[..., str]


def _rows(db: Path, query: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(query).fetchall()


def test_igo_players_play_a_parallel_match_and_every_game_is_recorded(tmp_path: Path) -> None:
    db = tmp_path / "arena.sqlite"
    config = MatchConfig(
        games=4, size=5, jobs=2, db=str(db), seed=7, limits=GameLimits(move_cap=30)
    )
    seen = []
    summary = run_match(
        "igo:player=random,name=r1",
        "igo:player=random,name=r2",
        config,
        on_game=lambda outcome, s: seen.append(s.games),
    )
    assert summary.games == 4 and sorted(seen) == [1, 2, 3, 4]
    assert summary.wins + summary.draws + summary.losses == 4 and summary.black_games == 2
    sgfs = sorted(Path(summary.sgf_dir or "").glob("game-*.sgf"))
    assert len(sgfs) == 4
    records = [read_sgf(p) for p in sgfs]
    assert [r.metadata["PB"] for r in records] == ["r1", "r2", "r1", "r2"]  # colours alternate
    assert all(r.result is not None and r.komi == 7.5 for r in records)
    rows = _rows(
        db, "SELECT game_index, result, num_moves, sgf_path, sgf FROM games ORDER BY game_index"
    )
    assert [r[0] for r in rows] == [0, 1, 2, 3]
    assert all(Path(r[3]).is_file() and r[4].startswith("(;") for r in rows)
    assert _rows(db, "PRAGMA journal_mode")[0][0] == "wal"
    assert _rows(db, "SELECT finished IS NOT NULL FROM matches") == [(1,)]


def test_matches_accumulate_in_one_database(tmp_path: Path, fake: FakeFactory) -> None:
    db = str(tmp_path / "arena.sqlite")
    for _ in range(2):
        run_match(fake("pass"), fake("illegal", 1), MatchConfig(games=2, jobs=1, db=db, size=5))
    assert _rows(Path(db), "SELECT COUNT(*) FROM games") == [(4,)]
    assert _rows(Path(db), "SELECT COUNT(*) FROM matches") == [(2,)]
    assert _rows(Path(db), "SELECT COUNT(*) FROM engines") == [(2,)]


@pytest.mark.parametrize(
    ("mode", "fault"),
    [("illegal", "illegal"), ("crash", "exit"), ("hang", "timeout"), ("malformed", "protocol")],
)
def test_a_misbehaving_engine_loses_its_games_and_the_match_goes_on(
    tmp_path: Path, fake: FakeFactory, mode: str, fault: str
) -> None:
    db = tmp_path / "arena.sqlite"
    config = MatchConfig(games=2, size=5, jobs=2, db=str(db), limits=GameLimits(move_timeout=1.0))
    summary = run_match(fake("pass"), fake(mode), config)
    assert (summary.games, summary.wins, summary.losses) == (2, 2, 0)
    rows = _rows(db, "SELECT winner, reason, fault, detail, black_id FROM games")
    assert len(rows) == 2
    for winner, reason, recorded_fault, detail, black_id in rows:
        bad_side = "W" if black_id == 1 else "B"  # engine 1 is the well-behaved first engine
        assert reason == "forfeit" and recorded_fault == f"{bad_side}:{fault}"
        assert winner != bad_side and detail
    assert list(summary.faults.values()) == [2]


def test_sprt_stops_the_match_once_a_bound_is_crossed(tmp_path: Path, fake: FakeFactory) -> None:
    # The passer beats the illegal player every game: H1 (+200 Elo) is accepted early.
    config = MatchConfig(games=50, size=5, jobs=1, db=None, sprt=Sprt(0, 200))
    summary = run_match(fake("pass"), fake("illegal", 1), config)
    assert summary.sprt_decision == "H1"
    assert summary.games == summary.sprt_games and summary.games < 20
    assert summary.sprt_llr is not None and summary.sprt_llr >= Sprt(0, 200).bounds[1]


@pytest.mark.gnugo
def test_gnugo_level_1_against_igo_random(tmp_path: Path, gnugo: str) -> None:
    db = tmp_path / "arena.sqlite"
    config = MatchConfig(games=2, size=5, jobs=2, db=str(db))
    summary = run_match("gnugo:level=1", "igo:player=random", config)
    assert summary.games == 2 and not summary.faults
    rows = _rows(db, "SELECT e.name, e.spec FROM engines e ORDER BY e.id")
    assert rows == [("gnugo-l1", "gnugo:level=1"), ("igo-random", "igo:player=random")]


def test_an_arena_failure_voids_one_game_and_the_match_goes_on(
    fake: FakeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_play = arena._play_task

    def flaky(task: arena._Task, engines: KeptEngines, on_move: object = None) -> GameOutcome:
        if task.index == 0:
            raise OSError("no more file descriptors")
        return real_play(task, engines)

    monkeypatch.setattr(arena, "_play_task", flaky)
    summary = run_match(fake("pass"), fake("illegal", 1), MatchConfig(games=3, jobs=1, db=None))
    assert summary.endings == {"void": 1, "forfeit": 2} and summary.games == 2


def test_bad_configs_and_specs_fail_with_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--games"):
        MatchConfig(games=0)
    with pytest.raises(ValueError, match="unknown rules"):
        MatchConfig(rules="klingon")
    with pytest.raises(ValueError, match="--time"):
        parse_time_control("5,x")
    assert parse_time_control("60,10,5").byo_yomi_stones == 5
    config = MatchConfig(games=1, db=None)
    with pytest.raises(ValueError, match="both engines are named"):
        run_match("igo:player=random", "igo:player=random", config)
    with pytest.raises(ValueError, match="does not work"):
        run_match("igo:player=nosuchplayer", "igo:player=random,name=x", config)
    with pytest.raises(ValueError, match="not found"):
        run_match(str(tmp_path / "no-such-engine"), "igo:player=random", config)


def test_moves_are_reported_one_by_one(fake: FakeFactory) -> None:
    seen: list[tuple[int, str]] = []

    def on_move(state: GameState, color: Color, point: int, seconds: float) -> None:
        seen.append((len(state.moves), color.letter))

    config = MatchConfig(games=2, size=5, jobs=2, db=None)
    first, second = "igo:player=random,name=a", "igo:player=random,name=b"
    summary = run_match(first, second, config, on_move=on_move)
    assert summary.games == 2
    assert seen and seen[0] == (1, "B") and seen[1] == (2, "W")
