"""Scores and ownership without a score head: random playouts.

igo's networks predict the winner, not the score, so the analysis engine estimates KataGo's
score fields from random playouts (``igo.go.scoring.playout_areas``: uniformly random moves that
fill no own eye, to the end, counted by area):

- ``ownership``: the mean owner of each point over the playouts (+1 black, -1 white).
- ``scoreLead``: the mean of black's area minus white's over the playouts, less komi and the
  handicap bonus, from black's view (the answer turns it to its perspective).
- ``scoreStdev``: the spread of that count over the playouts.

A move's estimate plays out from the end of its principal variation (so the search's reading
counts), the root's from the position itself. Random playouts misjudge life and death that needs
reading, so these are rough numbers, good for comparing moves of one position; they are cached
per line, so interim answers cost little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from igo.go.coords import Point
from igo.go.errors import IllegalMove
from igo.go.scoring import playout_areas
from igo.go.state import GameState


@dataclass(frozen=True)
class Estimate:
    """The playouts' verdict on one position, from black's view."""

    ownership: np.ndarray
    """float [P] in [-1, 1]: mean owner of each point, +1 black."""
    lead: float
    """Black's mean lead in points (area, komi and handicap bonus counted)."""
    stdev: float
    """Standard deviation of black's lead over the playouts."""


class Estimator:
    """Playout estimates of one position and the lines below it, each computed once."""

    def __init__(self, state: GameState, playouts: int, seed: int = 0) -> None:
        self.state = state
        self.playouts = playouts
        self.seed = seed
        self._cache: dict[tuple[Point, ...], Estimate] = {}

    def root(self) -> Estimate:
        """The position itself (twice the playouts of a line)."""
        return self._estimate((), 2 * self.playouts)

    def line(self, moves: tuple[Point, ...]) -> Estimate:
        """The position after ``moves`` (a pv)."""
        return self._estimate(moves, self.playouts)

    def _estimate(self, moves: tuple[Point, ...], playouts: int) -> Estimate:
        if moves in self._cache:
            return self._cache[moves]
        state = self.state.copy()
        for move in moves:
            if state.is_over():
                break
            try:
                state.play(move)
            except IllegalMove:  # a line through a superko repetition: stop there
                break
        own, areas = playout_areas(state, playouts, self.seed)
        rules = state.rules
        white_bonus = rules.komi + rules.handicap_bonus(state.num_handicap)
        estimate = Estimate(own, float(areas.mean()) - white_bonus, float(areas.std()))
        self._cache[moves] = estimate
        return estimate
