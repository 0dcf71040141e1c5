"""Batched PUCT Monte Carlo tree search over many trees: Zero mode and Lee mode.

``MultiSearch`` holds one tree per game. Each step collects ``leaves_per_batch`` leaves from every
tree under virtual loss, evaluates the leaves of all trees in ONE evaluator call, and backs them
up, so a self-play worker with 256 games sends batches of about 2,000 positions to the network.
The loop, per step: select (down to new leaf nodes) -> evaluate -> expand (edges and priors)
-> backup.

- Zero mode (AlphaGo Zero): a leaf is scored by the evaluator's value alone and gets the
  evaluator's priors at once.
- Lee mode (AlphaGo): a leaf is scored by the value and by a random rollout to the end of the game,
  kept apart and mixed as Q = (1 - lambda) W_v / N_v + lambda W_r / N_r; a node gets the
  evaluator's priors only once it was visited ``expand_threshold`` times, the tree policy's
  (uniform, or a ``tree_policy`` evaluator) until then. With lambda = 0 and threshold 0 it is
  exactly Zero mode.

Lee mode's rollouts play uniformly random moves, or sample from a ``rollout_policy``
(``igo.search.rollout``), handed to the search as an object like the tree policy. The config is
fixed at construction; each ``search`` call may ask for another number of simulations.

With :class:`~igo.search.evaluator.UniformEvaluator` (and no tree policy) the whole search runs
inside compiled code; this is the tree's own speed. The tree layout and the leaf replay are
described in ``tree.py`` and ``simulate.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from igo.go.board import OK, check, clear_ko, geometry, play
from igo.go.playout import new_rng
from igo.go.state import GameState
from igo.search.batch import (
    RngLike,
    SearchJob,
    StepKernels,
    TreeSlot,
    make_leaves,
    same_root,
    tree_rngs,
)
from igo.search.config import SearchConfig
from igo.search.evaluator import (
    Evaluator,
    LeafEvaluator,
    UniformEvaluator,
    evaluate_leaves,
    history_length_of,
)
from igo.search.gumbel import gumbel_for
from igo.search.leaves import EvalBatch, allocate_batch, allocate_leaves
from igo.search.result import SearchResult, build_result, root_edges, variation
from igo.search.rollout import RolloutPolicy, RolloutTables, tables_of
from igo.search.root import kernel_params, root_context
from igo.search.root_priors import refresh_root
from igo.search.simulate import run_uniform
from igo.search.timing import StepTimer, TimeSource
from igo.search.tree import (
    EVALUATOR_PRIORS,
    TreeArrays,
    allocate_tree,
    extract_subtree,
    new_tree,
    reserve,
)

AnyEvaluator = Evaluator | LeafEvaluator
AnyRollout = RolloutPolicy | RolloutTables | None
_BUILTIN_CHUNK = 1024


class MultiSearch:
    """PUCT search over ``num_trees`` trees at once, one per game, kept between moves."""

    def __init__(
        self,
        evaluator: AnyEvaluator,
        config: SearchConfig | None = None,
        num_trees: int = 1,
        rng: RngLike | Sequence[RngLike] = None,
        tree_policy: AnyEvaluator | None = None,
        rollout_policy: AnyRollout = None,
        clock: TimeSource | None = None,
    ) -> None:
        """Set up ``num_trees`` empty trees.

        Args:
            evaluator: scores leaves (priors and values), called once per step for all trees.
            config: the search settings (default ``SearchConfig()``).
            num_trees: how many games are searched side by side.
            rng: one seed or generator per tree, or one to spawn them all from.
            tree_policy: Lee mode: cheap priors for nodes below ``expand_threshold`` visits
                (None: uniform over legal moves).
            rollout_policy: Lee mode: the policy rollouts sample from, with its weights as they
                are now (None: uniformly random moves that fill no own eye).
            clock: what a time limit reads (None: ``time.monotonic``; tests simulate one).
        """
        self.evaluator = evaluator
        self.timer = StepTimer() if clock is None else StepTimer(clock)
        """The clock and the speed of the batched steps (``igo.search.timing``)."""
        self._config = config if config is not None else SearchConfig()
        self.tree_policy = tree_policy
        self.rollout_policy = rollout_policy
        self._rollout = tables_of(rollout_policy)
        self.history_length = history_length_of(evaluator)
        self._builtin = isinstance(evaluator, UniformEvaluator) and tree_policy is None
        self._rngs = tree_rngs(rng, num_trees)
        self._trees: list[TreeSlot | None] = [None] * num_trees
        self._allowed: dict[int, np.ndarray] = {}

    @property
    def config(self) -> SearchConfig:
        """The search settings, fixed at construction (``search`` may ask for other simulation
        counts)."""
        return self._config

    @property
    def num_trees(self) -> int:
        """How many trees this search keeps."""
        return len(self._trees)

    def search(
        self,
        states: Sequence[GameState],
        trees: Sequence[int] | None = None,
        time_limit: float | None = None,
        num_simulations: int | None = None,
    ) -> list[SearchResult]:
        """Search every state in its own tree, all leaves batched into shared evaluator calls.

        Args:
            states: positions to search (none over), one per tree used.
            trees: which tree each state uses (default 0, 1, ...); a tree whose root matches its
                state (after ``advance``) keeps its statistics.
            time_limit: seconds within which the steps end: no step starts that a slow step
                (``igo.search.timing``) would take past them, but the first; the search without
                a network checks it between chunks cut to the time left (None: run every
                simulation).
            num_simulations: new simulations of a full search (None: the config's); a cheap
                search of playout cap randomisation runs the config's ``cheap_simulations``.

        Returns:
            One SearchResult per state.

        Raises:
            ValueError: if a state's game is over, the states' board sizes differ, or
                ``num_simulations`` is below 1.
        """
        if num_simulations is not None and num_simulations < 1:
            raise ValueError("num_simulations must be at least 1")
        if len({state.size for state in states}) > 1:
            raise ValueError("one search call takes states of one board size")
        indices = list(range(len(states))) if trees is None else list(trees)
        if len(set(indices)) != len(indices):
            raise ValueError("each tree can search one state per call")
        sims = self.config.num_simulations if num_simulations is None else num_simulations
        jobs = [self._start(i, s, sims) for i, s in zip(indices, states, strict=True)]
        deadline = None if time_limit is None else self.timer.clock() + time_limit
        if self._builtin:
            self._run_builtin(jobs, deadline)
        else:
            self._run_batched(jobs, deadline)
        return [self._finish(job) for job in jobs]

    def advance(self, tree: int, move: int) -> None:
        """``move`` was played in tree ``tree``'s game: its subtree becomes the root (reuse)."""
        slot = self._trees[tree]
        if slot is None or slot.root_board is None:
            return
        g = geometry(slot.size)
        n = slot.size * slot.size
        board = slot.root_board.copy()
        if move == n:
            clear_ko(board)
        elif 0 <= move < n and check(board, g.neighbours, move, slot.root_to_play, True) == OK:
            play(board, g.neighbours, g.zobrist, move, slot.root_to_play)
        else:
            self.reset(tree)
            return
        slot.root_board = board
        slot.root_to_play = 3 - slot.root_to_play
        slot.root_passes = slot.root_passes + 1 if move == n else 0
        slot.clean_priors = None
        slot.arrays = self._subtree(slot.arrays, move)

    def reset(self, tree: int | None = None) -> None:
        """Forget tree ``tree`` (None: every tree); the next search starts from scratch."""
        for i in range(self.num_trees) if tree is None else [tree]:
            slot = self._trees[i]
            if slot is not None:
                slot.arrays, slot.root_board, slot.clean_priors = None, None, None

    def restrict_root(self, tree: int, allowed: np.ndarray | None) -> None:
        """Search only the root moves ``allowed`` marks (bool [A]; None: all) in tree ``tree``
        from now on; the tree starts afresh. Moves allowed nowhere leave the root as it is."""
        self.reset(tree)
        if allowed is None:
            self._allowed.pop(tree, None)
        else:
            self._allowed[tree] = np.asarray(allowed, dtype=bool)

    def tree_arrays(self, tree: int = 0) -> TreeArrays | None:
        """The arrays of tree ``tree`` (read only; for analysis and tests)."""
        slot = self._trees[tree]
        return None if slot is None else slot.arrays

    def variation(self, tree: int, move: int, max_length: int = 32) -> tuple[int, ...]:
        """The line of ``move`` at tree ``tree``'s root, then the most visited replies."""
        t = self.tree_arrays(tree)
        return () if t is None else variation(t, move, max_length)

    # ----- one search -----
    def _start(self, index: int, state: GameState, full_simulations: int) -> SearchJob:
        if state.is_over():
            raise ValueError("cannot search a position whose game is over")
        slot = self._trees[index]
        if slot is None or slot.size != state.size:
            rng = self._rngs[index]
            slot = TreeSlot(state.size, rng, new_rng(int(rng.integers(1 << 62))))
            self._trees[index] = slot
        full = self.config.full_search_prob >= 1.0 or bool(
            slot.rng.random() < self.config.full_search_prob
        )
        sims = full_simulations if full else self.config.cheap_simulations
        params = kernel_params(state, self.config, self.history_length)
        allowed = self._allowed.get(index)
        if not (self.config.reuse_tree and same_root(slot, state, allowed)):
            slot.arrays = new_tree(
                int(state.to_play), state.consecutive_passes, 64, 64 * (state.num_points + 1)
            )
            slot.clean_priors = None
        slot.root_board = state.board_vector.copy()
        slot.root_to_play, slot.root_passes = int(state.to_play), state.consecutive_passes
        leaves = allocate_leaves(
            self.config.leaves_per_batch, slot.root_board.shape[0], state.num_points
        )
        gumbel = gumbel_for(self.config, state.num_points + 1, sims)
        root = root_context(state, params, self._rollout, gumbel)
        return SearchJob(slot, state, root, params, leaves, sims, full, sims, allowed=allowed)

    def _finish(self, job: SearchJob) -> SearchResult:
        refresh_root(job, self.config)
        return build_result(
            job.arrays,
            self.config,
            job.state.num_points + 1,
            len(job.state.moves),
            job.num_simulations - job.remaining,
            job.full,
            job.tree.rng,
            job.root.gumbel,
        )

    def _subtree(self, t: TreeArrays | None, move: int) -> TreeArrays | None:
        if t is None or not self.config.reuse_tree:
            return None
        moves, _, children = root_edges(t)
        hit = np.flatnonzero(moves == move)
        if hit.size == 0 or children[hit[0]] < 0:
            return None
        out = allocate_tree(t.parent.shape[0], t.edge_move.shape[0])
        extract_subtree(t, int(children[hit[0]]), out)
        return out

    # ----- the loops -----
    def _run_batched(self, jobs: list[SearchJob], deadline: float | None) -> None:
        """Steps over all trees: select (new nodes) -> evaluate (one call) -> expand -> backup.

        Each half is one compiled call over all trees (see ``StepKernels``). A step starts only
        where a slow step ends by ``deadline`` (``StepTimer.fits``), but the first.
        """
        n = jobs[0].state.num_points
        batch = allocate_batch(
            self.config.leaves_per_batch * len(jobs),
            jobs[0].root.board.shape[0],
            n,
            self.history_length,
        )
        steps = StepKernels(jobs)
        first = True
        while any(job.remaining > 0 for job in jobs):
            if not first and deadline is not None and not self.timer.fits(deadline):
                break
            first, started = False, self.timer.clock()
            for i, job in enumerate(jobs):
                if steps.ready[i] and not job.noise_done:
                    job.tree.arrays = steps.tree(i)
                    refresh_root(job, self.config)
            ks = self._step_sizes(jobs, steps.ready)
            steps.select(ks, batch)
            self._evaluate(jobs, batch, steps)
            steps.backup(ks, batch)
            self.timer.record(started)
        steps.sync()

    def _step_sizes(self, jobs: list[SearchJob], ready: np.ndarray) -> np.ndarray:
        """Leaves each tree collects this step: 1 until its root has evaluator priors."""
        ks = np.zeros(len(jobs), dtype=np.int64)
        for i, job in enumerate(jobs):
            k = min(self.config.leaves_per_batch, job.remaining) if ready[i] else 1
            ks[i] = min(k, job.remaining)
            job.remaining -= int(ks[i])
        return ks

    def _evaluate(self, jobs: list[SearchJob], batch: EvalBatch, steps: StepKernels) -> None:
        """One evaluator call for the rows of every tree that need it; tree-policy priors (one
        more call, or uniform) for new nodes below the Lee threshold."""
        used = int(batch.counts[0])
        batch.priors[:used] = 1.0
        rows = np.flatnonzero(batch.needs_eval[:used])
        if rows.size:
            leaves = make_leaves(batch, rows, jobs, steps.first_rows, steps.tree)
            priors, values = evaluate_leaves(self.evaluator, leaves)
            batch.values[rows] = values
            take = batch.evaluator_priors[rows]
            batch.priors[rows[take]] = priors[take]
        if self.tree_policy is not None:
            rows = np.flatnonzero(batch.tree_priors[:used])
            if rows.size:
                leaves = make_leaves(batch, rows, jobs, steps.first_rows, steps.tree)
                batch.priors[rows] = evaluate_leaves(self.tree_policy, leaves)[0]

    def _run_builtin(self, jobs: list[SearchJob], deadline: float | None) -> None:
        """The uniform evaluator inside compiled code: the root first (then noise), then chunks
        (timed: cut to the time left, ``StepTimer.chunk``)."""
        k = self.config.leaves_per_batch
        chunk = k * max(1, _BUILTIN_CHUNK // k)
        n = jobs[0].state.num_points
        batch = allocate_batch(k, jobs[0].root.board.shape[0], n, 0)
        for job in jobs:
            while job.remaining > 0:
                refresh_root(job, self.config)
                num = 1
                if job.arrays.expanded[0] == EVALUATOR_PRIORS:
                    num = chunk if deadline is None else self.timer.chunk(deadline, k, chunk)
                    num = min(num, job.remaining)
                room = num
                if deadline is not None:  # room for the whole budget: no copy per small chunk
                    room = max(num, min(job.remaining, self.timer.chunk(deadline, k, chunk, None)))
                job.tree.arrays = reserve(job.arrays, room, room * (n + 1))
                started = self.timer.clock()
                run_uniform(
                    job.arrays, job.leaves, batch, job.root, job.params, num, job.tree.rollout_rng
                )
                job.remaining -= num
                if num > 1:
                    self.timer.record_chunk(started, num)
                refresh_root(job, self.config)
                if deadline is not None and self.timer.clock() > deadline:
                    break


def run_searches(
    states: Sequence[GameState],
    evaluator: AnyEvaluator,
    config: SearchConfig | None = None,
    rngs: Sequence[RngLike] | None = None,
    tree_policy: AnyEvaluator | None = None,
    rollout_policy: AnyRollout = None,
) -> list[SearchResult]:
    """Search several positions at once, their leaves batched into shared evaluator calls.

    Args:
        states: positions to search (none over).
        evaluator: scores leaves: priors [B, P + 1], values [B] from the side to move.
        config: the search settings (default ``SearchConfig()``).
        rngs: a seed or generator per state (None: fresh entropy).
        tree_policy: Lee mode's cheap priors (None: uniform).
        rollout_policy: what Lee mode's rollouts sample from (None: uniform moves).

    Returns:
        One SearchResult per state, as ``run_search`` would give each with its own rng.
    """
    rng: Sequence[RngLike] = [None] * len(states) if rngs is None else rngs
    search = MultiSearch(evaluator, config, len(states), rng, tree_policy, rollout_policy)
    return search.search(states)


def run_search(
    state: GameState,
    evaluator: AnyEvaluator,
    config: SearchConfig | None = None,
    rng: RngLike = None,
    tree_policy: AnyEvaluator | None = None,
    rollout_policy: AnyRollout = None,
) -> SearchResult:
    """Search one position: select -> expand -> evaluate -> backup, ``num_simulations`` times
    (``run_searches`` of one state, ``rng`` its generator): the root's visit counts, policy
    target, values and chosen move."""
    return run_searches([state], evaluator, config, [rng], tree_policy, rollout_policy)[0]
