"""Compiling the rules kernels ahead of use, with the argument types ``GameState`` passes them.

numba compiles a kernel on its first call, for the types of that call's arguments. A GTP engine
that must answer ``play`` at once runs ``GameState`` on the kernels' interpreted twins
(``KERNELS.interpret()``) while a background thread calls ``compile_rules_kernels``, then switches
back (``KERNELS.use_compiled()``). The warm-up plays real games through a ``GameState`` subclass
pinned to the compiled kernels, so it calls them exactly as ``GameState`` does.
"""

from __future__ import annotations

from typing import ClassVar

from igo.go.board import KERNELS
from igo.go.coords import Color
from igo.go.jit import KernelSet
from igo.go.rules import Rules
from igo.go.sensible import sensible_moves
from igo.go.state import GameState

__all__ = ["compile_rules_kernels"]

# A 5x5 game with a capture, a ko and a refused suicide (coordinates are flat indices).
_BOARD = """
. X O . .
X O . O .
. X O . .
. . . . .
. . . . .
"""
_MOVES = ((Color.BLACK, 7), (Color.WHITE, 24), (Color.BLACK, 23))


class _CompiledState(GameState):
    """A GameState that always calls the compiled kernels, whatever ``KERNELS`` runs."""

    kernels: ClassVar[KernelSet] = KERNELS.pinned()


def compile_rules_kernels() -> None:
    """Compile (or load from numba's disk cache) every kernel ``GameState`` calls.

    Plays a short game under simple ko and under positional superko with multi-stone suicide
    (the two kinds of legality check), asking each question ``GameState`` can ask.
    """
    for rules in (Rules(ko="simple"), Rules(ko="positional", multi_stone_suicide=True)):
        empty = _CompiledState(5, rules)  # clears a board
        empty.play(12)
        state = _CompiledState.from_ascii(_BOARD, rules)  # rebuild, count_liberties
        for color, point in _MOVES:  # check (and hash_after under superko), play with capture
            state.play(point, color)
        state.legal_mask()  # legal_mask, or legal_points under superko
        state.legal_moves()  # legal_list under simple ko
        state.is_eye(0, Color.BLACK)
        sensible_moves(state)  # clear_eyes
        state.liberties(1)
        state.undo()
