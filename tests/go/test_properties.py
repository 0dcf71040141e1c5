"""Property tests on random legal play: the incremental board agrees with a from-scratch rebuild.

After every move: each string has a liberty; stones on the board balance with moves and captures;
the Zobrist hash is the xor of the stones' keys (and what ``setup`` computes); the pseudo-liberty
bookkeeping matches ``kernels.rebuild``; undo restores the exact board vector.
"""

from __future__ import annotations

import random

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from igo.go import board as kernels
from igo.go import board_core as layout
from igo.go.board import geometry
from igo.go.coords import Color
from igo.go.playout import new_rng, run_playout
from igo.go.rules import PRESETS
from igo.go.state import GameState

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _field(s: np.ndarray, field: int, n: int) -> np.ndarray:
    return s[field * n : (field + 1) * n]


def _strings(colors: np.ndarray, size: int) -> list[tuple[list[int], set[int]]]:
    """Every string of ``colors`` [P] as (stones, liberties), found by flood fill."""
    nbr = geometry(size).neighbours
    seen = np.zeros(colors.shape[0], dtype=bool)
    out = []
    for p in np.flatnonzero(colors):
        if seen[p]:
            continue
        seen[p] = True
        members, frontier, libs = [int(p)], [int(p)], set()
        while frontier:
            r = frontier.pop()
            for q in nbr[r]:
                if q < 0:
                    continue
                if colors[q] == 0:
                    libs.add(int(q))
                elif colors[q] == colors[p] and not seen[q]:
                    seen[q] = True
                    members.append(int(q))
                    frontier.append(int(q))
        out.append((members, libs))
    return out


def _chain(s: np.ndarray, n: int, p: int) -> list[int]:
    """The stones on the circular list through ``p``."""
    out, r = [p], int(s[layout.F_NEXT * n + p])
    while r != p:
        out.append(r)
        r = int(s[layout.F_NEXT * n + r])
        assert len(out) <= n, "string list does not close"
    return out


def _pseudo_liberties(s: np.ndarray, n: int, head: int) -> tuple[int, int, int]:
    return tuple(int(s[f * n + head]) for f in (layout.F_LIBN, layout.F_LIBS, layout.F_LIBQ))


def check_board_vector(s: np.ndarray, size: int) -> None:
    """Assert the incremental board vector ``s`` agrees with a rebuild from its colours."""
    n = size * size
    g = geometry(size)
    colors = _field(s, layout.F_COLOR, n).copy()
    fresh = kernels.new_board(size)
    kernels.rebuild(fresh, g.neighbours, g.zobrist, colors)
    m = layout.NUM_FIELDS * n
    assert np.array_equal(_field(fresh, layout.F_COLOR, n), colors)
    expected_hash = 0
    for color in (1, 2):
        for key in g.zobrist[color, colors == color]:
            expected_hash ^= int(key)
    assert int(s[m + layout.M_HASH]) == int(fresh[m + layout.M_HASH]) == expected_hash
    # The empty-point list holds exactly the empty points, and positions index it.
    num_empty = int(s[m + layout.M_NEMPTY])
    empties = _field(s, layout.F_ELIST, n)[:num_empty]
    assert sorted(empties.tolist()) == np.flatnonzero(colors == 0).tolist()
    assert np.array_equal(_field(s, layout.F_EPOS, n)[empties], np.arange(num_empty))
    assert np.all(_field(s, layout.F_HEAD, n)[colors == 0] == -1)
    for members, libs in _strings(colors, size):
        assert libs, f"string at {members[0]} has no liberty"
        head = int(s[layout.F_HEAD * n + members[0]])
        fresh_head = int(fresh[layout.F_HEAD * n + members[0]])
        assert sorted(_chain(s, n, members[0])) == sorted(members)
        assert all(int(s[layout.F_HEAD * n + p]) == head for p in members)
        assert int(s[layout.F_STONES * n + head]) == len(members)
        assert _pseudo_liberties(s, n, head) == _pseudo_liberties(fresh, n, fresh_head)
        assert kernels.count_liberties(s, g.neighbours, members[0]) == len(libs)
        assert kernels.count_liberties(fresh, g.neighbours, members[0]) == len(libs)
        assert kernels.in_atari(s, n, head) == (len(libs) == 1)


def check_state(state: GameState, initial: np.ndarray) -> None:
    """Assert the invariants of a game that started from stones ``initial`` [P]."""
    check_board_vector(state.board_vector, state.size)
    stones = state.stones()
    for color in (Color.BLACK, Color.WHITE):
        placed = sum(1 for c, p in state.moves if c == color and p != state.num_points)
        removed = state.captures(color.opponent)
        assert int(np.sum(stones == color)) == int(np.sum(initial == color)) + placed - removed
    fresh = GameState.new(state.size)
    fresh.setup(
        black=np.flatnonzero(stones == 1).tolist(), white=np.flatnonzero(stones == 2).tolist()
    )
    assert fresh.hash == state.hash


def _random_move(state: GameState, rng: random.Random) -> int:
    moves = state.legal_moves()
    if len(moves) == 1 or rng.random() < 0.02:
        return state.num_points
    return rng.choice(moves[:-1])


def _check_hash_prediction(state: GameState, point: int) -> None:
    if point == state.num_points:
        return
    g = state.geometry
    predicted = kernels.hash_after(
        state.board_vector, g.neighbours, g.zobrist, point, int(state.to_play)
    )
    state.play(point)
    assert state.hash == int(predicted)
    state.undo()


def _repetition_key(state: GameState) -> tuple[bytes, int]:
    """What superko compares: the stones, plus the side to play under situational superko."""
    situational = state.rules.ko == "situational"
    return state.stones().tobytes(), int(state.to_play) if situational else 0


@SETTINGS
@given(
    size=st.integers(2, 19), seed=st.integers(0, 2**32 - 1), rules=st.sampled_from(sorted(PRESETS))
)
def test_random_play_keeps_the_invariants(size: int, seed: int, rules: str) -> None:
    rng = random.Random(seed)
    state = GameState.new(size, PRESETS[rules])
    initial = state.stones()
    num_moves = rng.randint(0, min(3 * size * size, 250))
    every = 1 if size <= 9 else 7
    snapshots = []
    history = {_repetition_key(state)}
    for i in range(num_moves):
        if state.is_over():
            break
        point = _random_move(state, rng)
        if i % 25 == 0:
            _check_hash_prediction(state, point)
        snapshots.append(state.board_vector.copy())
        state.play(point)
        key = _repetition_key(state)
        if point != state.num_points and state.rules.ko != "simple":
            assert key not in history, "a superko rule let a position repeat"
        history.add(key)
        if i % every == 0:
            check_state(state, initial)
    check_state(state, initial)
    # Undo restores the exact vector, a few moves back.
    for before in reversed(snapshots[-4:]):
        state.undo()
        assert np.array_equal(state.board_vector, before)


def _is_suicide(state: GameState, point: int) -> bool:
    """Whether the legal move ``point`` would remove the mover's own string (by exact liberties)."""
    color = state.to_play
    friends = False
    for q in state.geometry.neighbours[point]:
        if q < 0:
            continue
        c, libs = state.color_at(int(q)), state.liberties(int(q))
        if c == Color.EMPTY or (c == color and libs > 1) or (c == color.opponent and libs == 1):
            return False
        friends |= c == color
    return friends


@SETTINGS
@given(
    size=st.integers(2, 9),
    seed=st.integers(0, 2**32 - 1),
    rules=st.sampled_from(["tromp-taylor", "new-zealand"]),
)
def test_suicide_heavy_play(size: int, seed: int, rules: str) -> None:
    """Prefer moves that remove the mover's own stones, where the rules allow them."""
    rng = random.Random(seed)
    state = GameState.new(size, PRESETS[rules])
    initial = state.stones()
    for _ in range(4 * size * size):
        if state.is_over():
            break
        moves = state.legal_moves()[:-1]
        suicides = [p for p in moves if _is_suicide(state, p)]
        point = rng.choice(suicides or moves or [state.num_points])
        before = state.copy()
        lost = before.captures(before.to_play.opponent)
        state.play(point)
        check_state(state, initial)
        if point in suicides:
            assert state.color_at(point) == Color.EMPTY
            assert state.captures(state.to_play) > lost
            num_lost = state.captures(state.to_play) - lost
            assert (
                int(np.sum(state.stones() == state.to_play.opponent))
                == int(np.sum(before.stones() == before.to_play)) + 1 - num_lost
            )
        before.play(point)
        assert np.array_equal(before.board_vector, state.board_vector)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(2, 19), seed=st.integers(0, 2**32 - 1), num_moves=st.integers(0, 400))
def test_compiled_playout_keeps_the_invariants(size: int, seed: int, num_moves: int) -> None:
    g = geometry(size)
    s = kernels.new_board(size)
    played = run_playout(s, g.neighbours, g.diagonals, g.zobrist, 1, num_moves, new_rng(seed))
    assert 0 <= played <= num_moves
    check_board_vector(s, size)
    n = size * size
    m = layout.NUM_FIELDS * n
    colors = _field(s, layout.F_COLOR, n)
    captured_black, captured_white = int(s[m + layout.M_CAP_W]), int(s[m + layout.M_CAP_B])
    assert (
        int(np.sum(colors == 1)) + int(np.sum(colors == 2)) + captured_black + captured_white
        == played
    )


@settings(max_examples=25, deadline=None)
@given(size=st.integers(2, 13), seed=st.integers(0, 2**32 - 1))
def test_copy_is_independent_and_replay_is_deterministic(size: int, seed: int) -> None:
    rng = random.Random(seed)
    state = GameState.new(size, PRESETS["chinese"])
    for _ in range(rng.randint(0, 2 * size * size)):
        if state.is_over():
            break
        state.play(_random_move(state, rng))
    copy = state.copy()
    replay = GameState.new(size, PRESETS["chinese"])
    for color, point in state.moves:
        replay.play(point, color)
    assert np.array_equal(replay.board_vector, state.board_vector)
    if not copy.is_over():
        copy.play(_random_move(copy, rng))
        assert len(copy.moves) == len(state.moves) + 1
    assert np.array_equal(replay.board_vector, state.board_vector)
