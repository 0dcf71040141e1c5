"""What code outside ``igo.go`` may read and set in a board vector, by name, never by index.

The layout of a board vector (``board.py``'s table, the ``F_*`` / ``M_*`` constants of
``board_core``) belongs to ``igo.go``: the encoders, the rollout patterns and the training
stages reach it only through these accessors, re-exported by ``igo.go.board``. Each is ``inline``
(numba IR inlining), so a compiled caller's loop compiles to exactly the indexing it would have
written by hand (``color_of(s, n, p)`` is ``s[F_COLOR * n + p]``); Python may call them too.

The per-point accessors take ``n``, the number of points (``n_of(s)``), as compiled loops have
it at hand; the string fields (``string_size``, the liberty fields) are read at a string's head
(``head_of``).
"""

from __future__ import annotations

import numpy as np

from igo.go.board_core import (
    F_COLOR,
    F_HEAD,
    F_LIBN,
    F_LIBQ,
    F_LIBS,
    F_NEXT,
    F_STONES,
    M_HASH,
    M_KO,
    M_KO_COLOR,
    M_SIZE,
    NUM_FIELDS,
    NUM_META,
)
from igo.go.jit import inline

__all__ = [
    "atari_liberty",
    "board_size_of",
    "clear_ko",
    "color_of",
    "head_of",
    "in_atari",
    "ko_point",
    "n_of",
    "next_stone",
    "pseudo_liberties",
    "set_ko",
    "stone_hash",
    "stones_of",
    "string_size",
]


# ----- the whole board -----
@inline
def n_of(s: np.ndarray) -> int:
    """Number of points of board vector ``s`` (from its length)."""
    return (s.shape[0] - NUM_META) // NUM_FIELDS


@inline
def board_size_of(s: np.ndarray) -> int:
    """The board's side length (``size`` of a ``size`` x ``size`` board)."""
    return s[_meta_at(s, M_SIZE)]


def stones_of(s: np.ndarray, n: int) -> np.ndarray:
    """int64 [n]: every point's colour (0 empty, 1 black, 2 white), a view into ``s``.

    Plain Python (a slice, a fraction of a microsecond; a compiled function's call from Python
    costs several times that): compiled code reads ``color_of`` point by point. ``n`` is the
    caller's (as ``color_of``'s): working it out from ``s`` here cost ``ZeroHistory.push`` a
    tenth of its time."""
    return s[F_COLOR * n : (F_COLOR + 1) * n]


# ----- points and strings (``n`` points; string fields at the string's head) -----
@inline
def color_of(s: np.ndarray, n: int, p: int) -> int:
    """The colour at point ``p``: 0 empty, 1 black, 2 white."""
    return s[F_COLOR * n + p]


@inline
def head_of(s: np.ndarray, n: int, p: int) -> int:
    """The head (representative point) of the string through stone ``p``; -1 on an empty point."""
    return s[F_HEAD * n + p]


@inline
def next_stone(s: np.ndarray, n: int, p: int) -> int:
    """The stone after ``p`` in its string's circular list: from a head, following ``next_stone``
    until the head comes back visits every stone of the string once."""
    return s[F_NEXT * n + p]


@inline
def string_size(s: np.ndarray, n: int, h: int) -> int:
    """The number of stones of the string headed at ``h``."""
    return s[F_STONES * n + h]


@inline
def pseudo_liberties(s: np.ndarray, n: int, h: int) -> int:
    """The string's pseudo-liberty count ((stone, empty neighbour) pairs, an empty point counted
    once per stone it touches): 0 exactly when it has no liberty, at least its liberty count."""
    return s[F_LIBN * n + h]


@inline
def in_atari(s: np.ndarray, n: int, h: int) -> bool:
    """Whether the string headed at ``h`` has exactly one liberty."""
    c = s[F_LIBN * n + h]
    return c > 0 and c * s[F_LIBQ * n + h] == s[F_LIBS * n + h] * s[F_LIBS * n + h]


@inline
def atari_liberty(s: np.ndarray, n: int, h: int) -> int:
    """The one liberty of the string headed at ``h``, which must be in atari (``in_atari``): all
    its pseudo-liberties are that point, so their sum over their count is it."""
    return s[F_LIBS * n + h] // s[F_LIBN * n + h]


# ----- the meta entries -----
@inline
def _meta_at(s: np.ndarray, entry: int) -> int:
    """The index of meta entry ``entry`` (``M_*``) in board vector ``s``: the meta entries are
    its last NUM_META (one subtraction, no division by NUM_FIELDS)."""
    length: int = s.shape[0]
    return length - NUM_META + entry


@inline
def ko_point(s: np.ndarray, color: int) -> int:
    """The point ``color`` may not play now by simple ko, or -1 (``GameState.ko_point``)."""
    return int(s[_meta_at(s, M_KO)]) if s[_meta_at(s, M_KO_COLOR)] == color else -1


@inline
def set_ko(s: np.ndarray, point: int, color: int) -> None:
    """Forbid ``color`` to play ``point`` by simple ko (-1: no ban), as a board rebuilt from
    stones needs (``rebuild`` clears the ko)."""
    s[_meta_at(s, M_KO)] = point
    s[_meta_at(s, M_KO_COLOR)] = color


@inline
def clear_ko(s: np.ndarray) -> None:
    """Lift the simple-ko ban, as a pass does."""
    s[_meta_at(s, M_KO)] = -1


@inline
def stone_hash(s: np.ndarray) -> int:
    """The Zobrist hash of the stones (``GameState.hash``)."""
    return int(s[_meta_at(s, M_HASH)])
