"""Scores and ownership: the network's score and ownership heads, or else random playouts.

A net with KataGo's pooled heads (``NetConfig.heads == "pooled"``, ``igo.nn.pooled_heads``)
predicts the final ownership and score itself: ``estimator_for`` then gives a ``NetEstimator``,
whose ``scoreLead`` and ``ownership`` are those heads' outputs at the position (``scoreStdev`` is
0: there is no head for the spread). The papers' nets predict the winner only, so for them the
analysis engine estimates KataGo's score fields from random playouts
(``igo.go.scoring.playout_areas``: uniformly random moves that fill no own eye, to the end,
counted by area):

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
from typing import Any

import numpy as np

from igo.encode.zero_planes import encode_zero
from igo.go.coords import Color, Point
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
        estimate = self._count(state, playouts)
        self._cache[moves] = estimate
        return estimate

    def _count(self, state: GameState, playouts: int) -> Estimate:
        """The estimate of one position: random playouts."""
        own, areas = playout_areas(state, playouts, self.seed)
        rules = state.rules
        white_bonus = rules.komi + rules.handicap_bonus(state.num_handicap)
        return Estimate(own, float(areas.mean()) - white_bonus, float(areas.std()))


class NetEstimator(Estimator):
    """The same estimates from a net's score and ownership heads (one forward pass each)."""

    def __init__(self, state: GameState, net: Any) -> None:
        """Args:
        state: the position analysed.
        net: a PolicyValueNet with pooled heads (``aux_net``).
        """
        super().__init__(state, 0)
        self.net = net
        self.history = (int(net.config.in_planes) - 1) // 2

    def _count(self, state: GameState, playouts: int) -> Estimate:
        import torch  # the analysis engine's parser must not import torch

        planes = torch.from_numpy(encode_zero(state, self.history)[None])
        device = next(self.net.parameters()).device
        with torch.no_grad():
            _, _, score, ownership = self.net(planes.to(device), None, True)
        # The heads speak for the side to move; an Estimate for black.
        sign = 1.0 if state.to_play == Color.BLACK else -1.0
        own = sign * ownership[0].float().flatten().cpu().numpy().astype(np.float64)
        return Estimate(own, sign * float(score[0]), 0.0)


def aux_net(evaluator: object) -> Any | None:
    """The net behind a search's evaluator if it has score and ownership heads, else None."""
    net = getattr(getattr(evaluator, "runner", None), "net", None)
    config = getattr(net, "config", None)
    heads, outputs = getattr(config, "heads", "fixed"), getattr(config, "outputs", None)
    if heads == "pooled" and outputs == "policy_value":
        return net
    return None


def estimator_for(state: GameState, playouts: int, evaluator: object) -> Estimator:
    """The estimator of ``state`` for a search on ``evaluator``: the net's heads where it has
    them (``NetEstimator``), else ``playouts`` random playouts per line."""
    net = aux_net(evaluator)
    return Estimator(state, playouts) if net is None else NetEstimator(state, net)
