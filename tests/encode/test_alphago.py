"""AlphaGo's 48 (+1) planes on ASCII boards, and against a slow pure-Python reference."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from igo.encode import alphago as ag
from igo.encode.alphago import encode_alphago, encode_alphago_batch
from igo.go.coords import Color, from_gtp
from igo.go.rules import Rules
from igo.go.state import GameState

BoardFactory = Callable[..., GameState]
RandomGame = Callable[..., GameState]


def _at(planes: np.ndarray, plane: int, state: GameState, vertex: str) -> float:
    row, col = divmod(from_gtp(vertex, state.size), state.size)
    return float(planes[plane, row, col])


def _feature(planes: np.ndarray, first: int, row: int, col: int) -> int | None:
    """Which plane of the 8-plane feature starting at ``first`` is set at (row, col), if any."""
    hot = np.flatnonzero(planes[first : first + 8, row, col])
    assert len(hot) <= 1, "an 8-plane feature must be one-hot"
    return int(hot[0]) if len(hot) else None


def _play(state: GameState, moves: str) -> None:
    for vertex in moves.split():
        state.play(from_gtp(vertex, state.size))


# ----- shapes and constant planes -----


@pytest.mark.parametrize("size", [5, 9, 19])
def test_shapes_and_constant_planes(size: int, random_game: RandomGame) -> None:
    state = random_game(size, size * 2, seed=size)
    planes = encode_alphago(state)
    value = encode_alphago(state, value_plane=True)
    assert planes.shape == (48, size, size) and planes.dtype == np.float32
    assert value.shape == (49, size, size)
    assert np.array_equal(value[:48], planes)
    assert set(np.unique(planes)) <= {0.0, 1.0}
    assert (planes[ag.ONES] == 1).all() and (planes[ag.ZEROS] == 0).all()
    assert (planes[: ag.ONES].sum(axis=0) == 1).all()  # own / opponent / empty partition
    assert (value[ag.PLAYER_COLOR] == (1.0 if state.to_play == Color.BLACK else 0.0)).all()
    assert len(ag.PLANE_NAMES) == 49


def test_batch_and_errors(random_game: RandomGame) -> None:
    states = [random_game(9, 10 + i, seed=i) for i in range(3)]
    batch = encode_alphago_batch(states, value_plane=True)
    assert batch.shape == (3, 49, 9, 9)
    for i, state in enumerate(states):
        assert np.array_equal(batch[i], encode_alphago(state, value_plane=True))
    with pytest.raises(ValueError):
        encode_alphago_batch([])
    with pytest.raises(ValueError):
        encode_alphago_batch([GameState.new(9), GameState.new(13)])


def test_colour_planes_follow_the_side_to_play(board_from_ascii: BoardFactory) -> None:
    text = "X . .\n. O .\n. . ."
    black = encode_alphago(board_from_ascii(text, to_play=Color.BLACK), value_plane=True)
    white = encode_alphago(board_from_ascii(text, to_play=Color.WHITE), value_plane=True)
    assert black[ag.OWN, 0, 0] == 1 and black[ag.OPPONENT, 1, 1] == 1
    assert white[ag.OWN, 1, 1] == 1 and white[ag.OPPONENT, 0, 0] == 1
    assert black[ag.EMPTY_POINT].sum() == white[ag.EMPTY_POINT].sum() == 7
    assert (black[ag.PLAYER_COLOR] == 1).all() and (white[ag.PLAYER_COLOR] == 0).all()


# ----- stone features: turns since, liberties -----

KO = """
. X O . . .
X O . O . .
. X O . . .
. . . . . .
. . . . . .
. . . . . .
"""


def test_turns_since_keeps_the_newest_play(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(KO)
    # Black takes the ko, white retakes after an exchange, black retakes: C5 was played at moves
    # 1 and 7; only the newest counts. B5 (set up, captured, replayed, captured) is empty.
    _play(state, "C5 F1 A1 B5 B1 E1 C5")
    planes = encode_alphago(state)
    expected = {"C5": 1, "E1": 2, "B1": 3, "A1": 5, "F1": 6, "B6": 8, "C6": 8, "A5": 8}
    for vertex, turns in expected.items():
        row, col = divmod(from_gtp(vertex, 6), 6)
        assert _feature(planes, ag.TURNS_SINCE, row, col) == turns - 1, vertex
    assert _at(planes, ag.EMPTY_POINT, state, "B5") == 1
    assert planes[ag.TURNS_SINCE : ag.TURNS_SINCE + 8].sum() == (state.stones() != 0).sum()
    state.pass_move()
    after_pass = encode_alphago(state)
    assert _feature(after_pass, ag.TURNS_SINCE, *divmod(from_gtp("C5", 6), 6)) == 1


def test_liberties(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        X O . . . . . . .
        X O . . . . . . .
        . . . . . . . . .
        . . . . X X X . .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        . . . . . . . . .
        O O O O O O O O O
    """)
    planes = encode_alphago(state)
    assert _feature(planes, ag.LIBERTIES, 0, 0) == 0  # black A9-A8: 1 liberty
    assert _feature(planes, ag.LIBERTIES, 1, 1) == 2  # white B9-B8: 3 liberties
    assert _feature(planes, ag.LIBERTIES, 3, 5) == 7  # E6-G6: 8 liberties
    assert _feature(planes, ag.LIBERTIES, 8, 0) == 7  # the bottom row: 9, i.e. 8 or more
    assert planes[ag.LIBERTIES : ag.LIBERTIES + 8, 2, 2].sum() == 0  # empty point


# ----- move features: capture size, self-atari size, liberties after move -----


def _capture_board(k: int) -> str:
    """11x11: k white stones in a row, surrounded by black but for one liberty at (1, k+1)."""
    rows = [["."] * 11 for _ in range(11)]
    rows[1][0] = "X"
    for col in range(1, k + 1):
        rows[0][col], rows[1][col], rows[2][col] = "X", "O", "X"
    return "\n".join(" ".join(row) for row in rows)


@pytest.mark.parametrize("k", range(1, 9))
def test_capture_size_of_each_size(board_from_ascii: BoardFactory, k: int) -> None:
    planes = encode_alphago(board_from_ascii(_capture_board(k)))
    assert _feature(planes, ag.CAPTURE_SIZE, 1, k + 1) == min(k, 7)
    # Three empty neighbours, plus the one captured stone next to the move.
    assert _feature(planes, ag.LIBERTIES_AFTER, 1, k + 1) == 4 - 1
    assert _feature(planes, ag.SELF_ATARI_SIZE, 1, k + 1) is None
    assert _feature(planes, ag.CAPTURE_SIZE, 5, 5) == 0  # a quiet move captures nothing
    assert _feature(planes, ag.CAPTURE_SIZE, 0, 1) is None  # occupied


def test_capture_counts_each_string_once(board_from_ascii: BoardFactory) -> None:
    three_strings = board_from_ascii("""
        X O . O X . .
        . X O X . . .
        . . X . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
    """)
    planes = encode_alphago(three_strings)
    assert _feature(planes, ag.CAPTURE_SIZE, 0, 2) == 3
    assert _feature(planes, ag.LIBERTIES_AFTER, 0, 2) == 2  # 3 liberties: the freed points
    one_string_twice = board_from_ascii("""
        . X X . . .
        X O O X . .
        X O . X . .
        . X X . . .
        . . . . . .
        . . . . . .
    """)
    planes = encode_alphago(one_string_twice)
    assert _feature(planes, ag.CAPTURE_SIZE, 2, 2) == 3


def test_self_atari_size(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . X O . . . .
        . O . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . . . .
        . . . . O . .
    """)
    planes = encode_alphago(state)
    assert _feature(planes, ag.SELF_ATARI_SIZE, 0, 0) == 1  # joins B7: two stones, one liberty
    assert _feature(planes, ag.LIBERTIES_AFTER, 0, 0) == 0
    assert _feature(planes, ag.SELF_ATARI_SIZE, 5, 4) is None  # E2 keeps three liberties
    assert _feature(planes, ag.LIBERTIES_AFTER, 5, 4) == 2
    assert _feature(planes, ag.SELF_ATARI_SIZE, 6, 5) is None
    corner = board_from_ascii(". O .\nO . .\n. . .", to_play=Color.BLACK)
    assert encode_alphago(corner)[ag.SELF_ATARI_SIZE : ag.SELF_ATARI_SIZE + 8, 0, 0].sum() == 0


def test_self_atari_of_a_long_string_saturates(board_from_ascii: BoardFactory) -> None:
    rows = [". X X X X X X X X X .", "O O O O O O O O O O O"] + [". " * 10 + "."] * 9
    planes = encode_alphago(board_from_ascii("\n".join(rows)))
    assert _feature(planes, ag.SELF_ATARI_SIZE, 0, 0) == 7  # 10 stones: "8 or more"
    assert _feature(planes, ag.LIBERTIES_AFTER, 0, 0) == 0


def test_ko_capture_is_a_self_atari_and_the_retake_is_not_sensible(
    board_from_ascii: BoardFactory,
) -> None:
    state = board_from_ascii(KO)
    planes = encode_alphago(state)
    assert _feature(planes, ag.CAPTURE_SIZE, 1, 2) == 1
    assert _feature(planes, ag.SELF_ATARI_SIZE, 1, 2) == 0
    state.play(from_gtp("C5", 6))
    planes = encode_alphago(state)  # white may not retake at B5 this turn
    assert planes[ag.CAPTURE_SIZE : ag.SENSIBLENESS + 1, 1, 1].sum() == 0


def test_multi_stone_suicide_when_the_rules_allow_it(board_from_ascii: BoardFactory) -> None:
    text = ". . O . .\n. O . . .\nO . . . .\n. . . . .\n. . . . ."
    for suicide in (False, True):
        state = board_from_ascii(text, rules=Rules(multi_stone_suicide=suicide))
        _play(state, "A5 pass B5 pass")
        planes = encode_alphago(state)
        # A4 would remove its own three stones: legal only with multi-stone suicide.
        assert _feature(planes, ag.SELF_ATARI_SIZE, 1, 0) == (2 if suicide else None)
        assert _feature(planes, ag.LIBERTIES_AFTER, 1, 0) is None
        assert planes[ag.SENSIBLENESS, 1, 0] == suicide


# ----- sensibleness and superko -----


EYES = """
    . X . X O . .
    X X X X O . .
    . . . . O . .
    X X X . O O O
    . X . . O . O
    X O . . O O O
    . . . . . . .
"""


def test_sensibleness_eyes(board_from_ascii: BoardFactory) -> None:
    black = encode_alphago(board_from_ascii(EYES, to_play=Color.BLACK))[ag.SENSIBLENESS]
    assert black[0, 0] == 0 and black[0, 2] == 0  # own true eyes, corner and edge
    assert black[4, 0] == 1  # white's diagonal at B3 makes A3 a false eye: filling it is sensible
    assert black[4, 5] == 0  # inside white's eye: suicide
    assert black[0, 1] == 0  # occupied
    assert black[2, 2] == 1
    white = encode_alphago(board_from_ascii(EYES, to_play=Color.WHITE))[ag.SENSIBLENESS]
    assert white[4, 5] == 0  # white's own true eye (one in the centre)
    assert white[0, 0] == 0  # suicide for white
    assert white[4, 0] == 0  # suicide for white too
    assert white[2, 2] == 1


TRIPLE_KO = """
    X O . O . X O . O
    X X O O . X X O O
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    X X O O . . . . .
    X . X O . . . . .
"""


@pytest.mark.parametrize("ko", ["simple", "positional"])
def test_superko_removes_move_features(board_from_ascii: BoardFactory, ko: str) -> None:
    state = board_from_ascii(TRIPLE_KO, rules=Rules(ko=ko))  # type: ignore[arg-type]
    _play(state, "C9 B1 H9 B9 C1")
    planes = encode_alphago(state)
    legal = ko == "simple"
    assert _at(planes, ag.SENSIBLENESS, state, "G9") == legal
    assert _at(planes, ag.CAPTURE_SIZE + 1, state, "G9") == legal
    assert _at(planes, ag.SENSIBLENESS, state, "E5") == 1
