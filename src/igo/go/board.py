"""Compiled board kernels: stones, strings, liberties, captures and legality over one int64 array.

A board of ``P = size * size`` points is a single ``int64`` vector ``s`` (struct-of-arrays, so a
copy is one ``np.copy`` and many boards stack into one matrix):

| slice            | field      | meaning                                                      |
|------------------|------------|--------------------------------------------------------------|
| ``[0P, 1P)``     | colour     | 0 empty, 1 black, 2 white                                    |
| ``[1P, 2P)``     | head       | the string's representative point (-1 on empty points)       |
| ``[2P, 3P)``     | next       | circular list of the string's stones                         |
| ``[3P, 4P)``     | stones     | at a head: the string's stone count                          |
| ``[4P, 5P)``     | lib count  | at a head: pseudo-liberties (stone, empty neighbour) pairs   |
| ``[5P, 6P)``     | lib sum    | at a head: sum of those liberty points                       |
| ``[6P, 7P)``     | lib sumsq  | at a head: sum of their squares                              |
| ``[7P, 8P)``     | empty list | the empty points, in no order                                |
| ``[8P, 9P)``     | empty pos  | index of each empty point in the empty list                  |
| ``9P + 0..6``    | meta       | ko point, ko colour, hash, captures by B, by W, #empty, size |

Pseudo-liberties (libEGo's trick) make play O(1) amortised: a string is captured when its count is
0, and is in atari exactly when all its pseudo-liberties are one point, i.e. when
``count * sumsq == sum ** 2`` (Cauchy-Schwarz holds with equality only for equal terms).
Exact liberty counts, when an encoder needs them, come from ``count_liberties``.

The mechanics live in ``board_core`` as inline kernels over views of ``s``; the functions here
are their callable (non-inline) entry points for Python and for other compiled code. Code outside
``igo.go`` reads and sets a board vector only through the inline accessors of ``board_access``
(``color_of``, ``head_of``, ``next_stone``, ``string_size``, the liberty fields, ``ko_point``,
``set_ko``, ``clear_ko``, ``stone_hash``, ``board_size_of``...), re-exported here, never by index.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from igo.go.board_access import (
    atari_liberty,
    board_size_of,
    clear_ko,
    color_of,
    head_of,
    in_atari,
    ko_point,
    n_of,
    next_stone,
    pseudo_liberties,
    set_ko,
    stone_hash,
    stones_of,
    string_size,
)
from igo.go.board_core import (
    BLACK,
    EMPTY,
    F_COLOR,
    F_ELIST,
    F_EPOS,
    F_HEAD,
    F_NEXT,
    KO,
    M_CAP_B,
    M_CAP_W,
    M_HASH,
    M_KO,
    M_NEMPTY,
    M_SIZE,
    NUM_FIELDS,
    NUM_META,
    OCCUPIED,
    OK,
    SUICIDE,
    WHITE,
    atari,
    check_v,
    fields,
    is_eye_v,
    kernel,
    loop_kernel,
    place,
    play_v,
)
from igo.go.jit import KernelSet, inline, njit

# The layout constants (F_*, M_*, NUM_FIELDS, NUM_META) are board_core's and igo.go's alone:
# code outside igo.go uses the accessors of board_access, re-exported here.
__all__ = [
    "BLACK",
    "EMPTY",
    "KO",
    "OCCUPIED",
    "OK",
    "SUICIDE",
    "WHITE",
    "KERNELS",
    "Geometry",
    "atari_liberty",
    "board_size_of",
    "check",
    "clear_eyes",
    "clear_ko",
    "color_of",
    "count_liberties",
    "geometry",
    "hash_after",
    "head_of",
    "in_atari",
    "is_eye",
    "ko_point",
    "legal_list",
    "legal_mask",
    "legal_points",
    "n_of",
    "new_board",
    "next_stone",
    "place_stone",
    "play",
    "pseudo_liberties",
    "rebuild",
    "set_ko",
    "stone_hash",
    "stones_of",
    "string_size",
]


class Geometry(NamedTuple):
    """Per-size lookup tables shared by every board of that size."""

    size: int
    neighbours: np.ndarray
    """int64 [P, 4]: orthogonal neighbours, -1 off the board."""
    diagonals: np.ndarray
    """int64 [P, 4]: diagonal neighbours, -1 off the board."""
    zobrist: np.ndarray
    """int64 [3, P]: random keys per colour and point (row 0 unused)."""


@lru_cache(maxsize=32)
def geometry(size: int) -> Geometry:
    """The lookup tables of a ``size`` board (built once per size; the keys are seeded by size)."""
    num_points = size * size
    nbr = np.full((num_points, 4), -1, dtype=np.int64)
    diag = np.full((num_points, 4), -1, dtype=np.int64)
    for p in range(num_points):
        r, c = divmod(p, size)
        for k, (dr, dc) in enumerate(((-1, 0), (1, 0), (0, -1), (0, 1))):
            if 0 <= r + dr < size and 0 <= c + dc < size:
                nbr[p, k] = (r + dr) * size + c + dc
        for k, (dr, dc) in enumerate(((-1, -1), (-1, 1), (1, -1), (1, 1))):
            if 0 <= r + dr < size and 0 <= c + dc < size:
                diag[p, k] = (r + dr) * size + c + dc
    rng = np.random.default_rng(0x5EED + size)
    zob = rng.integers(-(2**63), 2**63 - 1, size=(3, num_points), dtype=np.int64)
    zob[0] = 0
    for table in (nbr, diag, zob):
        table.setflags(write=False)
    return Geometry(size, nbr, diag, zob)


def new_board(size: int, kernels: KernelSet | None = None) -> np.ndarray:
    """An empty board vector for ``size`` (cleared by ``kernels``, default the compiled ones)."""
    s = np.zeros(NUM_FIELDS * size * size + NUM_META, dtype=np.int64)
    (_clear if kernels is None else kernels.clear)(s, size)
    return s


@njit
def _clear(s: np.ndarray, size: int) -> None:
    n = size * size
    s[:] = 0
    for p in range(n):
        s[F_HEAD * n + p] = -1
        s[F_ELIST * n + p] = p
        s[F_EPOS * n + p] = p
    m = NUM_FIELDS * n
    s[m + M_KO] = -1
    s[m + M_NEMPTY] = n
    s[m + M_SIZE] = size


@kernel
def place_stone(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int) -> int:
    """Put a stone on empty ``p`` and join it to its friends, capturing nothing.

    Returns the head of its string."""
    v, meta = fields(s)
    return place(v, meta, nbr, zob, p, color)[0]


@kernel
def play(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int) -> int:
    """Play a move already known to be legal (see ``check``). Returns the stones it captured.

    A multi-stone suicide (legal under some rules) removes the mover's own string and credits the
    opponent with it; it returns minus that count.
    """
    v, meta = fields(s)
    return play_v(v, meta, nbr, zob, p, color)


@kernel
def check(s: np.ndarray, nbr: np.ndarray, p: int, color: int, multi_suicide: bool) -> int:
    """Basic legality of ``color`` at ``p``: OK, OCCUPIED, SUICIDE or KO (simple ko only)."""
    v, meta = fields(s)
    return check_v(v, meta, nbr, p, color, multi_suicide)


@inline
def _xor_strings(
    v: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int, only_atari: bool
) -> int:
    """XOR of the keys of every stone of the distinct ``color`` strings next to ``p`` (only the
    strings in atari when ``only_atari``); 0 if there are none."""
    h = 0
    seen0 = seen1 = seen2 = -1  # heads already counted (scalars: no allocation per call)
    for k in range(4):
        q = nbr[p, k]
        if q < 0 or v[F_COLOR, q] != color:
            continue
        hq = v[F_HEAD, q]
        if hq == seen0 or hq == seen1 or hq == seen2:
            continue
        if only_atari and not atari(v, hq):
            continue
        if k == 0:
            seen0 = hq
        elif k == 1:
            seen1 = hq
        else:
            seen2 = hq
        r = hq
        while True:
            h ^= zob[color, r]
            r = v[F_NEXT, r]
            if r == hq:
                break
    return h


@inline
def _keeps_liberty(v: np.ndarray, nbr: np.ndarray, p: int, color: int) -> bool:
    """Whether a non-capturing ``color`` stone at ``p`` would have a liberty."""
    for k in range(4):
        q = nbr[p, k]
        if q < 0:
            continue
        c = v[F_COLOR, q]
        if c == EMPTY or (c == color and not atari(v, v[F_HEAD, q])):
            return True
    return False


@inline
def _hash_after_v(
    v: np.ndarray, meta: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int
) -> int:
    h = meta[M_HASH] ^ zob[color, p]
    captured = _xor_strings(v, nbr, zob, p, 3 - color, True)
    if captured != 0 or _keeps_liberty(v, nbr, p, color):
        return h ^ captured
    # A legal move that captures nothing and keeps no liberty is a multi-stone suicide: the new
    # stone and the friendly strings it joins all leave the board.
    return h ^ zob[color, p] ^ _xor_strings(v, nbr, zob, p, color, False)


@kernel
def hash_after(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int) -> int:
    """Zobrist hash of the stones after ``color`` plays a legal move at ``p`` (board unchanged)."""
    v, meta = fields(s)
    return _hash_after_v(v, meta, nbr, zob, p, color)


@loop_kernel
def legal_points(
    s: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    color: int,
    multi_suicide: bool,
    mask: np.ndarray,
    hashes: np.ndarray,
) -> None:
    """Fill ``mask`` [P] (or longer: the rest is left alone) with basic legality and ``hashes``
    [P] with each legal move's hash."""
    v, meta = fields(s)
    for p in range(v.shape[1]):
        ok = check_v(v, meta, nbr, p, color, multi_suicide) == OK
        mask[p] = ok
        hashes[p] = _hash_after_v(v, meta, nbr, zob, p, color) if ok else 0


@loop_kernel
def legal_mask(
    s: np.ndarray, nbr: np.ndarray, color: int, multi_suicide: bool, mask: np.ndarray
) -> int:
    """Fill ``mask`` [P] (or longer: the rest is left alone) with basic legality (``check`` is
    OK), no hashes (enough under simple ko). Returns the number of legal points."""
    v, meta = fields(s)
    count = 0
    for p in range(v.shape[1]):
        ok = check_v(v, meta, nbr, p, color, multi_suicide) == OK
        mask[p] = ok
        count += ok
    return count


@loop_kernel
def legal_list(
    s: np.ndarray, nbr: np.ndarray, color: int, multi_suicide: bool, out: np.ndarray
) -> int:
    """Write the points where ``check`` is OK into ``out`` (at least [P]), in increasing order;
    returns how many (no hashes: enough under simple ko)."""
    v, meta = fields(s)
    count = 0
    for p in range(v.shape[1]):
        if check_v(v, meta, nbr, p, color, multi_suicide) == OK:
            out[count] = p
            count += 1
    return count


@kernel
def is_eye(s: np.ndarray, nbr: np.ndarray, diag: np.ndarray, p: int, color: int) -> bool:
    """Whether empty ``p`` is a true eye of ``color``: all orthogonal neighbours are its stones,
    and opponents hold no diagonal on the edge, at most one in the centre."""
    v, _ = fields(s)
    return is_eye_v(v, nbr, diag, p, color)


@loop_kernel
def clear_eyes(
    s: np.ndarray, nbr: np.ndarray, diag: np.ndarray, color: int, mask: np.ndarray
) -> None:
    """Set ``mask[p]`` False at every true eye ``p`` of ``color`` (``is_eye``) among its first
    P entries (the rest, pass for one, is left alone)."""
    v, _ = fields(s)
    for p in range(v.shape[1]):
        if mask[p] and is_eye_v(v, nbr, diag, p, color):
            mask[p] = False


@njit
def count_liberties(s: np.ndarray, nbr: np.ndarray, p: int) -> int:
    """Exact number of liberties of the string through stone ``p``."""
    n = n_of(s)
    h = s[F_HEAD * n + p]
    mark = np.zeros(n, dtype=np.bool_)
    libs = 0
    r = h
    while True:
        for k in range(4):
            q = nbr[r, k]
            if q >= 0 and s[F_COLOR * n + q] == EMPTY and not mark[q]:
                mark[q] = True
                libs += 1
        r = s[F_NEXT * n + r]
        if r == h:
            break
    return libs


@njit
def rebuild(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, stones: np.ndarray) -> None:
    """Set the board to ``stones`` [P] (0/1/2), rebuilding strings; ko cleared, captures kept."""
    n = n_of(s)
    m = NUM_FIELDS * n
    cap_b, cap_w = s[m + M_CAP_B], s[m + M_CAP_W]
    size = s[m + M_SIZE]
    _clear(s, size)
    v, meta = fields(s)
    for p in range(n):
        if stones[p] != EMPTY:
            place(v, meta, nbr, zob, p, stones[p])
    s[m + M_CAP_B], s[m + M_CAP_W] = cap_b, cap_w


KERNELS = KernelSet(
    clear=_clear,
    check=check,
    play=play,
    hash_after=hash_after,
    legal_points=legal_points,
    legal_mask=legal_mask,
    legal_list=legal_list,
    is_eye=is_eye,
    clear_eyes=clear_eyes,
    count_liberties=count_liberties,
    rebuild=rebuild,
)
"""The kernels ``GameState`` calls, by name: compiled, or their interpreted twins while a cold
start compiles them (``igo.go.warm``)."""
