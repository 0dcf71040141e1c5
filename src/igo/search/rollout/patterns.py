"""Local pattern features of AlphaGo's rollout and tree policies, compiled (numba).

Silver et al., Nature 529 (2016), Extended Data Table 4 and Methods "Rollout policy". Every
feature is a binary function of a candidate move; a policy's logit for a move is the sum of the
weights of the features it fires. "Own" is the side to move (colour normalisation).

| feature (ids)          | weights| fires for candidate a when                                     |
|------------------------|--------|----------------------------------------------------------------|
| response (0)           | 1      | a's response pattern (below) is in the vocabulary              |
| save atari (1)         | 1      | the previous move left an own string next to it in atari, and  |
|                        |        | a is its liberty and gives it 2+ liberties, or a captures an   |
|                        |        | opponent string in atari touching it                           |
| neighbour (2..9)       | 8      | a is one of the 8 points around the previous move (one weight  |
|                        |        | per direction)                                                 |
| nakade (10..8201)      | 8,192  | the previous move captured 3..6 own stones and a is the vital  |
|                        |        | point of that space (the unique point with the most neighbours |
|                        |        | in it, at least 2); one weight per shape: the 13-bit mask of   |
|                        |        | the space in the 12-point diamond around a, and a itself       |
| response pattern       | vocab. | a lies in the 12-point diamond around the previous move: that  |
|                        |        | diamond's pattern (12 points and the centre) and a's place     |
| non-response 3x3       | vocab. | always: the 8 points around a                                  |
| self-atari (8202)      | 1      | tree only: a captures nothing and leaves its string 1 liberty  |
| distance (8203..8236)  | 34     | tree only: Manhattan distance to the previous move (1..17+,    |
|                        |        | ids 8203..8219) and to the one before (8220..8236)             |
| non-response 12-point  | vocab. | tree only: the 12-point diamond around a                       |

A point of a pattern is one 4-bit *state*: bit 0 black, bit 1 white (both: off the board, none:
empty), bits 2-3 the liberties of the stone's string minus one, capped at 3+. A pattern is the
XOR of ``state << 4 k`` over its points k: a Zobrist hash whose keys are disjoint bit fields, so
it is collision-free, updates incrementally (``code ^= (old ^ new) << 4 k`` when point k
changes) and swaps colours with a few bit operations (``swap_colours``). Codes are kept with
black as "own"; a policy looks up ``swap_colours(code)`` when white is to move. Points of the
8-neighbourhood, in order: up, down, left, right, then the diagonals (-1,-1), (-1,+1), (+1,-1),
(+1,+1); the 12-point diamond adds (-2,0), (+2,0), (0,-2), (0,+2).

A candidate is *sensible* when it is legal (no suicide, not the simple-ko point) and fills no own
true eye; both are functions of the 3x3 pattern (``playable``), so policies give every other point
probability 0. Vocabularies (pattern -> weight index) are built from game records; a pattern not
in the vocabulary fires nothing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from igo.go.board import (
    atari_liberty,
    color_of,
    geometry,
    head_of,
    in_atari,
    next_stone,
    pseudo_liberties,
)
from igo.go.jit import inline, njit

OFF = 3
NUM_NEIGHBOURS, NUM_DIAMOND = 8, 12
OPPOSITE = np.array([1, 0, 3, 2, 7, 6, 5, 4], dtype=np.int64)
"""Slot of p in the 8-neighbourhood of its neighbour in slot k."""
_B_BITS, _W_BITS = 0x1111111111111, 0x2222222222222

# Feature ids: fixed features first, then the vocabulary.
RESPONSE, SAVE_ATARI, NEIGHBOUR, NAKADE = 0, 1, 2, 10
NUM_NAKADE = 1 << 13
SELF_ATARI = NAKADE + NUM_NAKADE
DISTANCE = SELF_ATARI + 1
MAX_DISTANCE = 17
NUM_FIXED = DISTANCE + 2 * MAX_DISTANCE

# Tags in bits 56-59 of a raw key say what it is; below them, the pattern code or fixed id.
TAG_FIXED, TAG_3X3, TAG_RESPONSE, TAG_DIAMOND = 0, 1, 2, 3
TAG_SHIFT = 56
SLOT_SHIFT = 52
TAG_NAMES = {TAG_3X3: "3x3", TAG_RESPONSE: "response", TAG_DIAMOND: "12-point"}

# Raw feature slots of a candidate (-1: not fired).
K_3X3, K_RESPONSE, K_NEIGHBOUR, K_SAVE, K_NAKADE, K_SELF_ATARI, K_DIST1, K_DIST2, K_DIAMOND = range(
    9
)
NUM_SLOTS = 9


class PatternGeometry(NamedTuple):
    """Per-size point tables of the pattern code."""

    size: int
    neighbours: np.ndarray
    """int64 [P, 4]: orthogonal neighbours (``igo.go.board.geometry``), -1 off the board."""
    zobrist: np.ndarray
    """int64 [3, P]: the board's Zobrist keys (for ``board.play``)."""
    diamond: np.ndarray
    """int64 [P, 12]: the 8-neighbourhood then the distance-2 points, -1 off the board."""


@lru_cache(maxsize=32)
def pattern_geometry(size: int) -> PatternGeometry:
    """The pattern tables of a ``size`` board (built once per size)."""
    g = geometry(size)
    offsets = [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]
    offsets += [(-2, 0), (2, 0), (0, -2), (0, 2)]
    diamond = np.full((size * size, NUM_DIAMOND), -1, dtype=np.int64)
    for p in range(size * size):
        r, c = divmod(p, size)
        for k, (dr, dc) in enumerate(offsets):
            if 0 <= r + dr < size and 0 <= c + dc < size:
                diamond[p, k] = (r + dr) * size + c + dc
    diamond.setflags(write=False)
    return PatternGeometry(size, g.neighbours, g.zobrist, diamond)


@inline
def swap_colours(code: int) -> int:
    """The pattern ``code`` with black and white exchanged (off-board points stay)."""
    b = code & _B_BITS
    w = code & _W_BITS
    return code ^ b ^ w ^ (b << 1) ^ (w >> 1)


def swap_colours_array(codes: np.ndarray) -> np.ndarray:
    """``swap_colours`` over an int64 array."""
    b, w = codes & _B_BITS, codes & _W_BITS
    swapped: np.ndarray = codes ^ b ^ w ^ (b << 1) ^ (w >> 1)
    return swapped


@inline
def own_view(code: int, mover: int) -> int:
    """``code`` (black = own) as the side ``mover`` sees it."""
    return code if mover == 1 else swap_colours(code)


# ----- point states and pattern codes -----
@njit
def liberty_bucket(s: np.ndarray, nbr: np.ndarray, n: int, h: int) -> int:
    """Liberties of the string headed at ``h`` minus one, capped at 2 (3 or more)."""
    if in_atari(s, n, h):
        return 0
    if pseudo_liberties(s, n, h) == 2:
        return 1  # two pseudo-liberties, not equal (else it would be in atari)
    a = b = -1
    r = h
    while True:
        for k in range(4):
            q = nbr[r, k]
            if q >= 0 and color_of(s, n, q) == 0 and q != a and q != b:
                if a < 0:
                    a = q
                elif b < 0:
                    b = q
                else:
                    return 2
        r = next_stone(s, n, r)
        if r == h:
            return 1


@njit
def point_states(s: np.ndarray, nbr: np.ndarray, states: np.ndarray) -> None:
    """Fill ``states`` [>= P] with every point's 4-bit state, from scratch."""
    n = nbr.shape[0]
    bucket = np.full(n, -1, dtype=np.int64)
    for p in range(n):
        c = color_of(s, n, p)
        if c == 0:
            states[p] = 0
            continue
        h = head_of(s, n, p)
        if bucket[h] < 0:
            bucket[h] = liberty_bucket(s, nbr, n, h)
        states[p] = c | (bucket[h] << 2)


@inline
def pattern_code(states: np.ndarray, diamond: np.ndarray, p: int, num: int) -> int:
    """The code of the first ``num`` diamond points around ``p`` (8: 3x3, 12: diamond)."""
    code = 0
    for k in range(num):
        q = diamond[p, k]
        code |= (states[q] if q >= 0 else OFF) << (4 * k)
    return code


@njit
def codes_3x3(states: np.ndarray, diamond: np.ndarray, codes: np.ndarray) -> None:
    """Fill ``codes`` [>= P] with every point's 3x3 code (black = own), from scratch."""
    for p in range(diamond.shape[0]):
        codes[p] = pattern_code(states, diamond, p, NUM_NEIGHBOURS)


@inline
def response_code(states: np.ndarray, diamond: np.ndarray, last: int) -> int:
    """The 12-point diamond around the previous move plus its centre (bits 48-51)."""
    return pattern_code(states, diamond, last, NUM_DIAMOND) | (int(states[last]) << 48)


@inline
def playable(code: int, mover: int) -> bool:
    """Whether ``mover`` may play an empty point of 3x3 ``code`` (black = own) without suicide
    and without filling its own true eye (the ko point aside): ``board.check`` and
    ``board.is_eye`` read off the pattern."""
    safe = False  # joins an own string of 2+ liberties, or captures
    all_own = True
    for k in range(4):
        x = (code >> (4 * k)) & 15
        c = x & 3
        if c == 0:
            return True
        if c == OFF:
            continue
        if c == mover:
            safe |= (x >> 2) > 0
        else:
            all_own = False
            safe |= (x >> 2) == 0
    if not safe:
        return False
    if not all_own:
        return True
    bad = 0
    edge = False
    for k in range(4, 8):
        c = (code >> (4 * k)) & 3
        if c == OFF:
            edge = True
        elif c == 3 - mover:
            bad += 1
    return bad > 0 if edge else bad > 1  # not a true eye


# ----- tactical features -----
@inline
def _add_point(a: int, b: int, q: int) -> tuple[int, int, bool]:
    """Record ``q`` among two distinct points ``a``, ``b``; True when it is a third."""
    if q == a or q == b:
        return a, b, False
    if a < 0:
        return q, b, False
    if b < 0:
        return a, q, False
    return a, b, True


@njit
def liberties_after(s: np.ndarray, nbr: np.ndarray, n: int, p: int, color: int) -> int:
    """Liberties (capped at 3) of the string ``color`` would form at empty ``p``, captures
    ignored."""
    a = b = -1
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and color_of(s, n, q) == 0:
            a, b, full = _add_point(a, b, q)
            if full:
                return 3
    for k in range(4):
        q = nbr[p, k]
        if q < 0 or color_of(s, n, q) != color:
            continue
        h = head_of(s, n, q)
        r = h
        while True:
            for j in range(4):
                t = nbr[r, j]
                if t >= 0 and t != p and color_of(s, n, t) == 0:
                    a, b, full = _add_point(a, b, t)
                    if full:
                        return 3
            r = next_stone(s, n, r)
            if r == h:
                break
    return (a >= 0) + (b >= 0)


@njit
def captures(s: np.ndarray, nbr: np.ndarray, n: int, p: int, color: int) -> bool:
    """Whether ``color`` at ``p`` captures: an opponent string next to it is in atari."""
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and color_of(s, n, q) == 3 - color and in_atari(s, n, head_of(s, n, q)):
            return True
    return False


@njit
def save_atari_points(
    s: np.ndarray, nbr: np.ndarray, n: int, last: int, mover: int, out: np.ndarray
) -> int:
    """Moves that save an own string next to the previous move from atari: its liberty if that
    gives 2+ liberties, and the liberty of every opponent string in atari touching it. Fills
    ``out`` [>= 16] and returns the count."""
    count = 0
    for k in range(4):
        q = nbr[last, k]
        if q < 0 or color_of(s, n, q) != mover:
            continue
        h = head_of(s, n, q)
        if not in_atari(s, n, h):
            continue
        lib = atari_liberty(s, n, h)
        if liberties_after(s, nbr, n, lib, mover) >= 2:
            count = _push_new(out, count, lib)
        r = h
        while True:
            for j in range(4):
                t = nbr[r, j]
                if t >= 0 and color_of(s, n, t) == 3 - mover:
                    ht = head_of(s, n, t)
                    if in_atari(s, n, ht):
                        count = _push_new(out, count, atari_liberty(s, n, ht))
            r = next_stone(s, n, r)
            if r == h:
                break
    return count


@inline
def _push_new(out: np.ndarray, count: int, p: int) -> int:
    for i in range(count):
        if out[i] == p:
            return count
    if count < out.shape[0]:
        out[count] = p
        count += 1
    return count


@njit
def nakade_point(captured: np.ndarray, num: int, diamond: np.ndarray) -> tuple[int, int]:
    """(vital point, shape mask) of the space left by ``captured[:num]`` (the stones the
    previous move took), or (-1, 0): 3..6 stones, and a unique point with the most neighbours
    in the space, at least 2. Mask bit k: diamond point k of the vital point is in the space
    (bit 12: the point itself)."""
    if num < 3 or num > 6:
        return -1, 0
    best, best_degree, tie = -1, 1, False
    for i in range(num):
        degree = 0
        for k in range(4):
            q = diamond[captured[i], k]
            for j in range(num):
                degree += q >= 0 and captured[j] == q
        if degree > best_degree:
            best, best_degree, tie = captured[i], degree, False
        elif degree == best_degree:
            tie = True
    if best < 0 or tie:
        return -1, 0
    mask = 1 << 12
    for k in range(NUM_DIAMOND):
        q = diamond[best, k]
        for j in range(num):
            if q >= 0 and captured[j] == q:
                mask |= 1 << k
    return best, mask


@inline
def distance_bucket(p: int, q: int, size: int) -> int:
    """Manhattan distance from ``p`` to ``q`` minus one, capped at MAX_DISTANCE - 1."""
    d = abs(p // size - q // size) + abs(p % size - q % size)
    return min(d, MAX_DISTANCE) - 1
