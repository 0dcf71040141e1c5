"""Counting finished games: area vs territory, dead stones (given and estimated), komi, handicap."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from igo.go.coords import Color, from_gtp
from igo.go.result import GameResult
from igo.go.rules import PRESETS, Rules
from igo.go.scoring import (
    area_score,
    final_score,
    final_status,
    game_result,
    passing_loses,
    stone_strings,
    territory_score,
    tromp_taylor_score,
)
from igo.go.state import GameState

BoardFactory = Callable[..., GameState]

# Black owns the three left columns, white the two right ones; one dead stone in each area:
# white B4 and black G5. With them removed, black has 7 stones + 21 points, white 7 + 14.
FINISHED = """
    . . . X O . .
    . . . X O . .
    . . . X O . X
    . O . X O . .
    . . . X O . .
    . . . X O . .
    . . . X O . .
"""
DEAD = ("B4", "G5")


def _dead_mask(state: GameState, vertices: tuple[str, ...] = DEAD) -> np.ndarray:
    dead = np.zeros(state.num_points, dtype=bool)
    dead[[from_gtp(v, state.size) for v in vertices]] = True
    return dead


def _play(state: GameState, moves: str) -> None:
    for vertex in moves.split():
        state.play(from_gtp(vertex, state.size))


@pytest.mark.parametrize(
    ("name", "komi", "black", "white", "text"),
    [
        ("chinese", 7.5, 28, 28.5, "W+0.5"),
        ("chinese", 6.5, 28, 27.5, "B+0.5"),
        ("tromp-taylor", 0.5, 28, 21.5, "B+6.5"),
        ("japanese", 6.5, 22, 21.5, "B+0.5"),  # 21 territory + 1 prisoner vs 14 + 1 + komi
        ("japanese", 7.5, 22, 22.5, "W+0.5"),
    ],
)
def test_area_and_territory_with_dead_stones_given(
    board_from_ascii: BoardFactory, name: str, komi: float, black: float, white: float, text: str
) -> None:
    state = board_from_ascii(FINISHED, rules=PRESETS[name].with_komi(komi))
    result = final_score(state, dead=_dead_mask(state))
    assert (result.black_score, result.white_score) == (black, white)
    assert result.to_sgf() == text
    assert result.reason == "score"


def test_integer_komi_can_draw(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(FINISHED, rules=PRESETS["chinese"].with_komi(7.0))
    result = final_score(state, dead=_dead_mask(state))
    assert result.winner is None and result.reason == "draw" and result.margin == 0.0
    assert result.to_sgf() == "0"
    assert result.score_for_black == 0.0


@pytest.mark.parametrize("name", ["chinese", "japanese", "tromp-taylor"])
def test_dead_stones_estimated_by_playouts(board_from_ascii: BoardFactory, name: str) -> None:
    state = board_from_ascii(FINISHED, rules=PRESETS[name])
    dead = final_status(state, num_playouts=128, seed=3)
    assert dead.dtype == np.bool_ and dead.shape == (49,)
    assert np.array_equal(dead, _dead_mask(state))
    assert final_score(state, num_playouts=128, seed=3) == final_score(state, _dead_mask(state))


def test_no_dead_stones_given(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(FINISHED, rules=PRESETS["chinese"])
    result = final_score(state, dead=np.zeros(49, dtype=bool))
    # B4 and G5 stay on the board and make both areas neutral: only the stones count.
    assert area_score(state.stones(), 7) == (8, 8)
    assert (result.black_score, result.white_score) == (8, 8 + 7.5)
    assert tromp_taylor_score(state) == 8 - 8 - 7.5


def test_filling_own_territory_costs_only_under_territory_scoring(
    board_from_ascii: BoardFactory,
) -> None:
    """Black captures the dead stone by playing four stones inside its own area."""
    results = {}
    for name in ("chinese", "japanese"):
        state = board_from_ascii(FINISHED, rules=PRESETS[name].with_komi(0.5))
        _play(state, "A4 pass B5 pass C4 pass B3 pass pass")
        assert state.is_over()
        assert state.captures(Color.BLACK) == 1
        results[name] = final_score(state, dead=_dead_mask(state, ("G5",)))
    assert (results["chinese"].black_score, results["chinese"].white_score) == (28, 21.5)
    # 17 points of territory + 1 capture; white 14 + the dead G5 stone + komi.
    assert (results["japanese"].black_score, results["japanese"].white_score) == (18, 15.5)


@pytest.mark.parametrize(("bonus", "expected"), [("0", 0), ("N-1", 2), ("N", 3)])
def test_handicap_compensation(bonus: str, expected: int) -> None:
    rules = Rules(komi=0.5, white_handicap_bonus=bonus)  # type: ignore[arg-type]
    state = GameState.new(7, rules)
    state.place_handicap([from_gtp(v, 7) for v in ("B6", "B2", "C4")])
    reference = GameState.from_ascii(FINISHED, rules=rules)
    black = [int(p) for p in np.flatnonzero(reference.stones() == Color.BLACK)]
    white = [int(p) for p in np.flatnonzero(reference.stones() == Color.WHITE)]
    state.setup(black=black, white=white, empty=[from_gtp(v, 7) for v in ("B6", "B2", "C4")])
    assert state.num_handicap == 3
    assert np.array_equal(state.stones(), reference.stones())
    result = final_score(state, dead=_dead_mask(state))
    assert result.black_score == 28
    assert result.white_score == 21 + 0.5 + expected
    assert tromp_taylor_score(state) == 8 - 8 - 0.5 - expected
    # Territory scoring gives no handicap bonus.
    territory = GameState.new(7, PRESETS["japanese"])
    territory.place_handicap([from_gtp(v, 7) for v in ("B6", "B2")])
    territory.setup(black=black, white=white, empty=[from_gtp(v, 7) for v in ("B6", "B2")])
    assert final_score(territory, dead=_dead_mask(territory)).white_score == 15 + 6.5


def test_handicap_needs_an_empty_board_and_two_stones() -> None:
    state = GameState.new(9)
    with pytest.raises(ValueError):
        state.place_handicap([40])
    with pytest.raises(ValueError):
        state.place_handicap([40, 40])
    state.play(40)
    with pytest.raises(ValueError):
        state.place_handicap([20, 60])


def test_game_result() -> None:
    state = GameState.new(5, PRESETS["chinese"])
    assert game_result(state) is None
    _play(state, "C3 pass")
    assert game_result(state) is None
    _play(state, "pass")
    result = game_result(state)
    assert result == GameResult.by_score(25.0, 7.5)
    assert result is not None and result.to_sgf() == "B+17.5"
    resigned = GameState.new(5)
    resigned.resign()
    assert game_result(resigned) == GameResult(Color.WHITE, "resign")
    assert str(game_result(resigned)) == "W+R"


def test_empty_board_counts_komi_only() -> None:
    state = GameState.new(9, PRESETS["chinese"])
    assert final_score(state, np.zeros(81, dtype=bool)).to_sgf() == "W+7.5"
    assert area_score(state.stones(), 9) == (0, 0)


def test_territory_excludes_regions_touching_seki_stones() -> None:
    stones = GameState.from_ascii("""
        . X O . .
        X X O . .
        O O O . .
        . . . . .
        . . . . .
    """).stones()
    assert territory_score(stones, 5) == (1, 16)
    seki = np.zeros(25, dtype=bool)
    seki[[1, 5, 6]] = True
    assert territory_score(stones, 5, seki) == (0, 16)
    assert area_score(stones, 5) == (4, 21)


@pytest.mark.parametrize(
    ("text", "winner", "reason", "margin"),
    [
        ("B+3.5", Color.BLACK, "score", 3.5),
        ("W+R", Color.WHITE, "resign", None),
        ("w+resign", Color.WHITE, "resign", None),
        ("B+T", Color.BLACK, "time", None),
        ("0", None, "draw", 0.0),
        ("Draw", None, "draw", 0.0),
        ("Void", None, "void", None),
        ("?", None, "unknown", None),
        ("B+", Color.BLACK, "unknown", None),
        ("W+x", Color.WHITE, "unknown", None),
    ],
)
def test_result_from_sgf(
    text: str, winner: Color | None, reason: str, margin: float | None
) -> None:
    result = GameResult.from_sgf(text)
    assert (result.winner, result.reason, result.margin) == (winner, reason, margin)


def test_stone_strings_flood_each_colour_and_split_at_zeros(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        X X . O O
        . X . O .
        O . . . X
        O O . X X
        . . . . .
    """)
    stones = state.stones()
    strings = [sorted(int(p) for p in s) for s in stone_strings(stones, state.size)]
    # In the board order of their first points (A5 is point 20, the top row the last).
    vertices = [
        sorted(from_gtp(v, 5) for v in group.split())
        for group in (
            "A3 A2 B2",
            "E3 D2 E2",
            "A5 B5 B4",
            "D5 E5 D4",
        )
    ]
    assert strings == sorted(vertices, key=min)
    for s in stone_strings(stones, state.size):
        assert len({int(stones[p]) for p in s}) == 1
    # Zeros split strings: B5 alone left out splits black's top string in two.
    only = stones.copy()
    only[from_gtp("B5", 5)] = 0
    split = [sorted(int(p) for p in s) for s in stone_strings(only, state.size)]
    assert [from_gtp("A5", 5)] in split and [from_gtp("B4", 5)] in split
    assert stone_strings(np.zeros_like(stones), state.size) == []


def test_passing_loses_counts_every_stone_alive() -> None:
    """A lone black stone on 7x7 (komi 7) owns the whole board by Tromp-Taylor: a white pass
    loses, a black one does not; with white's wall beside it the count turns."""
    lone = "\n".join([". . . . . . ."] * 3 + [". . . X . . ."] + [". . . . . . ."] * 3)
    assert passing_loses(GameState.from_ascii(lone, PRESETS["chinese"], to_play=Color.WHITE))
    assert not passing_loses(GameState.from_ascii(lone, PRESETS["chinese"], to_play=Color.BLACK))
    walled = "\n".join([". X O . . . ."] * 7)  # black 14, white 35 + 7
    assert passing_loses(GameState.from_ascii(walled, PRESETS["chinese"], to_play=Color.BLACK))
    assert not passing_loses(GameState.from_ascii(walled, PRESETS["chinese"], to_play=Color.WHITE))
