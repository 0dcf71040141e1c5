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
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numba as nb
import numpy as np

EMPTY, BLACK, WHITE = 0, 1, 2
OK, OCCUPIED, SUICIDE, KO = 0, 1, 2, 3

F_COLOR, F_HEAD, F_NEXT, F_STONES, F_LIBN, F_LIBS, F_LIBQ, F_ELIST, F_EPOS = range(9)
NUM_FIELDS = 9
M_KO, M_KO_COLOR, M_HASH, M_CAP_B, M_CAP_W, M_NEMPTY, M_SIZE = range(7)
NUM_META = 8


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


@nb.njit(cache=True, inline="always")
def n_of(s: np.ndarray) -> int:
    """Number of points of board vector ``s`` (from its length)."""
    return (s.shape[0] - NUM_META) // NUM_FIELDS


def new_board(size: int) -> np.ndarray:
    """An empty board vector for ``size``."""
    s = np.zeros(NUM_FIELDS * size * size + NUM_META, dtype=np.int64)
    _clear(s, size)
    return s


@nb.njit(cache=True)
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


@nb.njit(cache=True, inline="always")
def _empty_remove(s: np.ndarray, n: int, p: int) -> None:
    m = NUM_FIELDS * n
    last_i = s[m + M_NEMPTY] - 1
    i = s[F_EPOS * n + p]
    last = s[F_ELIST * n + last_i]
    s[F_ELIST * n + i] = last
    s[F_EPOS * n + last] = i
    s[m + M_NEMPTY] = last_i


@nb.njit(cache=True, inline="always")
def _empty_add(s: np.ndarray, n: int, p: int) -> None:
    m = NUM_FIELDS * n
    k = s[m + M_NEMPTY]
    s[F_ELIST * n + k] = p
    s[F_EPOS * n + p] = k
    s[m + M_NEMPTY] = k + 1


@nb.njit(cache=True, inline="always")
def _add_lib(s: np.ndarray, n: int, h: int, p: int, sign: int) -> None:
    s[F_LIBN * n + h] += sign
    s[F_LIBS * n + h] += sign * p
    s[F_LIBQ * n + h] += sign * p * p


@nb.njit(cache=True, inline="always")
def in_atari(s: np.ndarray, n: int, h: int) -> bool:
    """Whether the string headed at ``h`` has exactly one liberty."""
    c = s[F_LIBN * n + h]
    return c > 0 and c * s[F_LIBQ * n + h] == s[F_LIBS * n + h] * s[F_LIBS * n + h]


@nb.njit(cache=True)
def _merge(s: np.ndarray, n: int, a: int, b: int) -> int:
    """Join the strings headed at ``a`` and ``b``; relabel the smaller. Returns the new head."""
    if s[F_STONES * n + a] < s[F_STONES * n + b]:
        a, b = b, a
    r = b
    while True:
        s[F_HEAD * n + r] = a
        r = s[F_NEXT * n + r]
        if r == b:
            break
    # splice the two circular lists
    na, nb_ = s[F_NEXT * n + a], s[F_NEXT * n + b]
    s[F_NEXT * n + a] = nb_
    s[F_NEXT * n + b] = na
    for f in (F_STONES, F_LIBN, F_LIBS, F_LIBQ):
        s[f * n + a] += s[f * n + b]
    return a


@nb.njit(cache=True)
def _remove_string(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, n: int, h: int) -> int:
    """Take the string headed at ``h`` off the board. Returns the number of stones removed."""
    color = s[F_COLOR * n + h]
    m = NUM_FIELDS * n
    count = 0
    r = h
    while True:
        s[F_COLOR * n + r] = EMPTY
        s[m + M_HASH] ^= zob[color, r]
        count += 1
        r = s[F_NEXT * n + r]
        if r == h:
            break
    while True:
        nxt = s[F_NEXT * n + r]
        s[F_HEAD * n + r] = -1
        s[F_NEXT * n + r] = r
        _empty_add(s, n, r)
        for k in range(4):
            q = nbr[r, k]
            if q >= 0 and s[F_COLOR * n + q] != EMPTY:
                _add_lib(s, n, s[F_HEAD * n + q], r, 1)
        r = nxt
        if r == h:
            break
    return count


@nb.njit(cache=True)
def place_stone(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int) -> int:
    """Put a stone on empty ``p`` and join it to its friends, capturing nothing.

    Returns the head of its string."""
    n = n_of(s)
    s[F_COLOR * n + p] = color
    s[F_HEAD * n + p] = p
    s[F_NEXT * n + p] = p
    s[F_STONES * n + p] = 1
    s[F_LIBN * n + p] = 0
    s[F_LIBS * n + p] = 0
    s[F_LIBQ * n + p] = 0
    s[NUM_FIELDS * n + M_HASH] ^= zob[color, p]
    _empty_remove(s, n, p)
    for k in range(4):
        q = nbr[p, k]
        if q < 0:
            continue
        if s[F_COLOR * n + q] == EMPTY:
            _add_lib(s, n, p, q, 1)
        else:
            _add_lib(s, n, s[F_HEAD * n + q], p, -1)
    h = p
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and s[F_COLOR * n + q] == color and s[F_HEAD * n + q] != h:
            h = _merge(s, n, h, s[F_HEAD * n + q])
    return h


@nb.njit(cache=True)
def play(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int) -> int:
    """Play a move already known to be legal (see ``check``). Returns the stones it captured.

    A multi-stone suicide (legal under some rules) removes the mover's own string and credits the
    opponent with it; it returns minus that count.
    """
    n = n_of(s)
    m = NUM_FIELDS * n
    opp = 3 - color
    s[m + M_KO] = -1
    h = place_stone(s, nbr, zob, p, color)
    captured = 0
    last_captured = -1
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and s[F_COLOR * n + q] == opp:
            hq = s[F_HEAD * n + q]
            if s[F_LIBN * n + hq] == 0:
                captured += _remove_string(s, nbr, zob, n, hq)
                last_captured = q
    h = s[F_HEAD * n + p]
    if captured:
        s[m + M_CAP_B + color - 1] += captured
        # Simple ko: one stone took one stone and now sits alone with that single liberty.
        if captured == 1 and s[F_STONES * n + h] == 1 and s[F_LIBN * n + h] == 1:
            s[m + M_KO] = last_captured
            s[m + M_KO_COLOR] = opp
        return captured
    if s[F_LIBN * n + h] == 0:
        lost = _remove_string(s, nbr, zob, n, h)
        s[m + M_CAP_B + opp - 1] += lost
        return -lost
    return 0


@nb.njit(cache=True)
def check(s: np.ndarray, nbr: np.ndarray, p: int, color: int, multi_suicide: bool) -> int:
    """Basic legality of ``color`` at ``p``: OK, OCCUPIED, SUICIDE or KO (simple ko only)."""
    n = n_of(s)
    m = NUM_FIELDS * n
    if s[F_COLOR * n + p] != EMPTY:
        return OCCUPIED
    if p == s[m + M_KO] and color == s[m + M_KO_COLOR]:
        return KO
    has_friend = False
    for k in range(4):
        q = nbr[p, k]
        if q < 0:
            continue
        c = s[F_COLOR * n + q]
        if c == EMPTY:
            return OK
        atari = in_atari(s, n, s[F_HEAD * n + q])
        if c == color:
            has_friend = True
            if not atari:
                return OK
        elif atari:
            return OK
    if multi_suicide and has_friend:
        return OK
    return SUICIDE


@nb.njit(cache=True)
def _xor_strings(
    s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int, only_atari: bool
) -> int:
    """XOR of the keys of every stone of the distinct ``color`` strings next to ``p`` (only the
    strings in atari when ``only_atari``); 0 if there are none."""
    n = n_of(s)
    h = 0
    seen = np.full(4, -1, dtype=np.int64)
    for k in range(4):
        q = nbr[p, k]
        if q < 0 or s[F_COLOR * n + q] != color:
            continue
        hq = s[F_HEAD * n + q]
        if hq == seen[0] or hq == seen[1] or hq == seen[2]:
            continue
        if only_atari and not in_atari(s, n, hq):
            continue
        seen[k] = hq
        r = hq
        while True:
            h ^= zob[color, r]
            r = s[F_NEXT * n + r]
            if r == hq:
                break
    return h


@nb.njit(cache=True)
def _keeps_liberty(s: np.ndarray, nbr: np.ndarray, p: int, color: int) -> bool:
    """Whether a non-capturing ``color`` stone at ``p`` would have a liberty."""
    n = n_of(s)
    for k in range(4):
        q = nbr[p, k]
        if q < 0:
            continue
        c = s[F_COLOR * n + q]
        if c == EMPTY or (c == color and not in_atari(s, n, s[F_HEAD * n + q])):
            return True
    return False


@nb.njit(cache=True)
def hash_after(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, p: int, color: int) -> int:
    """Zobrist hash of the stones after ``color`` plays a legal move at ``p`` (board unchanged)."""
    n = n_of(s)
    h = s[NUM_FIELDS * n + M_HASH] ^ zob[color, p]
    captured = _xor_strings(s, nbr, zob, p, 3 - color, True)
    if captured != 0 or _keeps_liberty(s, nbr, p, color):
        return h ^ captured
    # A legal move that captures nothing and keeps no liberty is a multi-stone suicide: the new
    # stone and the friendly strings it joins all leave the board.
    return h ^ zob[color, p] ^ _xor_strings(s, nbr, zob, p, color, False)


@nb.njit(cache=True)
def legal_points(
    s: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    color: int,
    multi_suicide: bool,
    mask: np.ndarray,
    hashes: np.ndarray,
) -> None:
    """Fill ``mask`` [P] with basic legality and ``hashes`` [P] with each legal move's hash."""
    n = n_of(s)
    for p in range(n):
        ok = check(s, nbr, p, color, multi_suicide) == OK
        mask[p] = ok
        hashes[p] = hash_after(s, nbr, zob, p, color) if ok else 0


@nb.njit(cache=True)
def is_eye(s: np.ndarray, nbr: np.ndarray, diag: np.ndarray, p: int, color: int) -> bool:
    """Whether empty ``p`` is a true eye of ``color``: all orthogonal neighbours are its stones,
    and opponents hold no diagonal on the edge, at most one in the centre."""
    n = n_of(s)
    if s[F_COLOR * n + p] != EMPTY:
        return False
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and s[F_COLOR * n + q] != color:
            return False
    bad = 0
    edge = False
    for k in range(4):
        q = diag[p, k]
        if q < 0:
            edge = True
        elif s[F_COLOR * n + q] == 3 - color:
            bad += 1
    return bad == 0 if edge else bad <= 1


@nb.njit(cache=True)
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


@nb.njit(cache=True)
def rebuild(s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, stones: np.ndarray) -> None:
    """Set the board to ``stones`` [P] (0/1/2), rebuilding strings; ko cleared, captures kept."""
    n = n_of(s)
    m = NUM_FIELDS * n
    cap_b, cap_w = s[m + M_CAP_B], s[m + M_CAP_W]
    size = s[m + M_SIZE]
    _clear(s, size)
    for p in range(n):
        if stones[p] != EMPTY:
            place_stone(s, nbr, zob, p, stones[p])
    s[m + M_CAP_B], s[m + M_CAP_W] = cap_b, cap_w
