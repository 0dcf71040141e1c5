"""Compiled rollouts that sample moves from the linear softmax rollout policy, incrementally.

Silver et al. (2016), Methods: the rollout policy's features are "computed incrementally" so a
move costs about 2 microseconds. Here the work of a move is:

| step    | what                                                                           |
|---------|--------------------------------------------------------------------------------|
| state   | every point's 4-bit state and 3x3 code (``patterns``), updated as stones come  |
|         | and go and as the liberty bucket (1, 2, 3+) of a string changes: only strings  |
|         | touching the move or its captures are recounted, and restated if it changed    |
| weights | per point and side to move, exp(weight of its 3x3 pattern), 0 where the move  |
|         | is not sensible (read off the code); per board row their sum. Recomputed only |
|         | for points whose code changed, and rows whose weights changed                  |
| sample  | points near the previous move get their extra factors (response, response     |
|         | pattern, neighbour, save atari, nakade; the ko point 0) as multipliers for    |
|         | this draw only; a uniform number walks the row sums, then the row              |

So a move costs the features near it, not a pass over the board. The scratch space is three
arrays (``new_work``): ``ints`` [11, P + 8] (rows ``I_*``), ``floats`` [6, P] (rows ``W_*``;
the row sums use the first ``size`` entries) and ``small`` [68] (counters and this draw's special
points). Without a policy (``RolloutTables`` with no weights) the search uses
``igo.go.playout.run_playout`` instead.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from igo.go.board import F_HEAD, F_NEXT, M_KO, M_KO_COLOR, NUM_FIELDS, in_atari, play
from igo.search.pattern_keys import TAG_ANY_RESPONSE, RolloutTables, lookup
from igo.search.patterns import (
    NAKADE,
    NEIGHBOUR,
    NUM_DIAMOND,
    NUM_NEIGHBOURS,
    OPPOSITE,
    RESPONSE,
    SAVE_ATARI,
    SLOT_SHIFT,
    TAG_RESPONSE,
    TAG_SHIFT,
    codes_3x3,
    liberty_bucket,
    nakade_point,
    own_view,
    playable,
    point_states,
    response_code,
    save_atari_points,
)

# No reference counting (``_nrt=False``, as ``igo.go.board_core``'s loop kernels): these
# functions allocate nothing, so reading the tables' and scratch arrays in their loops costs no
# atomic increments.
_loop = nb.njit(cache=True, _nrt=False)  # type: ignore[call-overload]

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


@nb.njit(cache=True)
def new_work(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scratch space (ints, floats, small) of one rollout on ``n`` points."""
    floats = np.zeros((6, n))
    floats[W_MULT] = 1.0
    return np.zeros((11, n + 8), dtype=np.int64), floats, np.zeros(SPECIAL + MAX_SPECIAL, np.int64)


@nb.njit(cache=True, inline="always")
def _unit(rng: np.ndarray) -> float:
    """A uniform float in [0, 1) from the xorshift64* state ``rng`` (``igo.go.playout``)."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return float((x * np.uint64(0x2545F4914F6CDD1D)) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@_loop
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


@_loop
def _row_sums(floats: np.ndarray, r: int, size: int) -> None:
    for m in range(2):
        total = 0.0
        for p in range(r * size, (r + 1) * size):
            total += floats[W_BLACK + m, p]
        floats[W_ROW_BLACK + m, r] = total


@nb.njit(cache=True)
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


@_loop
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


@_loop
def _queue(ints: np.ndarray, stamp: int, num: int, h: int, force: bool) -> int:
    if ints[I_QUEUED, h] == stamp:
        return num
    ints[I_QUEUED, h] = stamp
    ints[I_HEAD, num] = h
    ints[I_FORCE, num] = force
    return num + 1


@_loop
def _list_captures(ints: np.ndarray, s: np.ndarray, nbr: np.ndarray, p: int, opp: int) -> int:
    """Before a move at ``p``: the ``opp`` stones it will capture (strings next to it in atari)
    into the captured row; returns their number."""
    n = nbr.shape[0]
    num = 0
    for k in range(4):
        q = nbr[p, k]
        if q < 0 or s[q] != opp:
            continue
        h = s[F_HEAD * n + q]
        if not in_atari(s, n, h) or ints[I_HSTAMP, h] == -1:
            continue
        ints[I_HSTAMP, h] = -1  # listed; reset when its stones are emptied
        r = h
        while True:
            ints[I_CAPTURED, num] = r
            num += 1
            r = s[F_NEXT * n + r]
            if r == h:
                break
    return num


@_loop
def _queue_strings(
    ints: np.ndarray, small: np.ndarray, s: np.ndarray, nbr: np.ndarray, p: int, merged: bool
) -> int:
    """After the move at ``p``: queue the strings whose liberties changed (the new stone's
    first, forced when ``merged``); returns their number."""
    n = nbr.shape[0]
    stamp = small[S_STAMP]
    color = s[p]
    num = _queue(ints, stamp, 0, s[F_HEAD * n + p], merged)
    for k in range(4):
        q = nbr[p, k]
        if q >= 0 and s[q] == 3 - color:
            num = _queue(ints, stamp, num, s[F_HEAD * n + q], False)
    for i in range(small[S_CAPTURED]):
        for k in range(4):
            q = nbr[ints[I_CAPTURED, i], k]
            if q >= 0 and s[q] == color:
                num = _queue(ints, stamp, num, s[F_HEAD * n + q], False)
    return int(num)


@_loop
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
        state = first_state if i == 0 else s[h] | (liberty_bucket(s, nbr, n, h) << 2)
        if (i == 0 or ints[I_STATE, h] == state) and not ints[I_FORCE, i]:
            continue
        r = h
        while True:
            _set_state(ints, small, diamond, r, state)
            r = s[F_NEXT * n + r]
            if r == h:
                break


@_loop
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
    state = color | (liberty_bucket(s, nbr, n, s[F_HEAD * n + p]) << 2)
    merged = False
    for k in range(4):
        q = nbr[p, k]
        merged |= q >= 0 and s[q] == color and ints[I_STATE, q] != state
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


@_loop
def _special(floats: np.ndarray, small: np.ndarray, q: int, factor: float) -> None:
    """Multiply point ``q``'s weight by ``factor`` for this draw only."""
    num = small[S_SPECIAL]
    for i in range(SPECIAL, SPECIAL + num):
        if small[i] == q:
            floats[W_MULT, q] *= factor
            return
    if num < MAX_SPECIAL:
        small[SPECIAL + num] = q
        small[S_SPECIAL] = num + 1
        floats[W_MULT, q] = factor


@_loop
def draw_factors(
    ints: np.ndarray,
    floats: np.ndarray,
    small: np.ndarray,
    s: np.ndarray,
    nbr: np.ndarray,
    diamond: np.ndarray,
    tb: RolloutTables,
    mover: int,
    last: int,
) -> None:
    """This draw's multipliers near the previous move ``last`` (see the module table) and 0 on
    the ko point; ``floats[W_BLACK + mover - 1] * floats[W_MULT]`` is then the policy's
    unnormalised distribution."""
    n = diamond.shape[0]
    wm = floats[W_BLACK + mover - 1]
    ew = tb.exp_weights
    small[S_SPECIAL] = 0
    if last >= 0:
        code = own_view(response_code(ints[I_STATE], diamond, last), mover)
        known = lookup(tb.table_keys, tb.table_ids, code | (TAG_ANY_RESPONSE << TAG_SHIFT)) >= 0
        base = code | (TAG_RESPONSE << TAG_SHIFT)
        for k in range(NUM_DIAMOND):
            q = diamond[last, k]
            if q < 0 or wm[q] == 0.0:
                continue
            factor = ew[NEIGHBOUR + k] if k < NUM_NEIGHBOURS else 1.0
            if known:
                f = lookup(tb.table_keys, tb.table_ids, base | (k << SLOT_SHIFT))
                if f >= 0:
                    factor *= ew[f] * ew[RESPONSE]
            if factor != 1.0:
                _special(floats, small, q, factor)
        saves = ints[I_SAVES]
        for i in range(save_atari_points(s, nbr, n, last, mover, saves)):
            if wm[saves[i]] > 0.0:
                _special(floats, small, saves[i], ew[SAVE_ATARI])
        vital, mask = nakade_point(ints[I_CAPTURED], small[S_CAPTURED], diamond)
        if vital >= 0 and wm[vital] > 0.0:
            _special(floats, small, vital, ew[NAKADE + mask])
    meta = NUM_FIELDS * n
    ko = s[meta + M_KO]
    if ko >= 0 and s[meta + M_KO_COLOR] == mover:
        _special(floats, small, ko, 0.0)


@_loop
def draw(floats: np.ndarray, small: np.ndarray, mover: int, rng: np.ndarray) -> int:
    """Sample ``mover``'s move from the weights times this draw's factors, then clear the
    factors; -1 (pass) when no move has weight."""
    n = floats.shape[1]
    size = int(np.sqrt(n) + 0.5)
    wm, rows = floats[W_BLACK + mover - 1], floats[W_ROW_BLACK + mover - 1]
    mult, delta = floats[W_MULT], floats[W_ROW_DELTA]
    for i in range(SPECIAL, SPECIAL + small[S_SPECIAL]):
        q = small[i]
        delta[q // size] += wm[q] * (mult[q] - 1.0)
    total = 0.0
    for r in range(size):
        total += max(rows[r] + delta[r], 0.0)
    u = _unit(rng) * total
    chosen = -1
    if total > 0.0:
        for r in range(size):
            row_total = max(rows[r] + delta[r], 0.0)
            if u >= row_total and chosen < 0:
                u -= row_total
                continue
            # Rounding can leave u past a row's last weight: take its last positive point.
            for p in range(r * size, (r + 1) * size):
                weight = wm[p] * mult[p]
                if weight > 0.0:
                    chosen = p
                    if u < weight:
                        break
                    u -= weight
            if chosen >= 0:
                break
    for i in range(SPECIAL, SPECIAL + small[S_SPECIAL]):
        q = small[i]
        mult[q] = 1.0
        delta[q // size] = 0.0
    return chosen


@nb.njit(cache=True)
def policy_playout(
    s: np.ndarray,
    nbr: np.ndarray,
    diamond: np.ndarray,
    zob: np.ndarray,
    tb: RolloutTables,
    to_play: int,
    last: int,
    max_moves: int,
    rng: np.ndarray,
) -> int:
    """Play policy moves on ``s`` in place until two passes or ``max_moves``, starting with
    ``to_play`` after the previous move ``last`` (-1: none or a pass). Returns the moves played
    (passes excluded)."""
    ints, floats, small = new_work(diamond.shape[0])
    init_work(ints, floats, small, s, nbr, diamond, tb)
    played = _playout_loop(
        ints, floats, small, s, nbr, diamond, zob, tb, to_play, last, max_moves, rng
    )
    return int(played)


@_loop
def _playout_loop(
    ints: np.ndarray,
    floats: np.ndarray,
    small: np.ndarray,
    s: np.ndarray,
    nbr: np.ndarray,
    diamond: np.ndarray,
    zob: np.ndarray,
    tb: RolloutTables,
    to_play: int,
    last: int,
    max_moves: int,
    rng: np.ndarray,
) -> int:
    passes = 0
    played = 0
    color = to_play
    for _ in range(max_moves):
        draw_factors(ints, floats, small, s, nbr, diamond, tb, color, last)
        p = draw(floats, small, color, rng)
        if p < 0:
            passes += 1
            small[S_CAPTURED] = 0
            if passes == 2:
                break
        else:
            passes = 0
            play_and_update(ints, floats, small, s, nbr, diamond, zob, tb, p, color)
            played += 1
        last = p
        color = 3 - color
    return played
