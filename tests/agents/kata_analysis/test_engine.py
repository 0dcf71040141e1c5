"""The analysis engine searching for real (``mcts`` without a network: fast, every size): the
shape of KataGo's documented answer, batching, interim answers, terminate, and the serve loop."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from igo.agents import create_player
from igo.agents.kata_analysis.engine import AnalysisEngine, serve
from igo.agents.kata_analysis.query import EngineSettings
from igo.agents.mcts_player import MctsPlayer

MOVE_KEYS = {"move", "visits", "winrate", "scoreLead", "scoreMean", "scoreStdev", "prior"}
MOVE_KEYS |= {"lcb", "utility", "order", "pv"}
ROOT_KEYS = {"currentPlayer", "winrate", "scoreLead", "utility", "visits"}


@pytest.fixture(scope="module")
def player() -> MctsPlayer:
    built = create_player("mcts", seed=3)
    assert isinstance(built, MctsPlayer)
    return built


def engine_for(player: MctsPlayer, **settings: Any) -> AnalysisEngine:
    return AnalysisEngine(player, EngineSettings(**{"max_visits": 40, **settings}))


def run(engine: AnalysisEngine, *lines: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line in lines:
        out += engine.handle(json.dumps(line))
    while engine.scheduler.busy:
        out += engine.step()
    return out


def small(query_id: str = "q", **fields: Any) -> dict[str, Any]:
    return {
        "id": query_id,
        "moves": [["B", "C3"], ["W", "D3"]],
        "rules": "chinese",
        "komi": 0.5,
        "boardXSize": 5,
        "boardYSize": 5,
        **fields,
    }


def test_documented_example_answers_in_katago_shape(player: MctsPlayer) -> None:
    example = {
        "id": "foo",
        "initialStones": [["B", "Q4"], ["B", "C4"]],
        "moves": [["W", "P5"], ["B", "P6"]],
        "rules": "tromp-taylor",
        "komi": 7.5,
        "boardXSize": 19,
        "boardYSize": 19,
        "analyzeTurns": [0, 1, 2],
        "includeOwnership": True,
        "includePolicy": True,
        "includePVVisits": True,
    }
    answers = run(engine_for(player, max_visits=30, score_playouts=4), example)
    assert sorted(a["turnNumber"] for a in answers) == [0, 1, 2]
    for a in answers:
        assert a["id"] == "foo" and a["isDuringSearch"] is False
        assert ROOT_KEYS <= a["rootInfo"].keys()
        assert a["rootInfo"]["visits"] == 30
        assert a["rootInfo"]["currentPlayer"] == ("W" if a["turnNumber"] != 1 else "B")
        infos = a["moveInfos"]
        assert [m["order"] for m in infos] == list(range(len(infos)))
        assert sum(m["visits"] for m in infos) == 29  # the root's first visit is its own
        for m in infos:
            assert MOVE_KEYS <= m.keys()
            assert 0.0 <= m["winrate"] <= 1.0 and 0.0 <= m["prior"] <= 1.0
            assert m["pv"][0] == m["move"] and len(m["pvVisits"]) == len(m["pv"])
            assert m["pvVisits"][0] == m["visits"]
        assert len(a["ownership"]) == 361 and all(-1 <= v <= 1 for v in a["ownership"])
        policy = a["policy"]
        assert len(policy) == 362
    first = next(a for a in answers if a["turnNumber"] == 0)
    q4 = (19 - 4) * 19 + 15  # row-major from the top left: Q4 is row 15, column 15 (no I)
    assert first["policy"][q4] == -1.0  # occupied: illegal
    assert first["ownership"][q4] < 0  # white to move: black's stone is the opponent's


def test_many_positions_share_each_search_call(player: MctsPlayer) -> None:
    engine = engine_for(player, max_visits=64, slice_visits=32, score_playouts=2)
    answers = run(engine, small(analyzeTurns=[0, 1, 2]))
    assert len(answers) == 3
    assert engine.scheduler.batches == 2  # three trees, 64 visits in slices of 32, together


def test_perspective_black_turns_white_to_moves_numbers(player: MctsPlayer) -> None:
    one = [["B", "C3"]]
    side = run(engine_for(player, score_playouts=8), small(moves=one))[0]
    black = run(
        engine_for(player, score_playouts=8),
        small(moves=one, overrideSettings={"reportAnalysisWinratesAs": "BLACK"}),
    )[0]
    assert side["rootInfo"]["currentPlayer"] == "W"
    # The playouts are seeded per position, so the score estimates match exactly, turned.
    assert black["rootInfo"]["scoreLead"] == pytest.approx(-side["rootInfo"]["scoreLead"])
    for m in black["moveInfos"]:
        assert 0.0 <= m["winrate"] <= 1.0


def test_interim_answers_then_exactly_one_final(player: MctsPlayer) -> None:
    engine = engine_for(player, max_visits=400, slice_visits=8, score_playouts=2)
    answers = run(engine, small(reportDuringSearchEvery=0.001))
    assert [a["isDuringSearch"] for a in answers][-1] is False
    assert sum(not a["isDuringSearch"] for a in answers) == 1
    assert any(a["isDuringSearch"] for a in answers)


def test_terminate_during_search_answers_what_it_has(player: MctsPlayer) -> None:
    engine = engine_for(player, max_visits=10**5, slice_visits=16, parallel=1, score_playouts=2)
    assert engine.handle(json.dumps(small("long", analyzeTurns=[0, 1, 2]))) == []
    engine.step()  # turn 0 searching, turns 1 and 2 queued (one at a time)
    ack = engine.handle(json.dumps({"id": "t", "action": "terminate", "terminateId": "long"}))
    assert ack[0] == {"id": "t", "action": "terminate", "terminateId": "long"}
    assert sorted(a["turnNumber"] for a in ack[1:]) == [1, 2]
    assert all(a["noResults"] is True and a["isDuringSearch"] is False for a in ack[1:])
    final = engine.step()
    assert len(final) == 1 and final[0]["turnNumber"] == 0 and not final[0]["isDuringSearch"]
    assert 0 < final[0]["rootInfo"]["visits"] < 10**5
    assert not engine.scheduler.busy


def test_max_time_ends_a_turn_short_of_its_visits(player: MctsPlayer) -> None:
    engine = engine_for(player, slice_visits=8, score_playouts=2)
    # maxTime 0: the time is up after the first slice (KaTrain sends its max_time this way).
    answers = run(engine, small(maxVisits=10**5, overrideSettings={"maxTime": 0}))
    (final,) = answers
    assert final["isDuringSearch"] is False and 0 < final["rootInfo"]["visits"] <= 9
    assert engine.scheduler.batches == 1


def test_avoided_moves_get_no_visits(player: MctsPlayer) -> None:
    avoid = ["A1", "B1", "C1", "D1", "E1", "A5", "B5", "C5", "D5", "E5"]
    query = small(avoidMoves=[{"player": "B", "moves": avoid, "untilDepth": 1}])
    answer = run(engine_for(player, max_visits=200, score_playouts=2), query)[0]
    moves = {m["move"] for m in answer["moveInfos"]}
    assert moves and not moves & set(avoid)
    assert answer["rootInfo"]["visits"] == 200


def test_versions_and_cache_actions_echo(player: MctsPlayer) -> None:
    engine = engine_for(player)
    (version,) = engine.handle('{"id":"v","action":"query_version"}')
    assert version["id"] == "v" and version["version"] and version["git_hash"]
    assert engine.handle('{"id":"c","action":"clear_cache"}') == [
        {"id": "c", "action": "clear_cache"}
    ]


def test_serve_answers_every_line_and_finishes_queued_queries_at_eof(player: MctsPlayer) -> None:
    lines = [
        "not json\n",
        json.dumps(small("a", analyzeTurns=[1, 2], maxVisits=20)) + "\n",
        "\n",
        json.dumps(small("b", boardXSize=7, boardYSize=7, moves=[], extra=1)) + "\n",
    ]
    out = io.StringIO()
    assert serve(engine_for(player, score_playouts=2), lines, out) == 0
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert "error" in answers[0] and "field" not in answers[0]
    assert {"warning": answers[1].get("warning"), "field": "extra", "id": "b"} == answers[1]
    finals = sorted((a["id"], a["turnNumber"]) for a in answers[2:])
    assert finals == [("a", 1), ("a", 2), ("b", 0)]
