"""The fast paths of the compiled kernels agree with the plain ones they stand in for.

``random_move`` tests legality and own-eye filling in one look (``board_core.playable``) instead
of ``check`` and ``is_eye``; ``legal_mask`` and ``legal_list`` list legality without move hashes;
``rand_below`` maps random bits to a range without a division. Also the ``GameState`` surface
fixed with them: off-board legality, resigning a finished game, ``legal_moves``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from igo.go import board as kernels
from igo.go import board_core as layout
from igo.go.board import geometry
from igo.go.board_core import fields, playable
from igo.go.coords import Color
from igo.go.playout import new_rng, rand_below, random_move, run_playout
from igo.go.rules import PRESETS
from igo.go.state import GameState, IllegalMove


def _random_board(size: int, seed: int, num_moves: int) -> np.ndarray:
    g = geometry(size)
    s = kernels.new_board(size)
    run_playout(s, g.neighbours, g.diagonals, g.zobrist, 1, num_moves, new_rng(seed))
    return s


@settings(max_examples=80, deadline=None)
@given(size=st.integers(2, 19), seed=st.integers(0, 2**32 - 1), num_moves=st.integers(0, 600))
def test_playable_is_check_and_not_eye(size: int, seed: int, num_moves: int) -> None:
    g = geometry(size)
    s = _random_board(size, seed, num_moves)
    n = size * size
    m = layout.NUM_FIELDS * n
    v, _ = fields(s)
    for color in (1, 2):
        ko = int(s[m + layout.M_KO]) if int(s[m + layout.M_KO_COLOR]) == color else -1
        for p in np.flatnonzero(s[:n] == 0).tolist():
            expected = kernels.check(s, g.neighbours, p, color, False) == kernels.OK and not (
                kernels.is_eye(s, g.neighbours, g.diagonals, p, color)
            )
            got = p != ko and playable(v, g.neighbours, g.diagonals, p, color)
            assert got == expected, (p, color)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(2, 13), seed=st.integers(0, 2**32 - 1), num_moves=st.integers(0, 400))
def test_random_move_passes_only_without_a_playable_point(
    size: int, seed: int, num_moves: int
) -> None:
    g = geometry(size)
    s = _random_board(size, seed, num_moves)
    n = size * size
    for color in (1, 2):
        playable_points = [
            p
            for p in range(n)
            if kernels.check(s, g.neighbours, p, color, False) == kernels.OK
            and not kernels.is_eye(s, g.neighbours, g.diagonals, p, color)
        ]
        before = s.copy()
        move = random_move(s, g.neighbours, g.diagonals, color, new_rng(seed + color))
        assert (move in playable_points) if playable_points else move == -1
        # only the empty list's order may change
        assert np.array_equal(s[: layout.F_ELIST * n], before[: layout.F_ELIST * n])


@settings(max_examples=40, deadline=None)
@given(size=st.integers(2, 19), seed=st.integers(0, 2**32 - 1), num_moves=st.integers(0, 600))
def test_legal_mask_and_list_match_legal_points(size: int, seed: int, num_moves: int) -> None:
    g = geometry(size)
    s = _random_board(size, seed, num_moves)
    n = size * size
    for color in (1, 2):
        for multi in (False, True):
            mask, hashes = np.zeros(n, dtype=np.bool_), np.zeros(n, dtype=np.int64)
            kernels.legal_points(s, g.neighbours, g.zobrist, color, multi, mask, hashes)
            fast = np.ones(n + 1, dtype=np.bool_)  # longer than P: the tail is left alone
            count = kernels.legal_mask(s, g.neighbours, color, multi, fast)
            assert np.array_equal(fast[:n], mask) and fast[n] and count == mask.sum()
            out = np.full(n, -1, dtype=np.int64)
            num = kernels.legal_list(s, g.neighbours, color, multi, out)
            assert out[:num].tolist() == np.flatnonzero(mask).tolist()


@pytest.mark.parametrize("bound", [1, 2, 7, 81, 361, 2**31 + 5, 2**32, 2**40 + 3])
def test_rand_below_stays_in_range(bound: int) -> None:
    rng = new_rng(bound)
    draws = [rand_below(rng, bound) for _ in range(2000)]
    assert all(0 <= d < bound for d in draws)
    if bound > 2:
        assert len(set(draws)) > min(bound, 2000) // 3


def test_rand_below_is_uniform() -> None:
    rng = new_rng(11)
    counts = np.bincount([rand_below(rng, 7) for _ in range(70_000)], minlength=7)
    assert np.all(np.abs(counts - 10_000) < 500), counts


def test_off_board_legality_is_a_reason_not_an_error() -> None:
    state = GameState.new(5)
    for bad in (-1, 26, 100, 2.0, "a1", None):
        assert state.legality(bad) == "off board"  # type: ignore[arg-type]
        assert not state.is_legal(bad)  # type: ignore[arg-type]
        with pytest.raises(IllegalMove, match="not on the 5x5 board") as info:
            state.play(bad)  # type: ignore[arg-type]
        assert info.value.reason == "off board"
    assert state.legality(25) is None  # pass
    assert state.legality(np.int64(3)) is None


def test_resigning_a_finished_game_is_refused() -> None:
    state = GameState.new(5)
    state.pass_move()
    state.pass_move()
    with pytest.raises(IllegalMove) as info:
        state.resign()
    assert info.value.reason == "game over" and state.resigned is None
    state.undo()
    state.resign(Color.BLACK)
    with pytest.raises(IllegalMove):
        state.resign(Color.WHITE)
    assert state.resigned == Color.BLACK
    capped = GameState.new(5, move_cap=1)
    capped.play(0)
    with pytest.raises(IllegalMove):
        capped.resign()


@pytest.mark.parametrize("rules", sorted(PRESETS))
def test_legal_moves_match_the_mask_and_is_legal(rules: str) -> None:
    rng = np.random.default_rng(5)
    state = GameState.new(7, PRESETS[rules])
    for _ in range(120):
        if state.is_over():
            break
        moves = state.legal_moves()
        assert moves == np.flatnonzero(state.legal_mask()).tolist()
        assert moves == [p for p in range(state.num_points + 1) if state.is_legal(p)]
        assert all(type(p) is int for p in moves)
        for color in (Color.BLACK, Color.WHITE):
            assert state.legal_moves(color) == np.flatnonzero(state.legal_mask(color)).tolist()
        state.play(moves[int(rng.integers(len(moves) - 1))] if len(moves) > 1 else moves[-1])
    state.pass_move()
    if not state.is_over():
        state.pass_move()
    assert state.legal_moves() == [] and not state.legal_mask().any()
