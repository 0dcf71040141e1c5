"""The buffers one search step fills: each tree's leaf list and the evaluation batch they share.

Every tree writes its new leaves straight into rows of one :class:`EvalBatch`, so the evaluator's
input for all trees is a slice of it (no gathering per tree), and its answers are read back from
the same rows when the trees expand and back up.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from igo.search.gumbel import GumbelRoot, gumbel_root
from igo.search.rollout.tables import RolloutTables, no_tables

LEAF_TERMINAL, LEAF_EVAL, LEAF_NO_EVAL = 0, 1, 2
SCRATCH_DEPTH = 1024
"""Paths up to this long replay without allocating."""


class RootContext(NamedTuple):
    """What every leaf of one tree is replayed from."""

    board: np.ndarray
    """int64 [L]: the root's board vector."""
    keys: np.ndarray
    """int64 [M]: sorted superko keys of the root position and every earlier one."""
    history: np.ndarray
    """int8 [H, P]: stones of the root and the H - 1 positions before it (0 before the start)."""
    neighbours: np.ndarray
    """int64 [P, 4]: the board geometry's neighbour table."""
    diagonals: np.ndarray
    """int64 [P, 4]: diagonal neighbours."""
    zobrist: np.ndarray
    """int64 [3, P]: Zobrist keys."""
    rollout: RolloutTables = no_tables()
    """Lee mode: the rollout policy the rollouts sample from (no weights: uniform moves)."""
    diamond: np.ndarray = np.zeros((0, 12), dtype=np.int64)
    """int64 [P, 12]: the pattern geometry (``rollout.patterns``), for policy rollouts."""
    last_move: int = -1
    """The move that led to the root (-1: none or a pass), for the rollout policy."""
    gumbel: GumbelRoot = gumbel_root()
    """Gumbel root selection's state (``igo.search.gumbel``; off: PUCT at the root)."""


class LeafArrays(NamedTuple):
    """The ``k`` leaves one tree collects in a step, and its scratch space."""

    node: np.ndarray
    """int64 [k]: the leaf node (a node reached twice is listed twice)."""
    kind: np.ndarray
    """int8 [k]: LEAF_TERMINAL, LEAF_EVAL (the evaluator must see it) or LEAF_NO_EVAL."""
    row: np.ndarray
    """int64 [k]: the leaf's row in the EvalBatch (shared by repeats of one node)."""
    value: np.ndarray
    """float64 [k]: exact value of a terminal leaf, from its side to move."""
    rollout: np.ndarray
    """float64 [k]: rollout result from the leaf's side to move (Lee mode)."""
    counts: np.ndarray
    """int64 [1]: leaves collected."""
    owner: np.ndarray
    """int64 [P]: scratch for area counting."""
    work: np.ndarray
    """int64 [L]: scratch board for rollouts."""
    path: np.ndarray
    """int64 [D]: scratch for a leaf's path."""
    path_keys: np.ndarray
    """int64 [D]: scratch for the superko keys along a path."""


class EvalBatch(NamedTuple):
    """One row per distinct leaf of every tree in a step (R rows)."""

    boards: np.ndarray
    """int64 [R, L]: the leaf's board vector."""
    legal: np.ndarray
    """bool [R, P + 1]: legal moves at the leaf (pass last)."""
    history: np.ndarray
    """int8 [R, H, P]: stones of the leaf and the positions before it."""
    to_play: np.ndarray
    """int8 [R]: the side to move at the leaf."""
    node: np.ndarray
    """int64 [R]: the leaf's node in its tree."""
    needs_eval: np.ndarray
    """bool [R]: the evaluator must score this row."""
    evaluator_priors: np.ndarray
    """bool [R]: the node takes the evaluator's priors."""
    tree_priors: np.ndarray
    """bool [R]: a new node that takes the tree policy's priors."""
    priors: np.ndarray
    """float32 [R, P + 1]: priors the node expands with, filled in after evaluation."""
    values: np.ndarray
    """float64 [R]: the evaluator's value, from the leaf's side to move."""
    counts: np.ndarray
    """int64 [1]: rows used."""


def allocate_leaves(k: int, board_length: int, num_points: int) -> LeafArrays:
    """Leaf list and scratch for ``k`` leaves per step on boards of ``num_points`` points."""
    return LeafArrays(
        node=np.zeros(k, dtype=np.int64),
        kind=np.zeros(k, dtype=np.int8),
        row=np.zeros(k, dtype=np.int64),
        value=np.zeros(k, dtype=np.float64),
        rollout=np.zeros(k, dtype=np.float64),
        counts=np.zeros(1, dtype=np.int64),
        owner=np.zeros(num_points, dtype=np.int64),
        work=np.zeros(board_length, dtype=np.int64),
        path=np.zeros(SCRATCH_DEPTH, dtype=np.int64),
        path_keys=np.zeros(SCRATCH_DEPTH, dtype=np.int64),
    )


def allocate_batch(rows: int, board_length: int, num_points: int, history_length: int) -> EvalBatch:
    """An evaluation batch of ``rows`` rows."""
    return EvalBatch(
        boards=np.zeros((rows, board_length), dtype=np.int64),
        legal=np.zeros((rows, num_points + 1), dtype=np.bool_),
        history=np.zeros((rows, history_length, num_points), dtype=np.int8),
        to_play=np.zeros(rows, dtype=np.int8),
        node=np.zeros(rows, dtype=np.int64),
        needs_eval=np.zeros(rows, dtype=np.bool_),
        evaluator_priors=np.zeros(rows, dtype=np.bool_),
        tree_priors=np.zeros(rows, dtype=np.bool_),
        priors=np.ones((rows, num_points + 1), dtype=np.float32),
        values=np.zeros(rows, dtype=np.float64),
        counts=np.zeros(1, dtype=np.int64),
    )
