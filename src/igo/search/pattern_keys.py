"""Raw feature keys of a position's candidates, and the compiled tables that map keys to ids.

``candidate_keys`` lists the sensible moves of a position with their raw keys, one per feature
slot (``patterns.K_*``): a pattern key (tag in bits 56-59, the pattern code below) or a fixed
feature's id, -1 where nothing fires. Computed from scratch (O(P)); training and the tree policy
use it, the rollouts keep their codes incrementally instead (``policy_playout``).

A vocabulary maps pattern keys to feature ids. Lookups happen inside compiled rollouts, so a
table is two flat arrays with open addressing (linear probing, at most half full; empty slots
hold key -1, pattern keys are never negative), the slot being the top bits of a Fibonacci
(multiplicative) hash. ``RolloutTables`` is a whole policy as compiled code reads it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from igo.go.jit import inline, njit
from igo.search.patterns import (
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
    NUM_SLOTS,
    RESPONSE,
    SAVE_ATARI,
    SELF_ATARI,
    SLOT_SHIFT,
    TAG_3X3,
    TAG_DIAMOND,
    TAG_FIXED,
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

TAG_ANY_RESPONSE = 4
"""Tag of a response code with no slot: present when any of its slots is in the vocabulary."""


class RolloutTables(NamedTuple):
    """A rollout policy as compiled code reads it (``RolloutPolicy.tables()``)."""

    exp_weights: np.ndarray
    """float64 [F]: exp(weight) of every feature id; empty: no policy (uniform rollouts)."""
    table_keys: np.ndarray
    """int64 [cap]: vocabulary keys (see ``pattern_table``), plus response-presence keys."""
    table_ids: np.ndarray
    """int64 [cap]: their feature ids."""
    table3_keys: np.ndarray
    """int64 [cap3]: 3x3 codes with black as own."""
    table3_ids: np.ndarray
    """int64 [cap3]: their row of ``exp3``."""
    exp3: np.ndarray
    """float64 [M, 2]: exp(weight) of the 3x3 pattern with black / white to move."""


def no_tables() -> RolloutTables:
    """The tables of no policy: rollouts stay uniformly random."""
    empty = np.full(16, -1, dtype=np.int64)
    return RolloutTables(
        np.zeros(0), empty, empty.copy(), empty.copy(), empty.copy(), np.zeros((0, 2))
    )


_FIBONACCI = np.uint64(0x9E3779B97F4A7C15)
_HASH_SHIFT = np.uint64(29)


@inline
def _home(key: int, mask: int) -> int:
    return int((np.uint64(key) * _FIBONACCI) >> _HASH_SHIFT) & mask


@njit
def build_table(keys: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A table mapping ``keys[i]`` to ``ids[i]`` (int64 [K] each; keys >= 0, a repeated key
    keeps its last id). Returns (table keys, table ids), int64 [capacity] each."""
    capacity = 16
    while capacity < 2 * keys.shape[0]:
        capacity *= 2
    table_keys = np.full(capacity, -1, dtype=np.int64)
    table_ids = np.full(capacity, -1, dtype=np.int64)
    mask = capacity - 1
    for i in range(keys.shape[0]):
        j = _home(keys[i], mask)
        while table_keys[j] >= 0 and table_keys[j] != keys[i]:
            j = (j + 1) & mask
        table_keys[j] = keys[i]
        table_ids[j] = ids[i]
    return table_keys, table_ids


@inline
def lookup(table_keys: np.ndarray, table_ids: np.ndarray, key: int) -> int:
    """The id of ``key``, or -1 if it is not in the table."""
    mask = table_keys.shape[0] - 1
    j = _home(key, mask)
    while True:
        k = table_keys[j]
        if k == key:
            return int(table_ids[j])
        if k < 0:
            return -1
        j = (j + 1) & mask


@njit
def map_keys(
    keys: np.ndarray, table_keys: np.ndarray, table_ids: np.ndarray, ids: np.ndarray
) -> None:
    """Raw candidate keys [C, NUM_SLOTS] -> feature ids [C, NUM_SLOTS + 1] (-1: none).

    Fixed features keep their id, patterns take their vocabulary id (-1 when unknown), and the
    last column is the *response* feature: set when the response pattern is known.
    """
    for c in range(keys.shape[0]):
        for j in range(NUM_SLOTS):
            key = keys[c, j]
            if key < 0:
                ids[c, j] = -1
            elif (key >> TAG_SHIFT) == TAG_FIXED:
                ids[c, j] = key
            else:
                ids[c, j] = lookup(table_keys, table_ids, key)
        ids[c, NUM_SLOTS] = RESPONSE if ids[c, K_RESPONSE] >= 0 else -1


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
