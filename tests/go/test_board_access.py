"""The board accessors code outside ``igo.go`` uses (``igo.go.board_access``), on ASCII positions,
and the rule that no module outside ``igo.go`` reaches the board vector's layout directly."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

import igo
from igo.go import board, board_core
from igo.go.coords import Color, from_gtp
from igo.go.state import GameState

BLACK, WHITE = int(Color.BLACK), int(Color.WHITE)

# White D5 is in atari (its liberty is E5). Black C5-C4-D4-D3 has six liberties (B5 B4 C3 E4 E3
# D2) and seven pseudo-liberties (C3 touches both C4 and D3). Black A1 stands alone.
POSITION = """
    . . X O .
    . . X X .
    . . . X .
    . . . . .
    X . . . .
"""


def _p(vertex: str) -> int:
    return from_gtp(vertex, 5)


def _position() -> tuple[GameState, np.ndarray, int]:
    state = GameState.from_ascii(POSITION)
    return state, state.board_vector, state.num_points


def _string(s: np.ndarray, n: int, h: int) -> set[int]:
    """The stones of the string headed at ``h``, following ``next_stone`` once round."""
    stones, r = [h], int(board.next_stone(s, n, h))
    while r != h:
        stones.append(r)
        r = int(board.next_stone(s, n, r))
    assert len(stones) == len(set(stones))  # once round: no stone twice
    return set(stones)


def test_board_size_points_and_colours() -> None:
    state, s, n = _position()
    assert int(board.n_of(s)) == n == 25
    assert int(board.board_size_of(s)) == 5
    assert int(board.board_size_of(GameState.new(19).board_vector)) == 19
    assert int(board.color_of(s, n, _p("C4"))) == BLACK
    assert int(board.color_of(s, n, _p("D5"))) == WHITE
    assert int(board.color_of(s, n, _p("B1"))) == 0
    colours = board.stones_of(s, n)
    assert np.array_equal(colours, state.stones())
    assert np.shares_memory(colours, s)  # a view: reading it copies nothing


def test_heads_and_the_circular_list_of_a_string() -> None:
    _, s, n = _position()
    h = int(board.head_of(s, n, _p("C5")))
    assert all(int(board.head_of(s, n, _p(v))) == h for v in ("C4", "D4", "D3"))
    assert _string(s, n, h) == {_p("C5"), _p("C4"), _p("D4"), _p("D3")}
    assert int(board.string_size(s, n, h)) == 4
    lone = int(board.head_of(s, n, _p("A1")))
    assert lone == _p("A1") and _string(s, n, lone) == {lone}
    assert int(board.string_size(s, n, lone)) == 1
    assert int(board.head_of(s, n, _p("B1"))) == -1  # an empty point heads nothing


def test_liberty_fields() -> None:
    state, s, n = _position()
    white = int(board.head_of(s, n, _p("D5")))
    assert board.in_atari(s, n, white)
    assert int(board.atari_liberty(s, n, white)) == _p("E5")
    black = int(board.head_of(s, n, _p("C4")))
    assert not board.in_atari(s, n, black)
    assert state.liberties(_p("C4")) == 6
    assert int(board.pseudo_liberties(s, n, black)) == 7
    assert int(board.pseudo_liberties(s, n, int(board.head_of(s, n, _p("A1"))))) == 2


def test_ko_accessors_after_a_capture() -> None:
    state = GameState.from_ascii("""
        . X O . .
        X O . O .
        . X O . .
        . . . . .
        . . . . .
    """)
    state.play(_p("C4"))  # black takes B4: white may not take back at once
    s = state.board_vector.copy()
    assert int(board.ko_point(s, WHITE)) == _p("B4") and int(board.ko_point(s, BLACK)) == -1
    board.clear_ko(s)
    assert int(board.ko_point(s, WHITE)) == -1
    board.set_ko(s, _p("B4"), WHITE)
    assert np.array_equal(s, state.board_vector)


# ----- the layout stays inside igo.go -----
LAYOUT = {
    name
    for name in dir(board_core)
    if name.startswith(("F_", "M_")) or name in ("NUM_FIELDS", "NUM_META")
}


def _layout_uses(path: Path) -> list[str]:
    """Where ``path`` names a layout constant or imports ``board_core``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("igo.go"):
            names = {alias.name for alias in node.names}
            if node.module == "igo.go.board_core" or "board_core" in names or names & LAYOUT:
                found.append(f"{path}:{node.lineno}: from {node.module} import {sorted(names)}")
        elif isinstance(node, ast.Import) and any(
            a.name == "igo.go.board_core" for a in node.names
        ):
            found.append(f"{path}:{node.lineno}: import igo.go.board_core")
        elif isinstance(node, ast.Attribute) and node.attr in LAYOUT:
            found.append(f"{path}:{node.lineno}: .{node.attr}")
    return found


def test_no_module_outside_go_reads_the_board_layout() -> None:
    assert {"F_COLOR", "F_HEAD", "M_KO", "NUM_FIELDS"} <= LAYOUT
    package = Path(igo.__file__).parent
    modules = [p for p in package.rglob("*.py") if package / "go" not in p.parents]
    assert len(modules) > 100
    found = [use for path in modules for use in _layout_uses(path)]
    assert not found, "use the accessors of igo.go.board instead:\n" + "\n".join(found)
