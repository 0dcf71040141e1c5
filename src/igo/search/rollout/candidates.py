"""Raw feature keys of a position's sensible moves, computed from scratch (compiled).

``candidate_keys`` lists the sensible moves of a position with their raw keys, one per feature
slot (``patterns.K_*``): a pattern key (tag in bits 56-59, the pattern code below) or a fixed
feature's id, -1 where nothing fires. O(P) per position: training and the tree policy use it; the
rollouts keep their codes incrementally instead (``incremental``). ``tables.map_keys`` turns the
keys into a policy's feature ids.
"""

from __future__ import annotations

import numpy as np

from igo.go.jit import njit
from igo.search.rollout.patterns import (
    DISTANCE,
    K_3X3,
    K_DIAMOND,
    K_DIST1,
    K_DIST2,
    K_NAKADE,
    K_NEIGHBOUR,
    K_RESPONSE,
    K_SAVE,
    K_SELF_ATARI,
    MAX_DISTANCE,
    NAKADE,
    NEIGHBOUR,
    NUM_DIAMOND,
    NUM_NEIGHBOURS,
    SAVE_ATARI,
    SELF_ATARI,
    SLOT_SHIFT,
    TAG_3X3,
    TAG_DIAMOND,
    TAG_RESPONSE,
    TAG_SHIFT,
    captures,
    distance_bucket,
    liberties_after,
    nakade_point,
    own_view,
    pattern_code,
    playable,
    point_states,
    response_code,
    save_atari_points,
)


@njit
def candidate_keys(
    s: np.ndarray,
    pg_diamond: np.ndarray,
    nbr: np.ndarray,
    mover: int,
    ko: int,
    last: int,
    last2: int,
    captured: np.ndarray,
    tree: bool,
    cands: np.ndarray,
    keys: np.ndarray,
) -> int:
    """The sensible candidates of a position and their raw feature keys, from scratch.

    Args:
        s: the board vector; mover: the side to move; ko: the point it may not retake (-1).
        pg_diamond: ``PatternGeometry.diamond`` [P, 12]; nbr: orthogonal neighbours [P, 4].
        last, last2: the previous move and the one before (-1: none or pass).
        captured: int64 [C]: the mover's stones the previous move captured.
        tree: also the tree policy's features (self-atari, distance, 12-point pattern).
        cands: int64 [P]: filled with the candidates; keys: int64 [P, NUM_SLOTS]: their keys
            (slot order K_*; pattern keys tagged, fixed features as their id; -1 not fired).

    Returns:
        The number of candidates.
    """
    n = pg_diamond.shape[0]
    size = int(np.sqrt(n) + 0.5)
    last = last if last < n else -1
    last2 = last2 if last2 < n else -1
    states = np.empty(n, dtype=np.int64)
    point_states(s, nbr, states)
    slot = np.full(n, -1, dtype=np.int64)
    response = -1
    if last >= 0:
        response = own_view(response_code(states, pg_diamond, last), mover)
        response |= TAG_RESPONSE << TAG_SHIFT
        for k in range(NUM_DIAMOND):
            q = pg_diamond[last, k]
            if q >= 0:
                slot[q] = k
    saves = np.empty(16, dtype=np.int64)
    num_saves = save_atari_points(s, nbr, n, last, mover, saves) if last >= 0 else 0
    vital, mask = nakade_point(captured, captured.shape[0], pg_diamond)
    count = 0
    for p in range(n):
        if states[p] != 0 or p == ko:
            continue
        code = pattern_code(states, pg_diamond, p, NUM_NEIGHBOURS)
        if not playable(code, mover):
            continue
        row = keys[count]
        row[:] = -1
        cands[count] = p
        count += 1
        row[K_3X3] = own_view(code, mover) | (TAG_3X3 << TAG_SHIFT)
        if slot[p] >= 0:
            row[K_RESPONSE] = response | (slot[p] << SLOT_SHIFT)
            if slot[p] < NUM_NEIGHBOURS:
                row[K_NEIGHBOUR] = NEIGHBOUR + slot[p]
        for i in range(num_saves):
            if saves[i] == p:
                row[K_SAVE] = SAVE_ATARI
        if p == vital:
            row[K_NAKADE] = NAKADE + mask
        if tree:
            _tree_keys(s, nbr, n, states, pg_diamond, p, mover, last, last2, size, row)
    return count


@njit
def _tree_keys(
    s: np.ndarray,
    nbr: np.ndarray,
    n: int,
    states: np.ndarray,
    diamond: np.ndarray,
    p: int,
    mover: int,
    last: int,
    last2: int,
    size: int,
    row: np.ndarray,
) -> None:
    if not captures(s, nbr, n, p, mover) and liberties_after(s, nbr, n, p, mover) == 1:
        row[K_SELF_ATARI] = SELF_ATARI
    if last >= 0:
        row[K_DIST1] = DISTANCE + distance_bucket(p, last, size)
    if last2 >= 0:
        row[K_DIST2] = DISTANCE + MAX_DISTANCE + distance_bucket(p, last2, size)
    code = own_view(pattern_code(states, diamond, p, NUM_DIAMOND), mover)
    row[K_DIAMOND] = code | (TAG_DIAMOND << TAG_SHIFT)
