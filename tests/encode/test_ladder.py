"""Ladder planes on ASCII boards, and every compiled move feature against a pure-Python reference
built only on ``GameState`` (copy, play, liberties) over random positions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from igo.encode import alphago as ag
from igo.encode.alphago import encode_alphago
from igo.go.coords import Color, Point
from igo.go.rules import PRESETS
from igo.go.state import GameState

BoardFactory = Callable[..., GameState]
RandomGame = Callable[..., GameState]

LADDER = """
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . X X . . . .
    . . X O . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
"""


def _with(text: str, row: int, col: int, stone: str) -> str:
    rows = [line.split() for line in text.strip().splitlines()]
    rows[row][col] = stone
    return "\n".join(" ".join(r) for r in rows)


def _ladder_19(breaker: bool, atari: bool) -> str:
    """The LADDER shape in the top-left of a 19x19 board; the ladder runs to the far corner."""
    rows = [["."] * 19 for _ in range(19)]
    for row, col, stone in ((3, 3, "X"), (3, 4, "X"), (4, 2, "X"), (4, 3, "O")):
        rows[row][col] = stone
    if atari:
        rows[5][3] = "X"
    if breaker:
        rows[16][16] = "O"
    return "\n".join(" ".join(r) for r in rows)


def test_ladder_capture_works(board_from_ascii: BoardFactory) -> None:
    planes = encode_alphago(board_from_ascii(LADDER))
    # D4 drives white towards the empty lower right, where the edge stops it; E5 lets it out.
    assert planes[ag.LADDER_CAPTURE, 5, 3] == 1
    assert planes[ag.LADDER_CAPTURE].sum() == 1


def test_ladder_breaker_stops_the_capture(board_from_ascii: BoardFactory) -> None:
    planes = encode_alphago(board_from_ascii(_with(LADDER, 6, 6, "O")))
    assert planes[ag.LADDER_CAPTURE].sum() == 0


def test_ladder_escape_fails_without_a_breaker(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(_with(LADDER, 5, 3, "X"), to_play=Color.WHITE)
    planes = encode_alphago(state)
    assert planes[ag.LADDER_ESCAPE].sum() == 0
    assert planes[ag.SENSIBLENESS, 4, 4] == 1  # running is legal, just hopeless


def test_ladder_escape_works_with_a_breaker(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(_with(_with(LADDER, 5, 3, "X"), 6, 6, "O"), to_play=Color.WHITE)
    planes = encode_alphago(state)
    assert planes[ag.LADDER_ESCAPE, 4, 4] == 1
    assert planes[ag.LADDER_ESCAPE].sum() == 1


def test_ladder_escape_by_capturing(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(
        """
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . X X . . . .
        . . X O . . . . .
        . . O X . . . . .
        . . . O . . . . .
        . . . . . . . . .
        . . . . . . . . .
    """,
        to_play=Color.WHITE,
    )
    planes = encode_alphago(state)
    assert planes[ag.LADDER_ESCAPE, 5, 4] == 1  # taking D4 frees the white stone
    assert planes[ag.CAPTURE_SIZE + 1, 5, 4] == 1


@pytest.mark.parametrize("breaker", [False, True])
def test_long_ladder_across_a_19x19_board(board_from_ascii: BoardFactory, breaker: bool) -> None:
    capture = encode_alphago(board_from_ascii(_ladder_19(breaker, atari=False)))
    assert capture[ag.LADDER_CAPTURE, 5, 3] == (not breaker)
    escape = encode_alphago(board_from_ascii(_ladder_19(breaker, atari=True), to_play=Color.WHITE))
    assert escape[ag.LADDER_ESCAPE, 4, 4] == breaker


# ----- a slow, independent reference -----


def _string(state: GameState, point: Point) -> set[int]:
    stones = state.stones()
    nbr = state.geometry.neighbours
    seen, todo = {point}, [point]
    while todo:
        for q in nbr[todo.pop()]:
            if q >= 0 and stones[q] == stones[point] and int(q) not in seen:
                seen.add(int(q))
                todo.append(int(q))
    return seen


def _liberties(state: GameState, point: Point) -> set[int]:
    stones, nbr = state.stones(), state.geometry.neighbours
    return {int(q) for r in _string(state, point) for q in nbr[r] if q >= 0 and stones[q] == 0}


def _answers(state: GameState, prey: Point) -> list[int]:
    """The prey's last liberty, then the liberty of each adjacent opponent string in atari."""
    stones, nbr = state.stones(), state.geometry.neighbours
    answers = sorted(_liberties(state, prey))
    for r in _string(state, prey):
        for q in nbr[r]:
            if q >= 0 and stones[q] == 3 - stones[prey]:
                libs = _liberties(state, int(q))
                if len(libs) == 1 and next(iter(libs)) not in answers:
                    answers.append(next(iter(libs)))
    return answers


def _escapes(state: GameState, prey: Point, only: int | None = None) -> bool:
    defender = state.color_at(prey)
    for move in _answers(state, prey):
        if (only is not None and move != only) or not state.is_legal(move, defender):
            continue
        after = state.copy()
        after.play(move, defender)
        if after.color_at(prey) == Color.EMPTY:  # a suicide (where legal) saves nothing
            continue
        libs = _liberties(after, prey)
        if len(libs) >= 3 or (len(libs) == 2 and not any(_catches(after, prey, x) for x in libs)):
            return True
    return False


def _catches(state: GameState, prey: Point, move: int) -> bool:
    attacker = state.color_at(prey).opponent
    if not state.is_legal(move, attacker):
        return False
    after = state.copy()
    after.play(move, attacker)
    return len(_liberties(after, prey)) == 1 and not _escapes(after, prey)


def _reference(state: GameState) -> dict[int, np.ndarray]:
    """Planes 12-46 by brute force: play every legal move on a copy and look."""
    n, color = state.num_points, state.to_play
    out = np.zeros((ag.NUM_PLANES, n), dtype=np.float32)
    legal = state.legal_mask()[:n]
    stones = state.stones()
    for p in range(n):
        if stones[p]:
            out[ag.LIBERTIES + min(len(_liberties(state, p)), 8) - 1, p] = 1
            if stones[p] == color and len(_liberties(state, p)) == 1:
                for m in _answers(state, p):
                    out[ag.LADDER_ESCAPE, m] += legal[m] and _escapes(state, p, only=m)
            elif stones[p] != color and len(_liberties(state, p)) == 2:
                for m in _liberties(state, p):
                    out[ag.LADDER_CAPTURE, m] += legal[m] and _catches(state, p, m)
        if not legal[p]:
            continue
        after = state.copy()
        before, lost_before = after.captures(color), after.captures(color.opponent)
        after.play(p)
        out[ag.CAPTURE_SIZE + min(after.captures(color) - before, 7), p] = 1
        if after.color_at(p) == Color.EMPTY:  # a multi-stone suicide took its own string off
            libs, size = 0, after.captures(color.opponent) - lost_before
        else:
            libs, size = len(_liberties(after, p)), len(_string(after, p))
        if libs <= 1:
            out[ag.SELF_ATARI_SIZE + min(size, 8) - 1, p] = 1
        if libs:
            out[ag.LIBERTIES_AFTER + min(libs, 8) - 1, p] = 1
        out[ag.SENSIBLENESS, p] = not state.is_eye(p, color)
    ladders = slice(ag.LADDER_CAPTURE, ag.LADDER_ESCAPE + 1)
    out[ladders] = out[ladders] > 0
    return {plane: out[plane] for plane in range(ag.LIBERTIES, ag.SENSIBLENESS + 1)}


@pytest.mark.parametrize(
    ("size", "num_moves", "seed", "rules"),
    [(9, m, s, "chinese") for m in (20, 45, 70) for s in range(6)]
    + [(9, 40, s, "tromp-taylor") for s in range(4)]  # multi-stone suicide, positional superko
    + [(13, 90, 0, "chinese"), (13, 150, 1, "tromp-taylor")],
)
def test_matches_the_reference_on_random_positions(
    random_game: RandomGame, size: int, num_moves: int, seed: int, rules: str
) -> None:
    state = random_game(size, num_moves, seed, rules=PRESETS[rules])
    planes = encode_alphago(state).reshape(ag.NUM_PLANES, -1)
    for plane, expected in _reference(state).items():
        assert np.array_equal(planes[plane], expected), ag.PLANE_NAMES[plane]
