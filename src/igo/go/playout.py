"""Compiled random playouts, area counting and Monte Carlo ownership.

A playout plays uniformly random legal moves that do not fill the mover's own true eye until both
sides pass or a move cap is reached, then counts the board by Tromp-Taylor area. Playouts forbid
all suicide and use simple ko only, whatever the game's rules: a random policy gains nothing from
either, and this is what Pachi and GNU Go's Monte Carlo modes do too.

Randomness comes from an explicit xorshift64* state (a one-element uint64 array), so a seed fully
determines a playout and no hidden global generator is involved.
"""

from __future__ import annotations

import numpy as np

from igo.go.board import n_of
from igo.go.board_core import (
    EMPTY,
    F_COLOR,
    F_ELIST,
    F_EPOS,
    M_KO,
    M_KO_COLOR,
    M_NEMPTY,
    fields,
    kernel,
    loop_kernel,
)
from igo.go.board_core import play_v as _play_v
from igo.go.board_core import playable as _playable
from igo.go.jit import inline, njit


def new_rng(seed: int) -> np.ndarray:
    """A xorshift64* state for the compiled functions (never zero)."""
    mixed = (seed * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) % (1 << 64)
    return np.array([mixed or 1], dtype=np.uint64)


@inline
def rand_below(rng: np.ndarray, bound: int) -> int:
    """A uniform integer in [0, bound) from the xorshift64* state ``rng``."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    r = x * np.uint64(0x2545F4914F6CDD1D)
    if bound >> 32:
        return int(np.int64(r % np.uint64(bound)))
    # Lemire's multiply-shift on the top 32 bits instead of a modulo: a 64-bit division costs
    # tens of cycles, a fair share of a move (the bias is below bound / 2**32). The result is
    # made int64 because numba turns uint64-with-int64 arithmetic in callers into float64.
    return int(np.int64(((r >> np.uint64(32)) * np.uint64(bound)) >> np.uint64(32)))


@inline
def _random_move_v(
    v: np.ndarray, meta: np.ndarray, nbr: np.ndarray, diag: np.ndarray, color: int, rng: np.ndarray
) -> int:
    """``random_move`` on the views (inlined into ``run_playout``)."""
    k = meta[M_NEMPTY]
    ko = meta[M_KO] if meta[M_KO_COLOR] == color else -1
    while k > 0:
        j = rand_below(rng, k)
        p = v[F_ELIST, j]
        if p != ko and _playable(v, nbr, diag, p, color):
            return p
        k -= 1
        last = v[F_ELIST, k]
        v[F_ELIST, j] = last
        v[F_EPOS, last] = j
        v[F_ELIST, k] = p
        v[F_EPOS, p] = k
    return -1


@kernel
def random_move(
    s: np.ndarray, nbr: np.ndarray, diag: np.ndarray, color: int, rng: np.ndarray
) -> int:
    """A uniformly random legal move of ``color`` that fills no own true eye; -1 if none (pass).

    Draws from the empty-point list without replacement: a rejected point is swapped behind the
    shrinking window of candidates, so every acceptable point is equally likely. This reorders
    the empty list of ``s`` (which has no meaningful order), nothing else.
    """
    v, meta = fields(s)
    return _random_move_v(v, meta, nbr, diag, color, rng)


@loop_kernel
def run_playout(
    s: np.ndarray,
    nbr: np.ndarray,
    diag: np.ndarray,
    zob: np.ndarray,
    to_play: int,
    max_moves: int,
    rng: np.ndarray,
) -> int:
    """Play random moves on ``s`` in place until two passes or ``max_moves``. Returns moves played
    (passes excluded)."""
    v, meta = fields(s)
    passes = 0
    played = 0
    color = to_play
    for _ in range(max_moves):
        p = _random_move_v(v, meta, nbr, diag, color, rng)
        if p < 0:
            passes += 1
            if passes == 2:
                break
        else:
            passes = 0
            _play_v(v, meta, nbr, zob, p, color)
            played += 1
        color = 3 - color
    return played


@njit
def area_owner(stones: np.ndarray, nbr: np.ndarray, owner: np.ndarray) -> None:
    """Tromp-Taylor area: ``owner`` [P] gets 1/2 for black/white stones and for empty regions that
    reach only that colour, 0 for regions reaching both or neither."""
    n = stones.shape[0]
    seen = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int64)
    region = np.empty(n, dtype=np.int64)
    for p in range(n):
        owner[p] = stones[p]
    for p in range(n):
        if stones[p] != EMPTY or seen[p]:
            continue
        top, size, reach = 0, 0, 0
        stack[0] = p
        top = 1
        seen[p] = True
        while top:
            top -= 1
            r = stack[top]
            region[size] = r
            size += 1
            for k in range(4):
                q = nbr[r, k]
                if q < 0:
                    continue
                c = stones[q]
                if c == EMPTY:
                    if not seen[q]:
                        seen[q] = True
                        stack[top] = q
                        top += 1
                else:
                    reach |= c
        colour = reach if reach == 1 or reach == 2 else 0
        for i in range(size):
            owner[region[i]] = colour


@njit
def playout_ownership(
    s: np.ndarray,
    nbr: np.ndarray,
    diag: np.ndarray,
    zob: np.ndarray,
    to_play: int,
    num_playouts: int,
    max_moves: int,
    rng: np.ndarray,
    ownership: np.ndarray,
) -> float:
    """Average ownership over playouts from ``s`` (left unchanged): ``ownership`` [P] gets
    mean(+1 black owns, -1 white owns). Returns the mean of (black area - white area)."""
    n = n_of(s)
    work = np.empty_like(s)
    owner = np.empty(n, dtype=np.int64)
    ownership[:] = 0.0
    total = 0.0
    for _ in range(num_playouts):
        work[:] = s
        run_playout(work, nbr, diag, zob, to_play, max_moves, rng)
        area_owner(work[F_COLOR * n : (F_COLOR + 1) * n], nbr, owner)
        for p in range(n):
            if owner[p] == 1:
                ownership[p] += 1.0
                total += 1.0
            elif owner[p] == 2:
                ownership[p] -= 1.0
                total -= 1.0
    for p in range(n):
        ownership[p] /= num_playouts
    return total / num_playouts
