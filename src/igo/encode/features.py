"""Compiled per-string and per-move facts behind AlphaGo's hand-made input planes.

The engine keeps pseudo-liberties (see ``igo.go.board``), which tell atari exactly but not how many
liberties a string has; these kernels count exact liberties, and answer "what would a move here
do" (stones captured, size and liberties of the string it forms) without playing it, so a whole
19x19 board of candidate moves costs one pass over the board instead of 361 copies.

Marks: one int64 [P] array holds a *token* per question so it never needs clearing; a point gets
``3 * token`` when it is a stone the move would capture, ``3 * token + 1`` once counted as a
liberty, and ``3 * token + 2`` on the head of a friendly string already joined.
"""

from __future__ import annotations

import numpy as np

from igo.go.board import (
    EMPTY,
    color_of,
    head_of,
    in_atari,
    n_of,
    next_stone,
    string_size,
)
from igo.go.jit import njit


@njit
def string_liberties(s: np.ndarray, nbr: np.ndarray, out: np.ndarray) -> None:
    """Exact liberty count of every stone's string.

    Args:
        s: board vector (see ``igo.go.board``).
        nbr: int64 [P, 4] neighbour table.
        out: int64 [P]; each stone gets its string's liberties (empty points are left alone).
    """
    n = n_of(s)
    mark = np.full(n, -1, dtype=np.int64)
    for h in range(n):
        if color_of(s, n, h) == EMPTY or head_of(s, n, h) != h:
            continue
        libs = 0
        r = h
        while True:
            for k in range(4):
                q = nbr[r, k]
                if q >= 0 and color_of(s, n, q) == EMPTY and mark[q] != h:
                    mark[q] = h
                    libs += 1
            r = next_stone(s, n, r)
            if r == h:
                break
        while True:
            out[r] = libs
            r = next_stone(s, n, r)
            if r == h:
                break


@njit
def _mark_string(s: np.ndarray, n: int, h: int, mark: np.ndarray, value: int) -> int:
    """Set ``mark`` to ``value`` on every stone of the string headed at ``h``; return its size."""
    count = 0
    r = h
    while True:
        mark[r] = value
        count += 1
        r = next_stone(s, n, r)
        if r == h:
            return count


@njit
def _new_liberties(
    s: np.ndarray, nbr: np.ndarray, r: int, move: int, mark: np.ndarray, token: int
) -> int:
    """Liberties around stone ``r`` not counted yet, once ``move`` is played and its captures
    (marked ``3 * token``) are off the board."""
    n = n_of(s)
    found = 0
    for k in range(4):
        q = nbr[r, k]
        if q < 0 or q == move or mark[q] == 3 * token + 1:
            continue
        if color_of(s, n, q) == EMPTY or mark[q] == 3 * token:
            mark[q] = 3 * token + 1
            found += 1
    return found


@njit
def move_outcome(
    s: np.ndarray,
    nbr: np.ndarray,
    move: int,
    color: int,
    mark: np.ndarray,
    token: int,
    result: np.ndarray,
) -> None:
    """What ``color`` playing on the empty point ``move`` would do; the board is not changed.

    Args:
        s: board vector.
        nbr: int64 [P, 4] neighbour table.
        move: an empty point (legality is the caller's business).
        color: 1 black, 2 white.
        mark: int64 [P] scratch marks; ``token`` must be new for every call.
        token: a number not used before with this ``mark`` array.
        result: int64 [3]; gets (opponent stones captured, stones in the string the move forms,
            that string's liberties after the captures).
    """
    n = n_of(s)
    captured = 0
    for k in range(4):
        q = nbr[move, k]
        if q < 0 or color_of(s, n, q) != 3 - color:
            continue
        hq = head_of(s, n, q)
        if mark[hq] != 3 * token and in_atari(s, n, hq):
            captured += _mark_string(s, n, hq, mark, 3 * token)
    size = 1
    libs = _new_liberties(s, nbr, move, move, mark, token)
    for k in range(4):
        q = nbr[move, k]
        if q < 0 or color_of(s, n, q) != color:
            continue
        hq = head_of(s, n, q)
        if mark[hq] == 3 * token + 2:
            continue
        mark[hq] = 3 * token + 2
        size += string_size(s, n, hq)
        r = hq
        while True:
            libs += _new_liberties(s, nbr, r, move, mark, token)
            r = next_stone(s, n, r)
            if r == hq:
                break
    result[0] = captured
    result[1] = size
    result[2] = libs
