"""Bookkeeping of a MultiSearch: each tree's slot, each search's job, the step kernels over all
trees, and the evaluator's view of the leaves they collect."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba.typed import List as TypedList

from igo.go.state import GameState
from igo.search.evaluator import Leaves
from igo.search.leaves import EvalBatch, LeafArrays, RootContext
from igo.search.result import root_edges
from igo.search.simulate import backup_all, expand_and_backup, select_all, select_leaves
from igo.search.tree import (
    EVALUATOR_PRIORS,
    NOT_EXPANDED,
    KernelParams,
    TreeArrays,
    reserve,
    root_moves,
)

RngLike = int | np.random.Generator | None


@dataclass
class TreeSlot:
    """One tree of a MultiSearch and what it needs to be reused by the next search."""

    size: int
    """Board size of the tree's game."""
    rng: np.random.Generator
    """Draws the tree's noise, move samples and playout-cap coin."""
    rollout_rng: np.ndarray
    """uint64 [1]: the xorshift state of the compiled rollouts."""
    arrays: TreeArrays | None = None
    """The tree (None: start afresh)."""
    root_board: np.ndarray | None = None
    """int64 [L]: the board the root stands for (checked before reuse)."""
    root_to_play: int = 0
    """Side to move at the root."""
    root_passes: int = 0
    """Consecutive passes before the root."""
    clean_priors: np.ndarray | None = None
    """float32 [E_root]: the root's priors before noise, while noise is mixed in."""


@dataclass
class SearchJob:
    """One tree's part of a running search."""

    tree: TreeSlot
    """The tree searched."""
    state: GameState
    """The position searched."""
    root: RootContext
    """What leaves are replayed from."""
    params: KernelParams
    """The kernels' scalars for this position."""
    leaves: LeafArrays
    """The tree's leaf list and scratch."""
    num_simulations: int
    """Simulations asked for (full or cheap search)."""
    full: bool
    """A full search (noise on) rather than a cheap one."""
    remaining: int = 0
    """Simulations not yet started."""
    noise_done: bool = False
    """The root's priors got this search's noise (or were restored)."""
    allowed: np.ndarray | None = None
    """bool [A]: the only root moves searched (None: every legal move)."""

    @property
    def arrays(self) -> TreeArrays:
        """The tree's arrays (present during a search)."""
        assert self.tree.arrays is not None
        return self.tree.arrays


def tree_rngs(rng: RngLike | Sequence[RngLike], num_trees: int) -> list[np.random.Generator]:
    """One generator per tree: from a sequence one each, else spawned from one seed."""
    if isinstance(rng, Sequence):
        if len(rng) != num_trees:
            raise ValueError(f"got {len(rng)} generators for {num_trees} trees")
        return [np.random.default_rng(r) for r in rng]
    return list(np.random.default_rng(rng).spawn(num_trees))


def same_root(slot: TreeSlot, state: GameState, allowed: np.ndarray | None = None) -> bool:
    """Whether ``slot``'s tree can be reused for ``state``: same board, side and passes, and the
    root's moves are exactly the legal ones (superko may forbid what the tree allowed), those
    ``allowed`` where the root is restricted (``tree.root_moves``)."""
    t = slot.arrays
    if t is None or slot.root_board is None:
        return False
    if (
        slot.root_to_play != int(state.to_play)
        or slot.root_passes != state.consecutive_passes
        or not np.array_equal(slot.root_board, state.board_vector)
    ):
        return False
    if t.expanded[0] == NOT_EXPANDED:
        return True
    moves, _, _ = root_edges(t)
    expected = root_moves(state.legal_mask(), allowed)
    return bool(np.array_equal(np.flatnonzero(expected), np.sort(moves)))


def path_moves(t: TreeArrays, node: int) -> tuple[int, ...]:
    """The moves from the root of ``t`` to ``node``."""
    moves = []
    while t.parent[node] >= 0:
        moves.append(int(t.move[node]))
        node = int(t.parent[node])
    return tuple(reversed(moves))


def make_leaves(
    batch: EvalBatch,
    rows: np.ndarray,
    jobs: Sequence[SearchJob],
    first_rows: np.ndarray,
    tree_of: Callable[[int], TreeArrays],
) -> Leaves:
    """Rows ``rows`` of ``batch`` as a Leaves batch (views when they are all the rows).

    ``jobs`` are the step's jobs, job ``i``'s rows starting at ``first_rows[i]``, and ``tree_of``
    gives a job's current tree; they serve the lazily built roots and paths.
    """
    used = int(batch.counts[0])
    take: slice | np.ndarray = slice(0, used) if rows.shape[0] == used else rows
    starts = first_rows.copy()

    def source() -> tuple[tuple[GameState, ...], tuple[tuple[int, ...], ...]]:
        # A job with no rows shares its start with the next one: side="right" skips it.
        owners = np.searchsorted(starts, rows, side="right") - 1
        roots = tuple(jobs[j].state for j in owners)
        paths = tuple(
            path_moves(tree_of(j), int(batch.node[r])) for j, r in zip(owners, rows, strict=True)
        )
        return roots, paths

    return Leaves(
        size=jobs[0].state.size,
        boards=batch.boards[take],
        to_play=batch.to_play[take],
        legal_mask=batch.legal[take],
        history=batch.history[take],
        source=source,
    )


class StepKernels:
    """Runs the compiled halves of a step (select; expand and backup) over a search's trees.

    With several trees the per-tree tuples travel in numba typed lists, so a step is two compiled
    calls whatever the number of trees, and trees that grow are replaced inside the lists. A single
    tree calls the kernels directly, which spares the typed lists' one-off compile (about 3 s).
    """

    def __init__(self, jobs: Sequence[SearchJob]) -> None:
        self.jobs = jobs
        self.first_rows = np.zeros(len(jobs), dtype=np.int64)
        self.ready = np.array([job.arrays.expanded[0] == EVALUATOR_PRIORS for job in jobs])
        self.lists: tuple[Any, ...] | None = None
        if len(jobs) > 1:
            self.lists = tuple(
                TypedList(items)
                for items in (
                    [job.arrays for job in jobs],
                    [job.leaves for job in jobs],
                    [job.root for job in jobs],
                    [job.params for job in jobs],
                    [job.tree.rollout_rng for job in jobs],
                )
            )

    def tree(self, i: int) -> TreeArrays:
        """Job ``i``'s current tree arrays."""
        if self.lists is None:
            return self.jobs[i].arrays
        tree: TreeArrays = self.lists[0][i]
        return tree

    def select(self, ks: np.ndarray, batch: EvalBatch) -> None:
        """Collect ``ks[i]`` leaves from tree ``i`` into ``batch``."""
        if self.lists is not None:
            trees, leaves, roots, params, rngs = self.lists
            select_all(trees, leaves, roots, params, rngs, ks, batch, self.first_rows)
            return
        job, k = self.jobs[0], int(ks[0])
        batch.counts[0] = 0
        job.tree.arrays = reserve(job.arrays, k, k * (job.params.num_points + 1))
        select_leaves(job.arrays, job.leaves, batch, job.root, job.params, k, job.tree.rollout_rng)

    def backup(self, ks: np.ndarray, batch: EvalBatch) -> None:
        """Expand and back up the collected leaves; refresh ``ready`` (root has evaluator
        priors)."""
        if self.lists is not None:
            trees, leaves, _, params, _ = self.lists
            backup_all(trees, leaves, params, ks, batch, self.ready)
            return
        job = self.jobs[0]
        expand_and_backup(job.arrays, job.leaves, batch, job.params)
        self.ready[0] = job.arrays.expanded[0] == EVALUATOR_PRIORS

    def sync(self) -> None:
        """Point every job's slot at its current tree arrays."""
        for i, job in enumerate(self.jobs):
            job.tree.arrays = self.tree(i)
