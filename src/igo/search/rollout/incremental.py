"""The rollout policy's incremental state: the scratch arrays and their update after a move.

These are the "state" and "weights" steps of the table in ``playout`` (which samples from them):
the layout of the scratch arrays (rows ``I_*``, ``W_*``, ``S_*``; ``new_work``), computing them
from scratch (``init_work``), and bringing points' states, 3x3 codes, weights and row sums up to
date after a move (``play_and_update``).
"""

from __future__ import annotations

import numpy as np

from igo.go.board import color_of, head_of, in_atari, next_stone, play
from igo.go.jit import loop_kernel, njit
from igo.search.rollout.patterns import (
    NUM_NEIGHBOURS,
    OPPOSITE,
    codes_3x3,
    liberty_bucket,
    playable,
    point_states,
)
from igo.search.rollout.tables import RolloutTables, lookup

# Rows of ``ints``: point state and 3x3 code; the move stamp that marked a point dirty, and that
# recounted or queued a string's head; the dirty list, captured stones, queued heads and their
# force flags; the stamp that touched a board row; save-atari points.
I_STATE, I_CODE, I_MARK, I_HSTAMP, I_QUEUED, I_DIRTY, I_CAPTURED, I_HEAD, I_FORCE = range(9)
I_ROWMARK, I_SAVES = 9, 10
# Rows of ``floats``: weight with black / white to move, this draw's factor, row sums with black
# / white to move, this draw's change of a row's sum.
W_BLACK, W_WHITE, W_MULT, W_ROW_BLACK, W_ROW_WHITE, W_ROW_DELTA = range(6)
# ``small``: move stamp, dirty count, captured count, special count, then the special points.
S_STAMP, S_DIRTY, S_CAPTURED, S_SPECIAL = range(4)
SPECIAL, MAX_SPECIAL = 4, 64


@njit
def new_work(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scratch space (ints, floats, small) of one rollout on ``n`` points."""
    floats = np.zeros((6, n))
    floats[W_MULT] = 1.0
    return np.zeros((11, n + 8), dtype=np.int64), floats, np.zeros(SPECIAL + MAX_SPECIAL, np.int64)


@loop_kernel
def _point_weights(ints: np.ndarray, floats: np.ndarray, tb: RolloutTables, p: int) -> bool:
    """Set both sides' weight of ``p`` from its state and 3x3 code; whether either changed."""
    black = white = 0.0
    if ints[I_STATE, p] == 0:
        code = ints[I_CODE, p]
        row = lookup(tb.table3_keys, tb.table3_ids, code)
        if playable(code, 1):
            black = tb.exp3[row, 0] if row >= 0 else 1.0
        if playable(code, 2):
            white = tb.exp3[row, 1] if row >= 0 else 1.0
    changed = black != floats[W_BLACK, p] or white != floats[W_WHITE, p]
    floats[W_BLACK, p] = black
    floats[W_WHITE, p] = white
    return bool(changed)


@loop_kernel
def _row_sums(floats: np.ndarray, r: int, size: int) -> None:
    for m in range(2):
        total = 0.0
        for p in range(r * size, (r + 1) * size):
            total += floats[W_BLACK + m, p]
        floats[W_ROW_BLACK + m, r] = total


@njit
def init_work(
    ints: np.ndarray,
    floats: np.ndarray,
    small: np.ndarray,
    s: np.ndarray,
    nbr: np.ndarray,
    diamond: np.ndarray,
    tb: RolloutTables,
) -> None:
    """Compute every state, code, weight and row sum of board ``s`` from scratch."""
    n = diamond.shape[0]
    size = int(np.sqrt(n) + 0.5)
    point_states(s, nbr, ints[I_STATE])
    codes_3x3(ints[I_STATE], diamond, ints[I_CODE])
    for p in range(n):
        _point_weights(ints, floats, tb, p)
    for r in range(size):
        _row_sums(floats, r, size)
    for row in (I_MARK, I_HSTAMP, I_QUEUED, I_ROWMARK):
        ints[row] = 0
    small[:SPECIAL] = 0


@loop_kernel
def _set_state(ints: np.ndarray, small: np.ndarray, diamond: np.ndarray, q: int, new: int) -> None:
    """Point ``q`` takes state ``new``: update the 3x3 codes around it, mark them dirty."""
    old = ints[I_STATE, q]
    if old == new:
        return
    ints[I_STATE, q] = new
    delta = old ^ new
    stamp = small[S_STAMP]
    for k in range(NUM_NEIGHBOURS + 1):
        r = q if k == NUM_NEIGHBOURS else diamond[q, k]
        if r < 0:
            continue
        if k < NUM_NEIGHBOURS:
            ints[I_CODE, r] ^= delta << (4 * OPPOSITE[k])
        if ints[I_MARK, r] != stamp:
            ints[I_MARK, r] = stamp
            ints[I_DIRTY, small[S_DIRTY]] = r
            small[S_DIRTY] += 1


@loop_kernel
def _queue(ints: np.ndarray, stamp: int, num: int, h: int, force: bool) -> int:
    if ints[I_QUEUED, h] == stamp:
        return num
    ints[I_QUEUED, h] = stamp
    ints[I_HEAD, num] = h
    ints[I_FORCE, num] = force
    return num + 1


@loop_kernel
def _list_captures(ints: np.ndarray, s: np.ndarray, nbr: np.ndarray, p: int, opp: int) -> int:
    """Before a move at ``p``: the ``opp`` stones it will capture (strings next to it in atari)
    into the captured row; returns their number."""
    n = nbr.shape[0]
    num = 0
    for k in range(4):
        q = nbr[p, k]
        if q < 0 or color_of(s, n, q) != opp:
            continue
        h = head_of(s, n, q)
        if not in_atari(s, n, h) or ints[I_HSTAMP, h] == -1:
            continue
        ints[I_HSTAMP, h] = -1  # listed; reset when its stones are emptied
        r = h
        while True:
            ints[I_CAPTURED, num] = r
            num += 1
            r = next_stone(s, n, r)
            if r == h:
                break
    return num


@loop_kernel
def _queue_strings(
    ints: np.ndarray, small: np.ndarray, s: np.ndarray, nbr: np.ndarray, p: int, merged: bool
) -> int:
    """After the move at ``p``: queue the strings whose liberties changed (the new stone's
    first, forced when ``merged``); returns their number."""
    n = nbr.shape[0]
    stamp = small[S_STAMP]
    color = color_of(s, n, p)
    num = _queue(ints, stamp, 0, head_of(s, n, p), merged)
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and color_of(s, n, q) == 3 - color:
            num = _queue(ints, stamp, num, head_of(s, n, q), False)
    for i in range(small[S_CAPTURED]):
        for k in range(4):
            q = nbr[ints[I_CAPTURED, i], k]
            if q >= 0 and color_of(s, n, q) == color:
                num = _queue(ints, stamp, num, head_of(s, n, q), False)
    return int(num)


@loop_kernel
def _restate_strings(
    ints: np.ndarray,
    small: np.ndarray,
    s: np.ndarray,
    nbr: np.ndarray,
    diamond: np.ndarray,
    num: int,
    first_state: int,
) -> None:
    """Recount each queued string (the first is the new stone's, of ``first_state``, its stone
    already set); restate its stones if its bucket changed (or forced)."""
    n = nbr.shape[0]
    for i in range(num):
        h = ints[I_HEAD, i]
        state = first_state if i == 0 else color_of(s, n, h) | (liberty_bucket(s, nbr, n, h) << 2)
        if (i == 0 or ints[I_STATE, h] == state) and not ints[I_FORCE, i]:
            continue
        r = h
        while True:
            _set_state(ints, small, diamond, r, state)
            r = next_stone(s, n, r)
            if r == h:
                break


@loop_kernel
def play_and_update(
    ints: np.ndarray,
    floats: np.ndarray,
    small: np.ndarray,
    s: np.ndarray,
    nbr: np.ndarray,
    diamond: np.ndarray,
    zob: np.ndarray,
    tb: RolloutTables,
    p: int,
    color: int,
) -> None:
    """Play a sensible move ``p`` and bring states, codes, weights and row sums up to date.

    Only strings whose liberties can change are recounted: the new stone's, the opponent's
    next to it, and the mover's next to captured stones; a string is restated only when its
    liberty bucket changed (or, for the new stone's, when it merged strings of other states).
    """
    n = diamond.shape[0]
    size = int(np.sqrt(n) + 0.5)
    num = _list_captures(ints, s, nbr, p, 3 - color)
    play(s, nbr, zob, p, color)
    # A friendly neighbour of another state than the new stone's means the joined string is
    # restated whatever its parts' buckets were (their states are still the old ones here).
    state = color | (liberty_bucket(s, nbr, n, head_of(s, n, p)) << 2)
    merged = False
    for k in range(4):
        q = nbr[p, k]
        merged |= q >= 0 and color_of(s, n, q) == color and ints[I_STATE, q] != state
    stamp = small[S_STAMP] + 1
    small[S_STAMP] = stamp
    small[S_DIRTY] = 0
    small[S_CAPTURED] = num
    for i in range(num):
        q = ints[I_CAPTURED, i]
        ints[I_HSTAMP, q] = 0
        _set_state(ints, small, diamond, q, 0)
    _set_state(ints, small, diamond, p, state)
    num = _queue_strings(ints, small, s, nbr, p, merged)
    _restate_strings(ints, small, s, nbr, diamond, num, state)
    for i in range(small[S_DIRTY]):
        q = ints[I_DIRTY, i]
        if _point_weights(ints, floats, tb, q):
            ints[I_ROWMARK, q // size] = stamp
    for r in range(size):  # each touched row summed afresh: no drift from adding differences
        if ints[I_ROWMARK, r] == stamp:
            _row_sums(floats, r, size)
