"""A search run in slices, and what analysis tools read off it.

``SearchSession`` searches one position a slice at a time on a ``MultiSearch`` tree, so that a
caller can report between slices (the GTP analysis commands stream a line every interval) and
stop whenever it likes. A session either has a budget (visits and/or a deadline: a ``genmove``,
which starts no slice that its search's mean step would end past the deadline, but the first)
or runs until it is stopped (``lz-analyze``), capped at ``max_visits`` so that an analysis left
running overnight does not fill the memory. Slices share the tree: each one is a search whose
statistics carry over (tree reuse with an unchanged root), so slicing changes nothing but the
moments at which results are read.

``AnalysisPlayer`` is the protocol of the players that can be analysed this way (the search
players); ``supports_analysis`` is what the GTP engine asks before it lists the analysis
commands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, TypeGuard, runtime_checkable

import numpy as np

from igo.agents.kata_analysis.estimate import NetEstimator, aux_net
from igo.agents.player import Clock, Resign
from igo.go.coords import Color, Point
from igo.go.scoring import ownership as rollout_ownership
from igo.go.state import GameState
from igo.search.mcts import MultiSearch
from igo.search.result import SearchResult

_FIRST_SLICE = 64
"""Simulations of a timed session's first slice, before its speed is known."""
DEFAULT_MAX_VISITS = 200_000
"""Visits after which an open-ended analysis stops growing its tree (about 0.2 to 0.8 GB)."""


@dataclass(frozen=True)
class MoveInfo:
    """One candidate move at the root, as analysis tools show it."""

    move: Point
    """The move (flat point, pass = size * size)."""
    visits: int
    """N(root, move), reused visits included."""
    winrate: float
    """Mean result of the move in [0, 1], from the side to move's view."""
    prior: float
    """The prior the search gave the move."""
    lcb: float
    """Lower confidence bound of the winrate, in [0, 1]."""
    order: int
    """Rank: 0 is the move the search would play."""
    pv: tuple[Point, ...]
    """The principal variation starting with ``move``."""


class SearchSession:
    """One position searched slice by slice on tree 0 of ``search``.

    Args:
        search: the player's MultiSearch; each slice asks it for what is left to do.
        state: the position; not changed.
        visits: new simulations to run in all (None: no visit budget).
        deadline: the time, on the search's clock (``search.timer.clock``), by which the session
            ends: no slice starts that the search's mean step would take past it, but the
            first (None: none).
        max_visits: a cap on the root's visits when neither budget is given.
    """

    def __init__(
        self,
        search: MultiSearch,
        state: GameState,
        visits: int | None = None,
        deadline: float | None = None,
        max_visits: int = DEFAULT_MAX_VISITS,
    ) -> None:
        self.search = search
        self.state = state
        self.visits = visits
        self.deadline = deadline
        self.max_visits = max_visits
        self.simulations = 0
        """Simulations run so far by this session."""
        self.result: SearchResult | None = None
        """The latest result (None before the first slice)."""
        self._seconds = 0.0
        self._ownership: np.ndarray | None = None

    @property
    def bounded(self) -> bool:
        """Whether the session ends by itself (a visit budget or a deadline)."""
        return self.visits is not None or self.deadline is not None

    def _left(self) -> int:
        """Simulations the next slice may run (0: the session is done)."""
        if self.visits is not None:
            return max(0, self.visits - self.simulations)
        if self.deadline is not None:
            return self.max_visits
        root = 0 if self.result is None else int(self.result.visit_counts.sum())
        return max(0, self.max_visits - root)

    @property
    def done(self) -> bool:
        """No more searching: the budget is spent (an analysis at its visit cap is done too)."""
        if self.result is None:
            return False
        if self.deadline is not None and not self.search.timer.fits(self.deadline):
            return True
        return self._left() == 0

    def step(self, seconds: float = math.inf) -> bool:
        """Search for about ``seconds`` more, within the budget.

        The first call always searches (at least one step), so a result exists even when the
        deadline has already passed.

        Returns:
            Whether searching may go on (False once ``done``).
        """
        if self.done:
            return False
        limit = seconds
        if self.deadline is not None:
            limit = min(limit, max(0.0, self.deadline - self.search.timer.clock()))
        sims = max(1, self._left())
        if not math.isinf(limit):
            sims = min(sims, self._fitting(limit))
        started = self.search.timer.clock()
        time_limit = None if math.isinf(limit) else limit
        result = self.search.search([self.state], time_limit=time_limit, num_simulations=sims)
        self._seconds += self.search.timer.clock() - started
        self.result = result[0]
        self.simulations += self.result.num_simulations
        return not self.done

    def _fitting(self, seconds: float) -> int:
        """Simulations that should fit in ``seconds`` at the speed measured so far.

        The search checks its time limit between steps, but its compiled loop for the uniform
        evaluator checks it only every thousand simulations, which is too coarse for a 1-second
        byo-yomi on 19x19 with rollouts; sizing each slice keeps any search inside the limit.
        """
        if self.simulations == 0 or self._seconds <= 0:
            return _FIRST_SLICE
        rate = self.simulations / self._seconds
        return max(self.search.config.leaves_per_batch, int(0.8 * rate * seconds))

    def run(self) -> SearchResult:
        """Search until done (a session with a budget) and return the result."""
        if not self.bounded:
            raise ValueError("an open-ended session never finishes by itself")
        while self.step():
            pass
        assert self.result is not None
        return self.result

    def infos(self, max_moves: int | None = None) -> list[MoveInfo]:
        """The visited root moves, best first (at most ``max_moves``)."""
        if self.result is None:
            return []
        return move_infos(self.result, self.search, 0, max_moves)

    def ownership(self, num_playouts: int = 128) -> np.ndarray:
        """float [P] in [-1, 1]: who owns each point at the end, +1 the side to move.

        A net with an ownership head (pooled heads) gives it at the root; for the others it is
        the rollout ownership of random playouts from the root (``igo.go.scoring.ownership``).
        Computed once per session.
        """
        if self._ownership is None:
            net = aux_net(self.search.evaluator)
            if net is None:
                own = rollout_ownership(self.state, num_playouts)
            else:
                own = NetEstimator(self.state, net).root().ownership
            sign = 1.0 if self.state.to_play == Color.BLACK else -1.0
            self._ownership = sign * own
        return self._ownership


def move_infos(
    result: SearchResult,
    search: MultiSearch,
    tree: int,
    max_moves: int | None = None,
    pv_length: int = 32,
) -> list[MoveInfo]:
    """The visited root moves of tree ``tree`` after ``result``, best first (most visits, then
    the higher prior), at most ``max_moves``, each with its line of at most ``pv_length``."""
    visits = result.visit_counts
    ranked = [int(m) for m in np.lexsort((-result.priors, -visits)) if visits[m] > 0]
    if max_moves is not None:
        ranked = ranked[:max_moves]
    out = []
    for order, move in enumerate(ranked):
        lcb = float(result.lcb[move])
        out.append(
            MoveInfo(
                move=move,
                visits=int(visits[move]),
                winrate=to_winrate(float(result.q_values[move])),
                prior=float(result.priors[move]),
                lcb=to_winrate(lcb) if math.isfinite(lcb) else 0.0,
                order=order,
                pv=search.variation(tree, move, pv_length) or (move,),
            )
        )
    return out


def to_winrate(value: float) -> float:
    """A value in [-1, 1] as a win rate in [0, 1] (NaN: 0.5)."""
    if not math.isfinite(value):
        return 0.5
    return min(1.0, max(0.0, (value + 1.0) / 2.0))


@runtime_checkable
class AnalysisPlayer(Protocol):
    """A player whose search can be watched: the GTP analysis commands need these."""

    def start_analysis(self, state: GameState) -> SearchSession:
        """An open-ended session on ``state`` (lz-analyze), reusing the player's tree."""
        ...

    def start_genmove(self, state: GameState, clock: Clock | None) -> SearchSession:
        """A session with the budget ``genmove`` would use (visits, seconds, the clock)."""
        ...

    def finish_genmove(self, state: GameState, session: SearchSession) -> Point | Resign:
        """The move (or RESIGN) that ``genmove`` would answer after ``session``."""
        ...

    def policy_priors(self, state: GameState) -> np.ndarray:
        """float [P + 1]: the raw priors the search starts from (the network's policy)."""
        ...


def supports_analysis(player: object) -> TypeGuard[AnalysisPlayer]:
    """Whether ``player`` implements :class:`AnalysisPlayer`."""
    return isinstance(player, AnalysisPlayer)
