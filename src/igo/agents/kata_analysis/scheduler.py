"""Every pending turn of every query, stepped together: one tree per position, one batch.

Turns wait in a queue (highest priority first, then arrival). Up to ``parallel`` of them are
searched at once, each in its own tree of a ``MultiSearch`` (one per board size), and each step
asks every active tree for ``slice_visits`` more visits in ONE ``search`` call, so that their
leaves share the network's batches. A turn is answered when its root reaches the query's
``maxVisits`` (or its search cannot grow), interim answers go out every
``reportDuringSearchEvery`` seconds, and ``terminate`` ends turns with what they have.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from igo.agents.kata_analysis.answers import answer, no_results, policy
from igo.agents.kata_analysis.estimate import Estimator, estimator_for
from igo.agents.kata_analysis.query import EngineSettings, Query, Turn
from igo.go.state import GameState
from igo.search.mcts import MultiSearch
from igo.search.result import SearchResult


class BatchAnalysisPlayer(Protocol):
    """A search player the analysis engine can drive (``MctsPlayer``)."""

    name: str

    def multi_search(self, num_trees: int, size: int | None = None) -> MultiSearch:
        """A search over ``num_trees`` trees on the player's networks for ``size`` boards."""
        ...

    def plays_size(self, size: int) -> bool:
        """Whether its networks play ``size``."""
        ...

    def policy_priors(self, state: GameState) -> np.ndarray:
        """float [P + 1]: the raw priors."""
        ...


@dataclass
class Job:
    """One turn of one query on its way through the engine."""

    query: Query
    turn: Turn
    seq: int
    tree: int = -1
    result: SearchResult | None = None
    visits: int = 0
    started: float = 0.0
    next_report: float = float("inf")
    estimator: Estimator | None = None
    stop: bool = False
    policy: list[float] | None = field(default=None, repr=False)

    @property
    def key(self) -> tuple[int, int]:
        """Queue order: priority first, then arrival."""
        return (-self.turn.priority, self.seq)


class Scheduler:
    """The engine's queue and its searches."""

    def __init__(self, player: BatchAnalysisPlayer, settings: EngineSettings) -> None:
        self.player = player
        self.settings = settings
        self._queue: list[tuple[tuple[int, int], Job]] = []
        self._active: list[Job] = []
        self._searches: dict[int, tuple[MultiSearch, list[int]]] = {}
        self._seq = itertools.count()
        self.batches = 0
        """Search calls made (each one batch of network calls over every active tree)."""

    @property
    def busy(self) -> bool:
        """Whether some turn is waiting or being searched."""
        return bool(self._queue or self._active)

    def add(self, query: Query) -> None:
        """Queue every turn of ``query``."""
        for turn in query.turns:
            job = Job(query, turn, next(self._seq))
            heapq.heappush(self._queue, (job.key, job))

    def terminate(self, query_id: str | None, turns: Iterable[int] | None) -> list[dict[str, Any]]:
        """Stop the turns of ``query_id`` (None: every query), only ``turns`` if given. Queued
        turns are answered at once (``noResults``); searching ones after the next step."""
        wanted = None if turns is None else set(turns)

        def hit(job: Job) -> bool:
            return (query_id is None or job.query.id == query_id) and (
                wanted is None or job.turn.number in wanted
            )

        for job in self._active:
            job.stop = job.stop or hit(job)
        dropped = [job for _, job in self._queue if hit(job)]
        self._queue = [(key, job) for key, job in self._queue if not hit(job)]
        heapq.heapify(self._queue)
        return [no_results(job.query.id, job.turn.number) for job in dropped]

    def step(self) -> list[dict[str, Any]]:
        """Start waiting turns, search every active one a slice, and return the answers due."""
        self._start_waiting()
        out = self._finish([job for job in self._active if job.stop])
        by_size: dict[int, list[Job]] = {}
        for job in self._active:
            by_size.setdefault(job.turn.state.size, []).append(job)
        for size, jobs in by_size.items():
            self._search(size, jobs)
        now = time.monotonic()
        done = [job for job in self._active if job.stop or self._spent(job, now)]
        out += self._finish(done)
        for job in self._active:
            if now >= job.next_report:
                out.append(self._answer(job, during=True))
                job.next_report = now + (job.query.report_every or float("inf"))
        return out

    @staticmethod
    def _spent(job: Job, now: float) -> bool:
        """Whether ``job`` has its visits, or has used its ``maxTime``."""
        limit = job.query.max_time
        return job.visits >= job.query.max_visits or (
            limit is not None and now - job.started >= limit
        )

    def _start_waiting(self) -> None:
        while self._queue and len(self._active) < self.settings.parallel:
            _, job = heapq.heappop(self._queue)
            search, free = self._trees(job.turn.state.size)
            job.tree = free.pop()
            search.restrict_root(job.tree, job.turn.allowed)
            job.started = time.monotonic()
            first = job.query.first_report_after or job.query.report_every
            job.next_report = job.started + first if first is not None else float("inf")
            job.estimator = estimator_for(
                job.turn.state, self.settings.score_playouts, search.evaluator
            )
            self._active.append(job)

    def _trees(self, size: int) -> tuple[MultiSearch, list[int]]:
        if size not in self._searches:
            parallel = self.settings.parallel
            search = self.player.multi_search(parallel, size)
            self._searches[size] = (search, list(range(parallel - 1, -1, -1)))
        return self._searches[size]

    def _search(self, size: int, jobs: list[Job]) -> None:
        """One slice for every job of one board size, in one search call."""
        jobs = [job for job in jobs if not job.stop]
        if not jobs:
            return
        search = self._searches[size][0]
        left = min(job.query.max_visits - job.visits for job in jobs)
        sims = max(1, min(self.settings.slice_visits, left))
        results = search.search(
            [job.turn.state for job in jobs], trees=[job.tree for job in jobs], num_simulations=sims
        )
        self.batches += 1
        for job, result in zip(jobs, results, strict=True):
            job.result = result
            arrays = search.tree_arrays(job.tree)
            visits = int(arrays.visit_count[0]) if arrays is not None else 0
            if visits <= job.visits:  # the tree cannot grow (nothing left to search): done
                job.stop = True
            job.visits = visits

    def _finish(self, jobs: list[Job]) -> list[dict[str, Any]]:
        out = []
        for job in jobs:
            if job.result is None:
                out.append(no_results(job.query.id, job.turn.number))
            else:
                out.append(self._answer(job, during=False))
            search, free = self._searches[job.turn.state.size]
            search.reset(job.tree)  # free its memory
            free.append(job.tree)
            self._active.remove(job)
        return out

    def _answer(self, job: Job, during: bool) -> dict[str, Any]:
        assert job.result is not None and job.estimator is not None
        search = self._searches[job.turn.state.size][0]
        out = answer(job.query, job.turn, job.result, search, job.tree, job.estimator, during)
        if job.query.include_policy:
            if job.policy is None:
                state = job.turn.state
                job.policy = policy(self.player.policy_priors(state), state.legal_mask())
            out["policy"] = job.policy
        return out
