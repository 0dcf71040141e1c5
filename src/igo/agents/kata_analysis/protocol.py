"""One input line -> a ``Query`` or an ``Action``, with KataGo's errors and warnings.

Checks and messages follow KataGo's ``cpp/command/analysis.cpp``: a line that is not JSON, not
an object or without a string ``id`` is a general error (``{"error": ...}``); a bad field is an
error naming it (``{"error", "field", "id"}``) and the query is dropped; an unknown field or a
setting igo ignores is a warning (``{"warning", "field", "id"}``) and the query goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from igo.agents.kata_analysis.moves import (
    QueryError,
    moves_of,
    player_of,
    positions,
    root_filters,
    start_position,
)
from igo.agents.kata_analysis.query import (
    PERSPECTIVES,
    Action,
    EngineSettings,
    Parsed,
    Perspective,
    Query,
    Turn,
)
from igo.go.coords import MAX_SIZE, MIN_SIZE, Color
from igo.go.rules import Rules, katago_rules

ACTIONS = ("query_version", "query_models", "clear_cache", "terminate", "terminate_all")
KNOWN_KEYS = frozenset(
    "id action terminateId turnNumbers boardXSize boardYSize initialStones moves initialPlayer "
    "analyzeTurns priorities rules komi whiteHandicapBonus overrideSettings maxVisits "
    "analysisPVLen rootFpuReductionMax rootPolicyTemperature includeMovesOwnership "
    "includeMovesOwnershipStdev includeOwnership includeOwnershipStdev includePolicy "
    "includePVVisits includeNoResultValue reportDuringSearchEvery firstReportDuringSearchAfter "
    "priority allowMoves avoidMoves".split()
)
"""Every field KataGo reads; any other is warned about."""
IGNORED_KEYS = (
    "rootFpuReductionMax",
    "rootPolicyTemperature",
    "includeOwnershipStdev",
    "includeMovesOwnershipStdev",
    "includeNoResultValue",
)
"""Fields KataGo reads that igo checks but does not act on (a warning says so)."""
ACTED_SETTINGS = ("reportAnalysisWinratesAs", "maxTime")
"""The ``overrideSettings`` keys igo acts on; any other is warned about."""
UNUSED = (
    "Unexpected or unused field, do you have a typo? "
    "(set warnUnusedFields=false in the config to disable this warning)"
)
TURNS = "If provided, must be an array of integers indicating turns to terminate"
SizeCheck = Callable[[int], str | None]
"""A board size -> why the player cannot analyse it (None: it can)."""


def parse_line(line: str, settings: EngineSettings, size_check: SizeCheck) -> Parsed:
    """Read one input line (not blank)."""
    line = line.strip()
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as err:
        message = f"{err} - could not parse input line as json request: {line}"
        return Parsed(({"error": message},))
    if not isinstance(data, dict):
        dumped = json.dumps(data, separators=(",", ":"))
        return Parsed(
            ({"error": f"Request line was valid json but was not an object, ignoring: {dumped}"},)
        )
    query_id = data.get("id")
    if not isinstance(query_id, str):
        return Parsed(({"error": 'Request must have a string "id" field'},))
    try:
        if isinstance(data.get("action"), str):
            return Parsed(item=_action(query_id, data))
        warnings: list[dict[str, Any]] = []
        query = _query(query_id, data, settings, size_check, warnings)
        return Parsed(tuple(warnings), query)
    except _General as err:
        return Parsed(({"error": str(err)},))
    except QueryError as err:
        return Parsed(({"error": str(err), "field": err.field, "id": query_id},))


def _action(query_id: str, data: dict[str, Any]) -> Action:
    action = data["action"]
    if action not in ACTIONS:
        names = " or ".join(f"'{name}'" for name in ACTIONS)
        raise _General(f"'action' field must be {names}")
    terminate_id = data.get("terminateId")
    if action == "terminate" and not isinstance(terminate_id, str):
        message = 'Requests for a terminate action must have a string "terminateId" field'
        raise QueryError("terminateId", message)
    turns = None
    if action.startswith("terminate") and "turnNumbers" in data:
        value = data["turnNumbers"]
        if not isinstance(value, list) or not all(_is_int(v) for v in value):
            raise QueryError("turnNumbers", TURNS)
        turns = tuple(value)
    tid = terminate_id if action == "terminate" else None
    return Action(query_id, action, dict(data), tid, turns)


class _General(QueryError):
    """An error KataGo reports without a field (an unknown action)."""

    def __init__(self, message: str) -> None:
        super().__init__("", message)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _integer(data: dict[str, Any], field: str, low: int, high: int, message: str) -> int:
    value = data[field]
    if not _is_int(value) or not low <= value <= high:
        raise QueryError(field, message)
    return int(value)


def _number(data: dict[str, Any], field: str, low: float, high: float, message: str) -> float:
    value = data[field]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QueryError(field, message)
    if not low <= float(value) <= high:  # NaN fails too
        raise QueryError(field, message)
    return float(value)


def _boolean(data: dict[str, Any], field: str) -> bool:
    if field not in data:
        return False
    if not isinstance(data[field], bool):
        raise QueryError(field, "Must be a boolean")
    return bool(data[field])


def _size(data: dict[str, Any], size_check: SizeCheck) -> int:
    message = f"Must provide an integer from {MIN_SIZE} to {MAX_SIZE}"
    for field in ("boardXSize", "boardYSize"):
        if field not in data:
            raise QueryError(field, message)
    width = _integer(data, "boardXSize", MIN_SIZE, MAX_SIZE, message)
    height = _integer(data, "boardYSize", MIN_SIZE, MAX_SIZE, message)
    if width != height:
        raise QueryError(
            "boardYSize", "igo plays square boards only: boardYSize must equal boardXSize"
        )
    why = size_check(width)
    if why is not None:
        raise QueryError("boardXSize", why)
    return width


def _rules(data: dict[str, Any]) -> Rules:
    message = (
        'Must specify rules string, such as "chinese" or "tromp-taylor", or a JSON object '
        "with detailed rules parameters."
    )
    value = data.get("rules")
    if not isinstance(value, str | dict):
        raise QueryError("rules", message)
    try:
        rules = katago_rules(value, 7.5)
    except ValueError:
        shown = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        raise QueryError("rules", f"Could not parse rules: {shown}") from None
    if isinstance(value, dict) and "komi" in value:
        return rules
    # KataGo's default komi when none is given: 7.5 for area scoring, 6.5 for territory.
    return rules.with_komi(7.5 if rules.scoring == "area" else 6.5)


def _komi(data: dict[str, Any], rules: Rules) -> Rules:
    if "whiteHandicapBonus" in data:
        bonus = data["whiteHandicapBonus"]
        if not isinstance(bonus, str) or bonus not in ("0", "N", "N-1"):
            raise QueryError("whiteHandicapBonus", "Must be a string: 0, N or N-1")
        rules = Rules(rules.ko, rules.multi_stone_suicide, rules.scoring, rules.komi, bonus)  # type: ignore[arg-type]
    if "komi" not in data:
        return rules
    message = "Must be a integer or half-integer from -400.0 to 400.0"
    komi = _number(data, "komi", -400.0, 400.0, message)
    if (2 * komi) % 1 != 0:
        raise QueryError("komi", message)
    return rules.with_komi(komi)


def _query(
    query_id: str,
    data: dict[str, Any],
    settings: EngineSettings,
    size_check: SizeCheck,
    warnings: list[dict[str, Any]],
) -> Query:
    """The fields in KataGo's order (its first error is the one reported)."""

    def warn(field: str, message: str) -> None:
        warnings.append({"warning": message, "field": field, "id": query_id})

    size = _size(data, size_check)
    stones = (
        moves_of(data["initialStones"], size, "initialStones", False)
        if "initialStones" in data
        else []
    )
    if "moves" not in data:
        raise QueryError("moves", "Must specify an array of [player,location] pairs")
    moves = moves_of(data["moves"], size, "moves", True)
    first = player_of(data["initialPlayer"], "initialPlayer") if "initialPlayer" in data else None
    if first is None and moves:
        first = moves[0][0]
    wanted = _turns(data, len(moves))
    priorities = _priorities(data, wanted)
    rules = _komi(data, _rules(data))
    perspective, max_time = _overrides(data, settings, warn)
    max_visits = settings.max_visits
    if "maxVisits" in data:
        max_visits = _integer(data, "maxVisits", 1, 1 << 50, "Must be an integer from 1 to 2^50")
        if max_visits > settings.max_visits_cap:
            cap = settings.max_visits_cap
            warn("maxVisits", f"igo searches at most {cap} visits a position: capped to {cap}")
            max_visits = cap
    pv_length = settings.pv_length
    if "analysisPVLen" in data:
        pv_length = _integer(data, "analysisPVLen", 1, 1000, "Must be an integer from 1 to 1000")
    flags = _flags(data, warn)
    every, first_after = _reports(data)
    filters = _filters(data, size, warn)
    for key in data:
        if key not in KNOWN_KEYS:
            warn(key, UNUSED)
    start = start_position(size, rules, stones, first)
    turns = tuple(
        Turn(number, state, filters.get(state.to_play), priorities.get(number, 0))
        for number, state in positions(start, moves, set(wanted))
    )
    return Query(
        query_id, turns, max_visits, perspective, pv_length, *flags, every, first_after, max_time
    )


def _turns(data: dict[str, Any], num_moves: int) -> list[int]:
    if "analyzeTurns" not in data:
        return [num_moves]
    value = data["analyzeTurns"]
    message = "Must specify an array of integers indicating turns to analyze"
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise QueryError("analyzeTurns", message)
    for turn in value:
        if not 0 <= turn <= num_moves:
            raise QueryError("analyzeTurns", f"Invalid turn number: {turn}")
    return list(value)


def _priorities(data: dict[str, Any], turns: list[int]) -> dict[int, int]:
    limit = (1 << 62) - 1
    if "priority" in data:
        if "priorities" in data:
            raise QueryError("priority", "Cannot specify both priority and priorities")
        priority = _integer(
            data, "priority", -limit, limit, "Must be a number between -2^62 and 2^62"
        )
        return {turn: priority for turn in turns}
    if "priorities" not in data:
        return {}
    value = data["priorities"]
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise QueryError("priorities", "Must specify an array of integers indicating priorities")
    if "analyzeTurns" not in data:
        raise QueryError("priorities", "Can only specify when also specifying analyzeTurns")
    if len(value) != len(turns):
        raise QueryError("priorities", "Must be of matching length to analyzeTurns")
    for priority in value:
        if not -limit <= priority <= limit:
            raise QueryError("priorities", f"Invalid priority: {priority}")
    return dict(zip(turns, value, strict=True))


def _overrides(
    data: dict[str, Any], settings: EngineSettings, warn: Callable[[str, str], None]
) -> tuple[Perspective, float | None]:
    """``overrideSettings``: igo acts on ``reportAnalysisWinratesAs`` and ``maxTime`` (seconds
    a turn may search; KaTrain sends both) and warns about the rest."""
    if "overrideSettings" not in data:
        return settings.perspective, None
    value = data["overrideSettings"]
    if not isinstance(value, dict):
        raise QueryError("overrideSettings", "Must be an object")
    perspective = settings.perspective
    max_time = None
    if "maxTime" in value:
        message = "Could not set settings: maxTime must be a number of seconds from 0 to 1e20"
        try:
            max_time = _number(value, "maxTime", 0.0, 1e20, message)
        except QueryError:  # the query's field is overrideSettings
            raise QueryError("overrideSettings", message) from None
    if "reportAnalysisWinratesAs" in value:
        word = str(value["reportAnalysisWinratesAs"]).upper()
        word = {"B": "BLACK", "W": "WHITE"}.get(word, word)
        if word not in PERSPECTIVES:
            message = (
                "Could not set settings: reportAnalysisWinratesAs must be BLACK, WHITE or "
                "SIDETOMOVE"
            )
            raise QueryError("overrideSettings", message)
        perspective = word
    others = sorted(key for key in value if key not in ACTED_SETTINGS)
    if others:
        warn(
            "overrideSettings",
            f"Unknown config params: {','.join(others)} "
            f"(igo acts on {' and '.join(ACTED_SETTINGS)} only)",
        )
    return perspective, max_time


def _flags(data: dict[str, Any], warn: Callable[[str, str], None]) -> tuple[bool, bool, bool, bool]:
    """(includeOwnership, includeMovesOwnership, includePolicy, includePVVisits), after
    checking the fields igo ignores."""
    for field in IGNORED_KEYS:
        if field not in data:
            continue
        if field.startswith("root"):
            low, high = (0.0, 2.0) if field == "rootFpuReductionMax" else (0.01, 100.0)
            _number(data, field, low, high, f"Must be a number from {low} to {high}")
        elif _boolean(data, field) is False:
            continue
        warn(field, "not supported by igo; ignored")
    names = ("includeOwnership", "includeMovesOwnership", "includePolicy", "includePVVisits")
    own, moves_own, policy, pv_visits = (_boolean(data, name) for name in names)
    return own, moves_own, policy, pv_visits


def _reports(data: dict[str, Any]) -> tuple[float | None, float | None]:
    message = "Must be number of seconds from 0.001 to 1000000.0"
    every = first = None
    if "reportDuringSearchEvery" in data:
        every = _number(data, "reportDuringSearchEvery", 0.001, 1e6, message)
    if "firstReportDuringSearchAfter" in data:
        first = _number(data, "firstReportDuringSearchAfter", 0.001, 1e6, message)
    return every, first


def _filters(data: dict[str, Any], size: int, warn: Callable[[str, str], None]) -> dict[Color, Any]:
    has_allow, has_avoid = "allowMoves" in data, "avoidMoves" in data
    if has_allow and has_avoid:
        raise QueryError("allowMoves", "Cannot specify both allowMoves and avoidMoves")
    if not (has_allow or has_avoid):
        return {}
    field = "allowMoves" if has_allow else "avoidMoves"
    masks, deeper = root_filters(data[field], field, size)
    if deeper:
        warn(field, "igo applies it at the root only (as untilDepth 1)")
    return masks
