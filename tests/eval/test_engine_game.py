"""One refereed game: normal endings, and every kind of engine fault losing the game for it."""

from __future__ import annotations

import shlex
from collections.abc import Callable

import pytest

from igo.agents.player import TimeSettings
from igo.agents.referee import GameLimits
from igo.eval.engine_game import play_game
from igo.eval.engines import engine_argv, parse_engine_spec
from igo.go.coords import Color
from igo.go.rules import rules_from_name
from igo.io.gtp_client import GtpClient
from igo.io.sgf import parse_sgf, write_sgf

RULES = rules_from_name("chinese", 7.5)
HANG_GUARD_S = 600.0
"""A hang guard, not a speed claim: a fresh engine process imports torch and may compile kernels
for minutes on a loaded machine (speed is measured by ``igo bench``, docs/benchmarks.md)."""
FakeFactory = Callable[..., str]


def _play(black: str, white: str, size: int = 5, limits: GameLimits | None = None):
    with (
        GtpClient(shlex.split(black), HANG_GUARD_S, "black-engine") as b,
        GtpClient(shlex.split(white), HANG_GUARD_S, "white-engine") as w,
    ):
        return play_game(b, w, size, RULES, limits)


def test_two_passes_are_counted_under_the_match_rules(fake: FakeFactory) -> None:
    outcome = _play(fake("pass"), fake("pass"))
    assert outcome.result.winner == Color.WHITE and outcome.result.margin == 7.5
    assert outcome.detail == "two passes" and outcome.faulty is None
    assert outcome.record.metadata["PB"] == "black-engine"


@pytest.mark.parametrize(
    ("mode", "fault"),
    [
        ("illegal", "illegal"),
        ("crash", "exit"),
        ("malformed", "protocol"),
        ("nonsense", "malformed"),
        ("hang", "timeout"),
    ],
)
@pytest.mark.parametrize("faulty", [Color.BLACK, Color.WHITE])
def test_a_misbehaving_engine_loses_with_the_reason(
    fake: FakeFactory, mode: str, fault: str, faulty: Color
) -> None:
    bad, good = fake(mode, 2), fake("pass")
    black, white = (bad, good) if faulty == Color.BLACK else (good, bad)
    limits = GameLimits(move_timeout=1.0)
    outcome = _play(black, white, limits=limits)
    assert outcome.faulty == faulty and outcome.fault == fault
    assert outcome.result.winner == faulty.opponent and outcome.result.reason == "forfeit"
    assert outcome.num_moves >= 3  # the fault came mid-game, after two good moves
    assert outcome.record.result == outcome.result
    assert outcome.detail in write_sgf(outcome.record)  # GC says why


def test_an_engine_over_its_clock_loses_on_time(fake: FakeFactory) -> None:
    limits = GameLimits(time_control=TimeSettings.absolute(1.0), time_grace=0.5)
    outcome = _play(fake("slow", 1), fake("pass"), limits=limits)
    assert outcome.faulty == Color.BLACK and outcome.fault == "time"
    assert outcome.result.reason == "time" and outcome.result.to_sgf() == "W+T"


def test_resignation_ends_the_game(fake: FakeFactory) -> None:
    outcome = _play(fake("pass"), fake("resign", 1))
    assert outcome.result.winner == Color.BLACK and outcome.result.reason == "resign"
    assert outcome.faulty is None


def test_igo_players_over_gtp_play_a_full_game_with_move_times() -> None:
    rules = RULES
    argv = engine_argv(parse_engine_spec("igo:player=random"), rules, seed=1)
    with GtpClient(argv, HANG_GUARD_S, "a") as b, GtpClient(argv, HANG_GUARD_S, "b") as w:
        limits = GameLimits(move_cap=40, move_timeout=HANG_GUARD_S)
        outcome = play_game(b, w, 5, rules, limits)
    assert outcome.faulty is None and outcome.num_moves > 2
    assert outcome.result.reason in ("score", "draw")
    assert all(c is not None and c.endswith("s") for c in outcome.record.comments)
    again = parse_sgf(write_sgf(outcome.record))
    assert again.moves == outcome.record.moves
    assert again.result is not None and again.result.to_sgf() == outcome.result.to_sgf()


@pytest.mark.gnugo
def test_gnugo_scores_the_games_it_plays(fake: FakeFactory, gnugo: str) -> None:
    argv = engine_argv(parse_engine_spec("gnugo:level=1"), RULES, seed=1)
    pass_argv = shlex.split(fake("pass"))
    with (
        GtpClient(argv, HANG_GUARD_S, "gnugo-l1") as b,
        GtpClient(pass_argv, HANG_GUARD_S, "p") as w,
    ):
        outcome = play_game(b, w, 5, RULES)
    # GNU Go fills the board while white passes: area 25 against komi 7.5.
    assert outcome.result.to_sgf() == "B+17.5"
    assert outcome.faulty is None


def test_a_new_engine_gets_time_to_prepare_its_first_move(fake: FakeFactory) -> None:
    # "slow" takes 3 s for every move: longer than the move timeout, well within the first
    # move's allowance, so its first move is played and its second forfeits.
    limits = GameLimits(move_timeout=1.0, first_move_timeout=600.0)
    outcome = _play(fake("slow", 0), fake("resign", 10), limits=limits)
    assert outcome.faulty == Color.BLACK and outcome.fault == "timeout"
    assert outcome.num_moves == 2  # black's slow first move and white's answer
