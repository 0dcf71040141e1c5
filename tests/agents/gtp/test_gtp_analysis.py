"""GTP analysis extensions in process: arguments, info-line formats, genmove_analyze, GoGui gfx,
and the engine's command table for players with and without analysis."""

from __future__ import annotations

import re

import numpy as np
import pytest

from igo.agents import create_player
from igo.agents.analysis import MoveInfo
from igo.agents.gtp import GoEngine
from igo.agents.gtp.analysis_commands import (
    AnalyzeRequest,
    format_kata,
    format_lz,
    gfx_heat_map,
    parse_request,
)
from igo.agents.gtp.conformance import check_engine
from igo.agents.mcts_player import mcts_player
from igo.go.coords import Color, from_gtp
from igo.io.gtp import Command, GtpError, execute

ANALYSIS = {"lz-analyze", "kata-analyze", "lz-genmove_analyze", "kata-genmove_analyze"}


def _run(engine: GoEngine, line: str) -> str:
    words = line.split()
    return execute(engine.commands(), Command(None, words[0], words[1:]), print)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], AnalyzeRequest(None, 1.0)),
        (["10"], AnalyzeRequest(None, 0.1)),
        (["b", "50"], AnalyzeRequest(Color.BLACK, 0.5)),
        (["W"], AnalyzeRequest(Color.WHITE, 1.0)),
        (["B", "interval", "20", "ownership", "true"], AnalyzeRequest(Color.BLACK, 0.2, True)),
        (["5", "maxmoves", "3", "minmoves", "2"], AnalyzeRequest(None, 0.05, False, 3)),
        (["10", "avoid", "b", "D4,E5", "1", "pvVisits", "true"], AnalyzeRequest(None, 0.1)),
    ],
)
def test_parse_request(args: list[str], expected: AnalyzeRequest) -> None:
    assert parse_request(args) == expected


@pytest.mark.parametrize(
    "args",
    [["-5"], ["b", "x"], ["10", "ownership"], ["10", "ownership", "maybe"], ["10", "foo", "1"]],
)
def test_parse_request_errors(args: list[str]) -> None:
    with pytest.raises(GtpError, match="syntax error"):
        parse_request(args)


def _infos() -> list[MoveInfo]:
    d4, c3 = from_gtp("D4", 9), from_gtp("C3", 9)
    return [
        MoveInfo(d4, 120, 0.52345, 0.1234, 0.51, 0, (d4, c3)),
        MoveInfo(c3, 7, 0.25, 0.05, 0.0, 1, (c3,)),
    ]


def test_lz_format() -> None:
    assert format_lz(_infos(), 9) == (
        "info move D4 visits 120 winrate 5234 prior 1234 lcb 5100 order 0 pv D4 C3 "
        "info move C3 visits 7 winrate 2500 prior 500 lcb 0 order 1 pv C3"
    )


def test_kata_format_with_ownership() -> None:
    line = format_kata(_infos(), 9, np.linspace(-1, 1, 81))
    assert line.startswith(
        "info move D4 visits 120 utility 0.046900 winrate 0.523450 prior 0.123400 lcb 0.510000 "
        "order 0 pv D4 C3 info move C3"
    )
    owner = line.split(" ownership ")[1].split()
    assert len(owner) == 81 and float(owner[0]) == -1.0 and float(owner[-1]) == 1.0
    # Before the first visit: no line at all, never an "ownership" line without its info.
    assert format_kata([], 9, np.linspace(-1, 1, 81)) == ""


def test_gfx_heat_map() -> None:
    values = np.zeros(25)
    values[from_gtp("C3", 5)], values[from_gtp("A1", 5)] = 8.0, 2.0
    text = gfx_heat_map(values, [str(int(v)) for v in values], 5)
    assert text == "INFLUENCE C3 1.000 A1 0.250\nLABEL C3 8 A1 2"


@pytest.fixture(name="engine")
def engine_fixture() -> GoEngine:
    return GoEngine(mcts_player(visits=32, seed=0), size=5)


def test_analysis_commands_only_for_search_players(engine: GoEngine) -> None:
    listed = set(_run(engine, "list_commands")[2:-2].split("\n"))
    assert ANALYSIS | {"igo-policy", "igo-visits"} <= listed
    assert _run(engine, "gogui-analyze_commands") == (
        "= gfx/Policy/igo-policy\ngfx/Visits/igo-visits\n\n"
    )
    random_engine = GoEngine(create_player("random"), size=5)
    assert not ANALYSIS & set(_run(random_engine, "list_commands").split("\n"))
    assert _run(random_engine, "gogui-analyze_commands") == "= \n\n"
    assert _run(random_engine, "lz-analyze 10") == "? unknown command\n\n"


@pytest.mark.parametrize("kata", [False, True])
def test_genmove_analyze_plays_the_move(engine: GoEngine, kata: bool) -> None:
    command = "kata-genmove_analyze" if kata else "lz-genmove_analyze"
    reply = _run(engine, f"{command} b 1")
    lines = reply.split("\n")
    assert lines[0] == "=" and reply.endswith("\n\n") and "\n\n" not in reply[:-2]
    assert lines[-3].startswith("play ")
    assert all(line.startswith("info move ") for line in lines[1:-3])
    assert len(lines) > 4  # at least the final info line
    vertex = lines[-3].split()[1]
    assert engine.state.moves[-1] == (Color.BLACK, from_gtp(vertex, 5))
    if kata:
        assert re.search(r"winrate 0\.\d+", reply)
    else:
        assert re.search(r"winrate \d+ prior \d+ lcb \d+ order 0", reply)


def test_genmove_analyze_without_interval_prints_only_the_move(engine: GoEngine) -> None:
    reply = _run(engine, "kata-genmove_analyze w 0")
    assert re.fullmatch(r"=\nplay [A-E][1-5]\n\n", reply)
    assert engine.state.moves[-1][0] == Color.WHITE


def test_analyze_streams_until_stopped(engine: GoEngine) -> None:
    # execute() runs a stream as if input were waiting: it stops after the first chunk.
    assert _run(engine, "lz-analyze 0") == "=\n\n"
    assert _run(engine, "kata-analyze b 10 ownership true").startswith("=\n")
    assert _run(engine, "lz-analyze b 10 foo 1") == "? syntax error\n\n"


def test_gogui_heat_maps(engine: GoEngine) -> None:
    _run(engine, "play b C3")
    policy = _run(engine, "igo-policy")
    assert policy.startswith("= INFLUENCE ") and "\nLABEL " in policy and "C3" not in policy
    visits = _run(engine, "igo-visits w")
    assert visits.startswith("= INFLUENCE ") and "\nLABEL " in visits
    assert len(engine.state.moves) == 1  # nothing was played
    assert _run(engine, "igo-policy x") == "? syntax error\n\n"


def test_network_player_refuses_other_sizes(zero_checkpoint: str) -> None:
    engine = GoEngine(mcts_player(checkpoint=zero_checkpoint, visits=8, seed=0), size=19)
    assert engine.size == 5
    assert _run(engine, "boardsize 9") == "? unacceptable size\n\n"
    assert _run(engine, "boardsize 5") == "= \n\n"
    assert _run(engine, "lz-genmove_analyze b 0").startswith("=\nplay ")


def test_search_engine_conforms() -> None:
    check_engine(GoEngine(mcts_player(visits=16, seed=0), size=9), size=9, max_moves=60)
