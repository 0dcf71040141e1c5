"""Game records as the page draws them (a board per move) and as analysis queries.

A board is a string of ``size * size`` characters, row-major from the top-left point (A19 on
19x19, the analysis engine's order): ``.`` empty, ``b`` black, ``w`` white. The page replays
nothing itself: the rules engine made every board.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from igo.go.coords import Color, to_gtp
from igo.go.rules import rules_name
from igo.go.state import GameState
from igo.io.sgf import GameRecord, replay

_CHARS = {0: ".", 1: "b", 2: "w"}


def board_text(state: GameState) -> str:
    """The stones of ``state``, top row first (see the module docstring)."""
    return "".join(_CHARS[int(stone)] for stone in state.stones())  # flat order is row-major


def _letter(color: Color) -> str:
    return "B" if color == Color.BLACK else "W"


def record_boards(record: GameRecord) -> list[str]:
    """The board before the first move and after each move.

    Raises:
        SgfError: a setup or a move is illegal (``replay``'s message, with the move's number).
    """
    replay(record)  # the rules engine's verdict on the whole record first, with its message
    state = replay(replace(record, moves=(), comments=(), rule_changes=()))
    boards = [board_text(state)]
    for color, point in record.moves:
        if state.consecutive_passes >= 2:
            state.resume()  # play went on after two passes, as ``replay`` allows
        state.play(point, color)
        boards.append(board_text(state))
    return boards


def record_view(record: GameRecord, name: str) -> dict[str, Any]:
    """A record for the page: its game info, moves, comments and every board."""
    size = record.size
    meta = record.metadata
    return {
        "name": name,
        "size": size,
        "komi": record.komi,
        "black": meta.get("PB", "Black"),
        "white": meta.get("PW", "White"),
        "result": None if record.result is None else record.result.to_sgf(),
        "moves": [[_letter(c), to_gtp(p, size)] for c, p in record.moves],
        "comments": list(record.comments),
        "boards": record_boards(record),
    }


def record_query(
    record: GameRecord, visits: int, turns: list[int] | None = None, every: float = 0.5
) -> dict[str, Any]:
    """The analysis query of ``turns`` of ``record`` (None: every position), in KataGo's form:
    black's view, with the policy, and interim answers every ``every`` seconds."""
    size = record.size
    start = replay(replace(record, moves=(), comments=(), rule_changes=()))
    stones = start.stones()
    initial = [
        [_letter(Color(int(stones[p]))), to_gtp(p, size)]
        for p in range(size * size)
        if stones[p] != Color.EMPTY
    ]
    return {
        "moves": [[_letter(c), to_gtp(p, size)] for c, p in record.moves],
        "initialStones": initial,
        "initialPlayer": _letter(start.to_play),
        "rules": rules_name(record.rules) or "chinese",
        "komi": record.komi,
        "boardXSize": size,
        "boardYSize": size,
        "analyzeTurns": list(range(len(record.moves) + 1)) if turns is None else turns,
        "maxVisits": visits,
        "includePolicy": True,
        "reportDuringSearchEvery": every,
        "overrideSettings": {"reportAnalysisWinratesAs": "BLACK"},
    }
