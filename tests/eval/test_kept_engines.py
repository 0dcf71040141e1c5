"""Engines kept across a match's games: started once per side and per job, reseeded per game,
replaced after a crash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from igo.eval.arena import MatchConfig, run_match
from igo.eval.summary import format_summary
from igo.io.sgf import read_sgf

FakeFactory = Callable[..., str]


def _starts(log: Path) -> int:
    return log.read_text().splitlines().count("start")


def test_a_match_starts_each_engine_once_per_job_besides_its_check(
    fake: FakeFactory, tmp_path: Path
) -> None:
    for jobs in (1, 2):
        logs = [tmp_path / f"a{jobs}.log", tmp_path / f"b{jobs}.log"]
        first, second = (fake("pass", 2, log) for log in logs)
        summary = run_match(first, second, MatchConfig(games=6, size=5, jobs=jobs, db=None))
        assert summary.games == 6 and not summary.faults
        # One start each to check the engine works, then one per worker for all six games.
        assert [_starts(log) for log in logs] == [1 + jobs, 1 + jobs]
        # Every one was told to quit when its worker ended (none left running, none orphaned).
        assert [log.read_text().splitlines().count("quit") for log in logs] == [1 + jobs] * 2


def test_a_crashed_engine_is_restarted_for_the_next_game(fake: FakeFactory, tmp_path: Path) -> None:
    logs = [tmp_path / "pass.log", tmp_path / "crash.log"]
    first, second = fake("pass", 2, logs[0]), fake("crash", 2, logs[1])
    config = MatchConfig(games=3, size=5, jobs=1, db=None, sgf_dir=str(tmp_path / "sgf"))
    summary = run_match(first, second, config)
    assert summary.faults == {f"{second}: exit": 3}
    assert [_starts(log) for log in logs] == [2, 4]
    for path in sorted((tmp_path / "sgf").glob("*.sgf")):
        # The crashing engine played its two moves in every game: it was running again.
        assert len(read_sgf(path).moves) >= 4


def test_kept_igo_engines_play_distinct_games_fixed_by_the_match_seed(tmp_path: Path) -> None:
    specs = ("igo:player=random,name=r1", "igo:player=random,name=r2")

    def games(seed: int, folder: str, count: int = 4) -> list[str]:
        config = MatchConfig(games=count, size=5, jobs=1, db=None, sgf_dir=str(tmp_path / folder))
        run_match(*specs, replace(config, seed=seed))
        return [str(read_sgf(p).moves) for p in sorted((tmp_path / folder).glob("*.sgf"))]

    first = games(11, "one")
    assert len(first) == 4 and len(set(first)) == 4
    assert games(11, "two") == first
    # Games 3 and 4 had seeds 15 to 18: a fresh match from 15 replays them, so the kept engines
    # played them from their own seeds, not from where earlier games left the generators.
    assert games(15, "three", 2) == first[2:]


def test_the_summary_gives_each_engines_visits_and_seconds_per_move() -> None:
    specs = ("igo:player=random,name=r", "igo:player=mcts,visits=8,name=m")
    summary = run_match(*specs, MatchConfig(games=2, size=5, jobs=1, db=None))
    assert list(summary.search) == ["r", "m"]
    assert "visits" not in summary.search["r"] and summary.search["r"]["moves"] > 0
    assert summary.search["m"]["visits"] >= 8 and summary.search["m"]["seconds"] > 0
    assert "per move: r " in format_summary(summary) and " visits in " in format_summary(summary)
