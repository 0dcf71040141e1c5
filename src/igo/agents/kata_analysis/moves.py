"""The positions of an analysis query: its stones, its moves and the turns to analyse, and the
root move filters of ``avoidMoves`` / ``allowMoves``; KataGo's error messages word for word."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from igo.go.coords import Color, Point, from_gtp, to_gtp
from igo.go.errors import IllegalMove
from igo.go.rules import Rules
from igo.go.state import GameState

PAIRS = 'Must be an array of pairs of the form: ["b" or "w", GTP board vertex]'
MOVE_LISTS = "Must be a list of dicts with subfields 'player', 'moves', 'untilDepth'"


class QueryError(ValueError):
    """A query KataGo would refuse: its message and the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def player_of(value: object, field: str) -> Color:
    """``"B"`` / ``"W"`` (any case, or black / white)."""
    if isinstance(value, str) and value.strip().lower() in ("b", "black", "w", "white"):
        return Color.BLACK if value.strip().lower().startswith("b") else Color.WHITE
    raise QueryError(field, 'Must be "b" or "w"')


def point_of(value: object, size: int, field: str, allow_pass: bool) -> Point:
    """A GTP vertex (or ``pass`` where allowed) as a flat point."""
    if not isinstance(value, str):
        raise QueryError(field, "Must be an array of GTP board vertices")
    try:
        point = from_gtp(value, size)
    except ValueError:
        point = -1
    if point < 0 or (point == size * size and not allow_pass):
        raise QueryError(field, f"Could not parse board location: {value}")
    return point


def moves_of(value: object, size: int, field: str, allow_pass: bool) -> list[tuple[Color, Point]]:
    """``[["B", "D4"], ...]`` as (colour, point) pairs."""
    if not isinstance(value, list):
        raise QueryError(field, PAIRS)
    out = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2):
            raise QueryError(field, PAIRS)
        if not all(isinstance(word, str) for word in pair):
            raise QueryError(field, PAIRS)
        if pair[0].strip().lower() not in ("b", "black", "w", "white"):
            raise QueryError(field, f"Could not parse player: {pair[0]}")
        out.append((player_of(pair[0], field), point_of(pair[1], size, field, allow_pass)))
    return out


def start_position(
    size: int, rules: Rules, stones: Sequence[tuple[Color, Point]], first: Color | None
) -> GameState:
    """The board before turn 0: ``stones`` placed, ``first`` to play (default: black, white
    after handicap-like black stones, as KataGo guesses)."""
    state = GameState.new(size, rules)
    black = [p for c, p in stones if c == Color.BLACK]
    white = [p for c, p in stones if c == Color.WHITE]
    if first is None:
        first = Color.WHITE if len(black) > 1 and not white else Color.BLACK
    handicap = len(black) if len(black) > 1 and not white else 0
    try:
        state.setup(black, white, to_play=first, num_handicap=handicap)
    except IllegalMove as err:
        raise QueryError("initialStones", f"Illegal initial stones: {err}") from None
    return state


def positions(
    start: GameState, moves: Sequence[tuple[Color, Point]], wanted: set[int]
) -> list[tuple[int, GameState]]:
    """(turn, position) for each ``wanted`` turn, by playing ``moves`` from ``start``; a game
    ended by two passes is resumed, so its position can still be analysed."""
    state, out = start.copy(), []
    for turn in range(len(moves) + 1):
        if turn in wanted:
            here = state.copy()
            if here.is_over():
                here.resume()
            out.append((turn, here))
        if turn == len(moves):
            break
        color, point = moves[turn]
        if state.is_over():
            state.resume()
        try:
            state.play(point, color)
        except IllegalMove:
            vertex = to_gtp(point, start.size)
            raise QueryError("moves", f"Illegal move {turn}: {vertex}") from None
    return out


def root_filters(value: object, field: str, size: int) -> tuple[dict[Color, np.ndarray], bool]:
    """``avoidMoves`` / ``allowMoves``: per player, bool [A] of the root moves searched; and
    whether some entry reaches deeper than the root (igo filters the root only)."""
    allow = field == "allowMoves"
    if not isinstance(value, list) or (allow and len(value) > 2):
        message = (
            MOVE_LISTS
            if not isinstance(value, list)
            else ("Currently allowMoves only allows at most one entry per player")
        )
        raise QueryError(field, message)
    masks: dict[Color, np.ndarray] = {}
    deeper = False
    for entry in value:
        if not isinstance(entry, dict) or not {"player", "moves", "untilDepth"} <= entry.keys():
            raise QueryError(field, MOVE_LISTS)
        color = player_of(entry["player"], "player")
        if not isinstance(entry["moves"], list):
            raise QueryError("moves", "Must be an array of GTP board vertices")
        points = [point_of(v, size, "moves", True) for v in entry["moves"]]
        depth = entry["untilDepth"]
        if isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= 10**9:
            raise QueryError("untilDepth", "Must be a positive integer")
        deeper |= depth > 1
        if allow and color in masks:
            raise QueryError(field, "Cannot specify allowMoves more than once for the same player")
        mask = masks.setdefault(color, np.full(size * size + 1, not allow))
        mask[points] = allow
    return masks, deeper
