"""KataGo's analysis queries read line by line: its documented example, every field, and bad
queries of every kind answered as KataGo answers them (no search runs here)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from igo.agents.kata_analysis.protocol import UNUSED, parse_line
from igo.agents.kata_analysis.query import Action, EngineSettings, Query
from igo.go.coords import Color, from_gtp

SETTINGS = EngineSettings(max_visits=50, max_visits_cap=1000)
DOC_EXAMPLE = {
    "id": "foo",
    "initialStones": [["B", "Q4"], ["B", "C4"]],
    "moves": [["W", "P5"], ["B", "P6"]],
    "rules": "tromp-taylor",
    "komi": 7.5,
    "boardXSize": 19,
    "boardYSize": 19,
    "analyzeTurns": [0, 1, 2],
}


def any_size(size: int) -> str | None:
    return None


def parse(data: object, size_check=any_size):  # type: ignore[no-untyped-def]
    line = data if isinstance(data, str) else json.dumps(data)
    return parse_line(line, SETTINGS, size_check)


def query(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "q",
        "moves": [],
        "rules": "chinese",
        "komi": 7.5,
        "boardXSize": 9,
        "boardYSize": 9,
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def error_of(data: object) -> dict[str, object]:
    parsed = parse(data)
    assert parsed.item is None
    (message,) = parsed.messages
    assert "error" in message
    return message


def test_documented_example_gives_three_turns() -> None:
    parsed = parse(DOC_EXAMPLE)
    assert parsed.messages == ()
    q = parsed.item
    assert isinstance(q, Query)
    assert [t.number for t in q.turns] == [0, 1, 2]
    first = q.turns[0].state
    # initialStones are handicap-like, so white would be first; the moves say white first too.
    assert first.to_play == Color.WHITE
    assert first.color_at(from_gtp("Q4", 19)) == Color.BLACK
    assert q.turns[1].state.color_at(from_gtp("P5", 19)) == Color.WHITE
    assert q.turns[2].state.to_play == Color.WHITE
    assert q.max_visits == SETTINGS.max_visits
    assert q.turns[0].state.rules.ko == "positional"


def test_defaults_analyse_the_last_turn() -> None:
    q = parse(query(moves=[["B", "E5"], ["W", "pass"]])).item
    assert isinstance(q, Query)
    assert [t.number for t in q.turns] == [2]
    assert q.perspective == "SIDETOMOVE"


@pytest.mark.parametrize(
    ("line", "text"),
    [
        ("{not json", "could not parse input line as json request"),
        ("[1, 2]", "Request line was valid json but was not an object"),
        ('{"moves": []}', 'Request must have a string "id" field'),
        ('{"id": 3}', 'Request must have a string "id" field'),
        ('{"id": "a", "action": "dance"}', "'action' field must be"),
    ],
)
def test_general_errors_have_no_field(line: str, text: str) -> None:
    message = error_of(line)
    assert text in str(message["error"])
    assert "field" not in message


@pytest.mark.parametrize(
    ("fields", "field", "text"),
    [
        ({"boardXSize": None}, "boardXSize", "Must provide an integer from 2 to 25"),
        ({"boardXSize": 40, "boardYSize": 40}, "boardXSize", "from 2 to 25"),
        ({"boardYSize": 13}, "boardYSize", "square boards only"),
        ({"moves": None}, "moves", "Must specify an array"),
        ({"moves": [["B", "E5"], ["W", "E5"]]}, "moves", "Illegal move 1: E5"),
        ({"moves": [["B", "Z9"]]}, "moves", "Could not parse board location: Z9"),
        ({"moves": [["X", "E5"]]}, "moves", "Could not parse player: X"),
        ({"moves": [["B"]]}, "moves", "Must be an array of pairs"),
        ({"initialStones": [["B", "pass"]]}, "initialStones", "Could not parse board location"),
        ({"initialPlayer": "red"}, "initialPlayer", 'Must be "b" or "w"'),
        ({"analyzeTurns": [3]}, "analyzeTurns", "Invalid turn number: 3"),
        ({"analyzeTurns": "all"}, "analyzeTurns", "Must specify an array of integers"),
        ({"rules": None}, "rules", "Must specify rules string"),
        ({"rules": "martian"}, "rules", "Could not parse rules: martian"),
        ({"komi": 7.3}, "komi", "integer or half-integer"),
        ({"komi": 1000}, "komi", "from -400.0 to 400.0"),
        ({"maxVisits": 0}, "maxVisits", "Must be an integer from 1 to 2^50"),
        ({"maxVisits": 1 << 51}, "maxVisits", "Must be an integer from 1 to 2^50"),
        ({"maxVisits": "many"}, "maxVisits", "Must be an integer from 1 to 2^50"),
        ({"includeOwnership": "yes"}, "includeOwnership", "Must be a boolean"),
        ({"reportDuringSearchEvery": 0}, "reportDuringSearchEvery", "Must be number of seconds"),
        ({"priority": 1, "priorities": [1]}, "priority", "Cannot specify both"),
        ({"priorities": [1, 2]}, "priorities", "Can only specify when also specifying"),
        ({"overrideSettings": 3}, "overrideSettings", "Must be an object"),
        ({"allowMoves": [], "avoidMoves": []}, "allowMoves", "Cannot specify both"),
        ({"avoidMoves": [{"player": "B"}]}, "avoidMoves", "subfields 'player', 'moves'"),
        (
            {"avoidMoves": [{"player": "B", "moves": ["E5"], "untilDepth": 0}]},
            "untilDepth",
            "Must be a positive integer",
        ),
    ],
)
def test_field_errors_name_the_field_and_id(
    fields: dict[str, object], field: str, text: str
) -> None:
    message = error_of(query(**fields))
    assert message["field"] == field
    assert message["id"] == "q"
    assert text in str(message["error"])


def test_unknown_keys_and_ignored_settings_warn_but_the_query_goes_on() -> None:
    parsed = parse(
        query(maxVisit=10, includeOwnershipStdev=True, overrideSettings={"cpuctExploration": 2})
    )
    assert isinstance(parsed.item, Query)
    warned = {m["field"]: m["warning"] for m in parsed.messages}
    assert warned["maxVisit"] == UNUSED
    assert "includeOwnershipStdev" in warned
    assert "cpuctExploration" in str(warned["overrideSettings"])
    assert all(m["id"] == "q" for m in parsed.messages)


def test_katrains_settings_max_time_is_read_the_rest_warned() -> None:
    settings = {"reportAnalysisWinratesAs": "BLACK", "wideRootNoise": 0.04, "maxTime": 8.0}
    parsed = parse(query(overrideSettings=settings))  # what KaTrain sends with every query
    assert isinstance(parsed.item, Query)
    assert parsed.item.max_time == 8.0 and parsed.item.perspective == "BLACK"
    (warning,) = parsed.messages
    assert warning["field"] == "overrideSettings"
    assert "wideRootNoise" in str(warning["warning"]) and "maxTime," not in str(warning["warning"])
    no_limit = parse(query()).item
    assert isinstance(no_limit, Query) and no_limit.max_time is None


@pytest.mark.parametrize("bad", [-1, "8", True, float("nan")])
def test_a_bad_max_time_is_an_error(bad: object) -> None:
    message = error_of(query(overrideSettings={"maxTime": bad}))
    assert message["field"] == "overrideSettings" and "maxTime" in str(message["error"])


@pytest.mark.parametrize(
    ("name", "scoring"),
    [  # KaTrain's rule names (its BaseEngine.RULESETS), as KataGo reads them
        ("japanese", "territory"),
        ("chinese", "area"),
        ("korean", "territory"),
        ("aga", "area"),
        ("tromp-taylor", "area"),
        ("new zealand", "area"),
        ("stone_scoring", "area"),
    ],
)
def test_katrains_rule_names_are_read(name: str, scoring: str) -> None:
    parsed = parse(query(rules=name))
    assert isinstance(parsed.item, Query) and parsed.messages == ()
    assert parsed.item.turns[0].state.rules.scoring == scoring


def test_huge_visit_counts_are_capped_with_a_warning() -> None:
    parsed = parse(query(maxVisits=10**9))
    assert isinstance(parsed.item, Query)
    assert parsed.item.max_visits == SETTINGS.max_visits_cap
    (warning,) = parsed.messages
    assert warning["field"] == "maxVisits" and "capped" in str(warning["warning"])


def test_a_size_the_player_cannot_play_is_an_error() -> None:
    def only_five(size: int) -> str | None:
        return None if size == 5 else "plays 5x5 only"

    parsed = parse(query(), only_five)
    assert parsed.item is None
    assert parsed.messages[0]["field"] == "boardXSize"
    assert parsed.messages[0]["error"] == "plays 5x5 only"


def test_avoid_and_allow_moves_filter_the_root_of_the_side_to_move() -> None:
    avoid = [{"player": "B", "moves": ["E5", "pass"], "untilDepth": 1}]
    q = parse(query(avoidMoves=avoid)).item
    assert isinstance(q, Query)
    allowed = q.turns[0].allowed
    assert allowed is not None and not allowed[from_gtp("E5", 9)] and not allowed[81]
    assert allowed.sum() == 80
    allow = [{"player": "W", "moves": ["C3"], "untilDepth": 3}]
    parsed = parse(query(allowMoves=allow))
    assert isinstance(parsed.item, Query)
    assert parsed.item.turns[0].allowed is None  # black to move: white's filter is not its
    assert "root only" in str(parsed.messages[0]["warning"])
    q = parse(query(moves=[["B", "E5"]], allowMoves=allow)).item
    assert isinstance(q, Query)
    mask = q.turns[0].allowed
    assert mask is not None and np.flatnonzero(mask).tolist() == [from_gtp("C3", 9)]


def test_settings_fields_are_read() -> None:
    q = parse(
        query(
            moves=[["B", "E5"]],
            analyzeTurns=[0, 1],
            priorities=[3, 7],
            includeOwnership=True,
            includePolicy=True,
            includePVVisits=True,
            includeMovesOwnership=True,
            reportDuringSearchEvery=0.5,
            analysisPVLen=4,
            overrideSettings={"reportAnalysisWinratesAs": "BLACK"},
            rules={"ko": "SITUATIONAL", "scoring": "TERRITORY", "suicide": False},
            komi=6.5,
        )
    ).item
    assert isinstance(q, Query)
    assert [t.priority for t in q.turns] == [3, 7]
    assert q.include_ownership and q.include_policy and q.include_pv_visits
    assert q.include_moves_ownership and q.report_every == 0.5 and q.pv_length == 4
    assert q.perspective == "BLACK"
    rules = q.turns[0].state.rules
    assert (rules.ko, rules.scoring, rules.komi) == ("situational", "territory", 6.5)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        ({"id": "v", "action": "query_version"}, "query_version"),
        ({"id": "c", "action": "clear_cache"}, "clear_cache"),
        ({"id": "t", "action": "terminate", "terminateId": "q", "turnNumbers": [1]}, "terminate"),
        ({"id": "t", "action": "terminate_all"}, "terminate_all"),
    ],
)
def test_actions(data: dict[str, object], kind: str) -> None:
    action = parse(data).item
    assert isinstance(action, Action) and action.action == kind and action.echo == data


def test_terminate_needs_its_id_and_integer_turns() -> None:
    message = error_of({"id": "t", "action": "terminate"})
    assert message["field"] == "terminateId"
    message = error_of({"id": "t", "action": "terminate_all", "turnNumbers": ["x"]})
    assert message["field"] == "turnNumbers"
