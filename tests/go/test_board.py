"""Board mechanics on ASCII positions: captures, multi-group captures, snapback, liberties, eyes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from igo.go import board as kernels
from igo.go import board_core as layout
from igo.go.coords import Color, from_gtp
from igo.go.playout import new_rng, random_move, run_playout
from igo.go.state import GameState, IllegalMove

BoardFactory = Callable[..., GameState]


def _p(state: GameState, vertex: str) -> int:
    return from_gtp(vertex, state.size)


def _play(state: GameState, moves: str) -> None:
    """Play whitespace-separated GTP vertices, alternating from the side to play."""
    for vertex in moves.split():
        state.play(_p(state, vertex))


def _ascii(state: GameState) -> str:
    """The board as bare rows of ``X O .`` (no coordinates), for comparisons."""
    stones = state.stones()
    return "\n".join(
        "".join(".XO"[v] for v in stones[r * state.size : (r + 1) * state.size])
        for r in range(state.size)
    )


def _rows(text: str) -> str:
    return "\n".join("".join(line.split()) for line in text.strip().splitlines())


def test_empty_board() -> None:
    state = GameState.new(9)
    assert state.size == 9 and state.num_points == 81
    assert state.to_play == Color.BLACK
    assert not state.stones().any()
    assert state.hash == 0
    assert state.captures(Color.BLACK) == state.captures(Color.WHITE) == 0
    assert state.ko_point is None
    assert len(state.legal_moves()) == 82


def test_from_ascii_layout(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(
        """
        X . .
        . O .
        . . X
    """,
        to_play=Color.WHITE,
    )
    assert state.size == 3
    assert state.to_play == Color.WHITE
    assert state.color_at(_p(state, "A3")) == Color.BLACK
    assert state.color_at(_p(state, "B2")) == Color.WHITE
    assert state.color_at(_p(state, "C1")) == Color.BLACK
    assert state.color_at(_p(state, "C3")) == Color.EMPTY
    assert state.to_ascii().splitlines()[1] == " 3 X . .  3"
    with pytest.raises(ValueError):
        board_from_ascii("X .\n. . .")


@pytest.mark.parametrize(
    ("text", "move", "num_captured"),
    [
        # corner, edge and centre captures of one stone
        ("O . .\nX . .\n. . .", "B3", 1),
        ("X O X . .\n. . . . .\n. . . . .\n. . . . .\n. . . . .", "B4", 1),
        (". . . . .\n. . X . .\n. X O X .\n. . . . .\n. . . . .", "C2", 1),
        # a three-stone string on the edge; a move that captures nothing
        ("X O O O .\n. X X X .\n. . . . .\n. . . . .\n. . . . .", "E5", 3),
        ("X O O O .\n. X X X .\n. . . . .\n. . . . .\n. . . . .", "E4", 0),
    ],
)
def test_captures(board_from_ascii: BoardFactory, text: str, move: str, num_captured: int) -> None:
    state = board_from_ascii(text)
    before = state.stones()
    _play(state, move)
    after = state.stones()
    assert state.captures(Color.BLACK) == num_captured
    removed = (before == Color.WHITE) & (after == Color.EMPTY)
    assert int(removed.sum()) == num_captured
    assert after[_p(state, move)] == Color.BLACK


def test_capture_makes_an_otherwise_suicidal_move_legal(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . O X .
        O X . .
        X . . .
        . . . .
    """)
    # A4 has no empty neighbour, but it is the last liberty of both white stones.
    assert state.is_legal(_p(state, "A4"))
    _play(state, "A4")
    assert _ascii(state) == _rows("X . X .\n. X . .\nX . . .\n. . . .")
    assert state.captures(Color.BLACK) == 2


def test_multi_group_capture(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . . . X . . .
        . . X O X . .
        . X O . O X .
        . . X O X . .
        . . . X . . .
        . . . . . . .
        . . . . . . .
    """)
    # D5 is the last liberty of four one-stone white strings (D6, C5, E5, D4).
    _play(state, "D5")
    assert state.captures(Color.BLACK) == 4
    assert not (state.stones() == Color.WHITE).any()
    assert state.liberties(_p(state, "D5")) == 4
    assert state.ko_point is None


def test_capture_of_two_strings_sharing_a_liberty(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        X O . O X
        X O . O X
        . X X X .
        . . . . .
        . . . . .
    """)
    _play(state, "C5")
    assert state.captures(Color.BLACK) == 0
    state = board_from_ascii("""
        X O . O X
        X O X O X
        . X X X .
        . . . . .
        . . . . .
    """)
    _play(state, "C5")
    assert state.captures(Color.BLACK) == 4
    assert _ascii(state) == _rows("X . X . X\nX . X . X\n. X X X .\n. . . . .\n. . . . .")


def test_snapback(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . . . . .
        . . . . .
        X X X X .
        O O O X .
        . . O X .
    """)
    _play(state, "A1")  # a throw-in: one stone in atari
    assert state.liberties(_p(state, "A1")) == 1
    _play(state, "B1")  # white takes it...
    assert state.captures(Color.WHITE) == 1
    assert state.ko_point is None  # ...but that is no ko: the capturing stone joined a string
    assert state.liberties(_p(state, "B1")) == 1
    _play(state, "A1")  # ...and black takes back five
    assert state.captures(Color.BLACK) == 5
    assert _ascii(state) == _rows(". . . . .\n. . . . .\nX X X X .\n. . . X .\nX . . X .")


def test_join_four_strings(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . . . . .
        . . X . .
        . X . X .
        . . X . .
        . . . . .
    """)
    _play(state, "C3")
    assert state.liberties(_p(state, "C3")) == 8
    s = state.board_vector
    h = int(kernels.head_of(s, 25, _p(state, "C3")))
    assert int(kernels.string_size(s, 25, h)) == 5
    for vertex in ("C4", "B3", "D3", "C2"):
        assert int(kernels.head_of(s, 25, _p(state, vertex))) == h


@pytest.mark.parametrize(
    ("vertex", "libs"), [("A5", 1), ("C3", 5), ("D3", 3), ("E1", 2), ("C1", 0)]
)
def test_liberties(board_from_ascii: BoardFactory, vertex: str, libs: int) -> None:
    state = board_from_ascii("""
        X O . . .
        . . . . .
        . . X O .
        . . X . .
        . . . . X
    """)
    assert state.liberties(_p(state, vertex)) == libs


def test_occupied_and_off_board(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(". X\nO .")
    assert state.legality(_p(state, "B2")) == "occupied"
    assert state.legality(_p(state, "A1")) == "occupied"
    for bad in (-1, 5, 100):
        assert not state.is_legal(bad)
        with pytest.raises(IllegalMove) as info:
            state.play(bad)
        assert info.value.reason == "off board"
    with pytest.raises(IllegalMove) as info:
        state.play(_p(state, "B2"))
    assert info.value.reason == "occupied"
    assert state.to_play == Color.BLACK
    assert state.legality(0, Color.EMPTY) == "wrong color"


EYES = """
    . X . X O . .
    X X X . X O .
    . X . X . X O
    X X X X X X .
    O . O . . . .
    . O . . . . .
    O . O . . . .
"""


@pytest.mark.parametrize(
    ("vertex", "color", "eye"),
    [
        ("A7", Color.BLACK, True),  # corner
        ("C7", Color.BLACK, True),  # edge, both diagonals black or empty
        ("A5", Color.BLACK, True),  # edge
        ("C5", Color.BLACK, True),  # centre, no opponent diagonal
        ("D6", Color.BLACK, True),  # centre, one opponent diagonal (E7) is allowed
        ("E5", Color.BLACK, True),  # centre, one opponent diagonal (F6)
        ("D6", Color.WHITE, False),  # black's neighbours
        ("B6", Color.BLACK, False),  # occupied
        ("B2", Color.WHITE, False),  # occupied
        ("B1", Color.WHITE, True),  # edge, diagonals empty
        ("A2", Color.WHITE, True),  # edge
        ("B3", Color.WHITE, False),  # B4 is black
        ("G4", Color.WHITE, False),  # F4 is black and G3 empty
        ("G7", Color.WHITE, False),  # G6 is empty
    ],
)
def test_true_eyes(board_from_ascii: BoardFactory, vertex: str, color: Color, eye: bool) -> None:
    state = board_from_ascii(EYES)
    assert state.is_eye(_p(state, vertex), color) is eye


def test_eye_diagonal_rule_in_centre(board_from_ascii: BoardFactory) -> None:
    centre = """
        . . . . .
        . {a} X {b} .
        . X . X .
        . {c} X {d} .
        . . . . .
    """

    def board(a: str, b: str, c: str, d: str) -> GameState:
        return board_from_ascii(centre.format(a=a, b=b, c=c, d=d))

    p = from_gtp("C3", 5)
    assert board(".", ".", ".", ".").is_eye(p, Color.BLACK)
    assert board("O", ".", ".", ".").is_eye(p, Color.BLACK)
    assert board("O", "X", "X", "X").is_eye(p, Color.BLACK)
    assert not board("O", "O", ".", ".").is_eye(p, Color.BLACK)
    assert not board("O", ".", ".", "O").is_eye(p, Color.BLACK)
    assert not board(".", ".", ".", ".").is_eye(p, Color.WHITE)
    # On the edge (and in the corner) a single opponent diagonal spoils the eye.
    edge = board_from_ascii("X . X . .\nO X . . .\n. . . . .\n. . . . .\n. . . . .")
    assert not edge.is_eye(from_gtp("B5", 5), Color.BLACK)
    edge = board_from_ascii("X . X . .\n. X . . .\n. . . . .\n. . . . .\n. . . . .")
    assert edge.is_eye(from_gtp("B5", 5), Color.BLACK)
    corner = board_from_ascii(". X . . .\nX O . . .\n. . . . .\n. . . . .\n. . . . .")
    assert not corner.is_eye(from_gtp("A5", 5), Color.BLACK)


def test_setup_rejects_strings_without_liberties() -> None:
    state = GameState.new(3)
    with pytest.raises(IllegalMove):
        state.setup(black=[1, 3], white=[0])
    assert not state.stones().any()
    state.setup(black=[0, 1], white=[3, 4])
    state.setup(empty=[0], white=[8])
    assert state.stones().tolist() == [0, 1, 0, 2, 2, 0, 0, 0, 2]
    assert state.moves == ()


def test_stones_is_a_copy() -> None:
    state = GameState.new(5)
    stones = state.stones()
    stones[0] = 1
    assert state.color_at(0) == Color.EMPTY
    assert stones.dtype == np.int8


def test_random_move_is_uniform_over_playable_points(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . X . X .
        X X X X X
        . . . . .
        . . . . .
        . . . . .
    """)
    g = state.geometry
    s = state.board_vector.copy()
    rng = new_rng(5)
    num_draws = 30_000
    counts = np.bincount(
        [
            random_move(s, g.neighbours, g.diagonals, int(Color.BLACK), rng)
            for _ in range(num_draws)
        ],
        minlength=25,
    )
    # Never an own eye (A5, C5, E5) or an occupied point; the 15 empty points below all equally.
    assert counts[:10].sum() == 0
    expected = num_draws / 15
    assert np.all(np.abs(counts[10:] - expected) < 0.08 * expected), counts[10:]
    # Drawing only reorders the empty list.
    assert np.array_equal(s[: layout.F_ELIST * 25], state.board_vector[: layout.F_ELIST * 25])


def test_random_move_passes_without_a_playable_point(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii("""
        . X . X .
        X X X X X
        O O O O O
        . O . O .
        O . O . O
    """)
    g = state.geometry
    s = state.board_vector.copy()
    # Black's empty points are its eyes; white's lower points are suicide or eyes for white.
    assert random_move(s, g.neighbours, g.diagonals, int(Color.BLACK), new_rng(1)) == -1
    assert random_move(s, g.neighbours, g.diagonals, int(Color.WHITE), new_rng(1)) == -1


def test_playout_is_determined_by_its_seed() -> None:
    g = kernels.geometry(9)
    boards = []
    for seed in (3, 3, 4):
        s = kernels.new_board(9)
        played = run_playout(s, g.neighbours, g.diagonals, g.zobrist, 1, 500, new_rng(seed))
        assert 40 < played < 500
        boards.append(s)
    assert np.array_equal(boards[0], boards[1])
    assert not np.array_equal(boards[0], boards[2])


# ----- the meta entries other layers use (ko_point, set_ko, clear_ko, stone_hash) -----
KO = """
    . X O . .
    X O . O .
    . X O . .
    . . . . .
    . . . . .
"""
BLACK, WHITE = int(Color.BLACK), int(Color.WHITE)


def test_ko_point_is_the_simple_ko_ban_of_one_side(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(KO)
    assert kernels.ko_point(state.board_vector, BLACK) == -1
    assert kernels.ko_point(state.board_vector, WHITE) == -1
    _play(state, "C4")  # black takes B4: white may not take back at once
    assert kernels.ko_point(state.board_vector, WHITE) == _p(state, "B4") == state.ko_point
    assert kernels.ko_point(state.board_vector, BLACK) == -1


def test_clear_ko_is_what_a_pass_does_to_the_board(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(KO)
    _play(state, "C4")
    s = state.board_vector.copy()
    kernels.clear_ko(s)
    assert kernels.ko_point(s, WHITE) == -1
    state.play(state.num_points)  # white passes
    assert np.array_equal(s, state.board_vector)


def test_set_ko_bans_a_point_of_a_board_rebuilt_from_stones(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(KO)
    _play(state, "C4")
    g, b4 = state.geometry, _p(state, "B4")
    s = kernels.new_board(5)
    kernels.rebuild(s, g.neighbours, g.zobrist, state.board_vector[: state.num_points].copy())
    assert kernels.ko_point(s, WHITE) == -1  # stones alone carry no ko
    assert kernels.check(s, g.neighbours, b4, WHITE, False) == kernels.OK
    kernels.set_ko(s, b4, WHITE)
    assert kernels.ko_point(s, WHITE) == b4 and kernels.ko_point(s, BLACK) == -1
    assert kernels.check(s, g.neighbours, b4, WHITE, False) == kernels.KO
    kernels.set_ko(s, -1, WHITE)
    assert kernels.check(s, g.neighbours, b4, WHITE, False) == kernels.OK


def test_stone_hash_is_the_zobrist_hash_of_the_stones(board_from_ascii: BoardFactory) -> None:
    state = board_from_ascii(KO)
    assert kernels.stone_hash(state.board_vector) == state.hash != 0
    before = state.hash
    _play(state, "C4")
    assert kernels.stone_hash(state.board_vector) == state.hash != before
    g = state.geometry
    s = kernels.new_board(5)
    kernels.rebuild(s, g.neighbours, g.zobrist, state.board_vector[: state.num_points].copy())
    assert kernels.stone_hash(s) == state.hash  # the same stones, the same hash
