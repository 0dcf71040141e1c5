"""The compiled tables that map a policy's feature keys to weights (``RolloutTables``).

A vocabulary maps pattern keys (``candidates.candidate_keys``) to feature ids. Lookups happen
inside compiled rollouts, so a table is two flat arrays with open addressing (linear probing, at
most half full; empty slots hold key -1, pattern keys are never negative), the slot being the top
bits of a Fibonacci (multiplicative) hash. ``RolloutTables`` is a whole policy as compiled code
reads it, built from a vocabulary and its weights by ``policy_tables``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from igo.go.jit import inline, njit
from igo.search.rollout.patterns import (
    K_RESPONSE,
    NUM_FIXED,
    NUM_SLOTS,
    RESPONSE,
    SLOT_SHIFT,
    TAG_3X3,
    TAG_FIXED,
    TAG_RESPONSE,
    TAG_SHIFT,
    swap_colours_array,
)

TAG_ANY_RESPONSE = 4
"""Tag of a response code with no slot: present when any of its slots is in the vocabulary."""


class RolloutTables(NamedTuple):
    """A rollout policy as compiled code reads it (``RolloutPolicy.tables()``)."""

    exp_weights: np.ndarray
    """float64 [F]: exp(weight) of every feature id; empty: no policy (uniform rollouts)."""
    table_keys: np.ndarray
    """int64 [cap]: vocabulary keys (see ``build_table``), plus response-presence keys."""
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


_CODE_MASK = (1 << SLOT_SHIFT) - 1


def policy_tables(vocab: np.ndarray, weights: np.ndarray) -> RolloutTables:
    """The compiled view of a policy: its vocabulary ``vocab`` (int64 [V], key i is feature
    ``NUM_FIXED + i``) and ``weights`` (float64 [NUM_FIXED + V])."""
    exp_weights = np.exp(weights)
    tags = vocab >> TAG_SHIFT
    ids = np.arange(NUM_FIXED, NUM_FIXED + vocab.shape[0], dtype=np.int64)
    # Response codes with no slot mark "some slot is known", to skip 12 lookups when none is.
    response = vocab[tags == TAG_RESPONSE] & _CODE_MASK
    present = np.unique(response) | (TAG_ANY_RESPONSE << TAG_SHIFT)
    keys = np.concatenate([vocab, present])
    table_keys, table_ids = build_table(keys, np.concatenate([ids, np.zeros_like(present)]))
    # 3x3 patterns by their code with black as own: one row, two columns (black / white to move).
    own = vocab[tags == TAG_3X3] & _CODE_MASK
    own_exp = exp_weights[ids[tags == TAG_3X3]]
    codes = np.unique(np.concatenate([own, swap_colours_array(own)]))
    exp3 = np.ones((codes.shape[0], 2))
    for column, lookup_codes in enumerate((codes, swap_colours_array(codes))):
        at = np.searchsorted(own, lookup_codes)
        hit = (at < own.shape[0]) & (own[np.minimum(at, own.shape[0] - 1)] == lookup_codes)
        exp3[hit, column] = own_exp[at[hit]]
    t3_keys, t3_ids = build_table(codes, np.arange(codes.shape[0], dtype=np.int64))
    return RolloutTables(exp_weights, table_keys, table_ids, t3_keys, t3_ids, exp3)
