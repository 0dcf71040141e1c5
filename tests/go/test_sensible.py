"""Sensible moves: legal moves minus the mover's own true eyes, compiled and interpreted."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
import pytest

from igo.go.board import KERNELS
from igo.go.coords import Color, from_gtp
from igo.go.jit import KernelSet
from igo.go.rules import PRESETS, Rules
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.go.warm import compile_rules_kernels

BoardFactory = Callable[..., GameState]


class _Interpreted(GameState):
    kernels: ClassVar[KernelSet] = KERNELS.pinned(interpreted=True)


def _expected(state: GameState, color: Color) -> list[int]:
    """The definition, one point at a time: legal and not a true eye."""
    return [
        p
        for p in range(state.num_points)
        if state.is_legal(p, color) and not (state.stones()[p] == 0 and state.is_eye(p, color))
    ]


@pytest.mark.parametrize("rules", [PRESETS["chinese"], Rules(ko="positional")], ids=str)
def test_sensible_moves_are_the_legal_moves_that_fill_no_own_eye(rules: Rules) -> None:
    rng = np.random.default_rng(0)
    for _ in range(8):
        state = GameState.new(7, rules)
        twin = _Interpreted.new(7, rules)
        while not state.is_over() and len(state.moves) < int(rng.integers(10, 120)):
            for color in (Color.BLACK, Color.WHITE):
                moves = sensible_moves(state, color)
                assert moves.tolist() == _expected(state, color)
                assert np.array_equal(sensible_moves(twin, color), moves)
            candidates = sensible_moves(state)
            point = int(rng.choice(candidates)) if candidates.size else state.num_points
            state.play(point)
            twin.play(point)


def test_eyes_on_a_known_board(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(
        """
        . X . X .
        X X X X X
        X . X O .
        X X O . O
        . X O . .
        """
    )
    # Corners A5, E5, A1 and edge point C5 have no opponent diagonal; B3 is a centre eye with
    # one (C2), which the rule allows.
    eyes = {from_gtp(v, 5) for v in ("A5", "C5", "E5", "B3", "A1")}
    empty = {int(p) for p in np.flatnonzero(state.stones() == 0)}
    assert set(sensible_moves(state).tolist()) == empty - eyes
    assert {p for p in empty if state.is_eye(p, Color.BLACK)} == eyes
    assert not any(state.is_eye(p, Color.WHITE) for p in empty)


def test_an_edge_eye_with_an_opponent_diagonal_is_false(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(
        """
        X . X . .
        O X X . .
        . . . . .
        . . . . .
        . . . . .
        """
    )
    assert not state.is_eye(from_gtp("B5", 5), Color.BLACK)
    assert sensible_moves(state).tolist().count(from_gtp("B5", 5)) == 1


def test_nothing_is_sensible_on_a_board_of_eyes_or_once_the_game_is_over(
    board_from_ascii: BoardFactory,
) -> None:
    board = """
        X X X X .
        X . X X X
        X X X . X
        . X X X X
        X X . X X
        """
    assert sensible_moves(board_from_ascii(board)).size == 0
    # White has only suicides, which are illegal.
    assert sensible_moves(board_from_ascii(board), Color.WHITE).size == 0
    state = GameState.new(5)
    state.play(state.num_points)
    state.play(state.num_points)
    assert sensible_moves(state).size == 0


def test_the_rules_warm_up_compiles_the_signature_sensible_moves_uses() -> None:
    compile_rules_kernels()
    before = len(KERNELS.compiled["clear_eyes"].signatures)
    assert before
    sensible_moves(GameState.from_ascii(". X O\nX O .\n. . .", to_play=Color.WHITE), Color.BLACK)
    assert len(KERNELS.compiled["clear_eyes"].signatures) == before
