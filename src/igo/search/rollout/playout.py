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
points). The state and weights steps live in ``incremental``; this module samples. Without a
policy (``RolloutTables`` with no weights) the search uses ``igo.go.playout.run_playout`` instead.
"""

from __future__ import annotations

import numpy as np

from igo.go.board import ko_point
from igo.go.jit import inline, loop_kernel, njit
from igo.search.rollout.incremental import (
    I_CAPTURED,
    I_SAVES,
    I_STATE,
    MAX_SPECIAL,
    S_CAPTURED,
    S_SPECIAL,
    SPECIAL,
    W_BLACK,
    W_MULT,
    W_ROW_BLACK,
    W_ROW_DELTA,
    init_work,
    new_work,
    play_and_update,
)
from igo.search.rollout.patterns import (
    NAKADE,
    NEIGHBOUR,
    NUM_DIAMOND,
    NUM_NEIGHBOURS,
    RESPONSE,
    SAVE_ATARI,
    SLOT_SHIFT,
    TAG_RESPONSE,
    TAG_SHIFT,
    nakade_point,
    own_view,
    response_code,
    save_atari_points,
)
from igo.search.rollout.tables import TAG_ANY_RESPONSE, RolloutTables, lookup


@inline
def _unit(rng: np.ndarray) -> float:
    """A uniform float in [0, 1) from the xorshift64* state ``rng`` (``igo.go.playout``)."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return float((x * np.uint64(0x2545F4914F6CDD1D)) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@loop_kernel
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


@loop_kernel
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
    ko = ko_point(s, mover)
    if ko >= 0:
        _special(floats, small, ko, 0.0)


@loop_kernel
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


@njit
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


@loop_kernel
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
