"""Fake evaluators for the tests of the search and of what runs it (mctx's bandit
``recurrent_fn`` idea), kept out of ``igo.search``'s API. Any test imports them as
``search_fakes``: pytest puts ``tests/`` on the import path when it loads ``tests/conftest.py``
(a folder without ``__init__.py``, pytest's default "prepend" import mode)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from igo.go.coords import Color
from igo.go.state import GameState

StateFn = Callable[[GameState], tuple[np.ndarray, float]]


class FakeEvaluator:
    """Wraps ``fn(state) -> (priors [P + 1], value)`` as an Evaluator, and records the size of
    every batch it is asked for."""

    def __init__(self, fn: StateFn) -> None:
        self.fn = fn
        self.batch_sizes: list[int] = []

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        """``fn`` applied to each state, stacked."""
        self.batch_sizes.append(len(states))
        answers = [self.fn(s) for s in states]
        priors = np.stack([np.asarray(p, dtype=np.float32) for p, _ in answers])
        return priors, np.array([v for _, v in answers], dtype=np.float64)


def constant_evaluator(value: float = 0.0) -> FakeEvaluator:
    """A FakeEvaluator with uniform priors over legal moves and a fixed ``value`` (a Python path
    twin of UniformEvaluator when ``value`` is 0)."""

    def fn(state: GameState) -> tuple[np.ndarray, float]:
        mask = state.legal_mask().astype(np.float32)
        return mask / mask.sum(), value

    return FakeEvaluator(fn)


def golden_value(state: GameState) -> tuple[np.ndarray, float]:
    """Priors 1 + (7a mod 5) (unnormalised) and value tanh((black - white stones) / 3) for the
    side to move."""
    stones = state.stones()
    diff = int((stones == 1).sum()) - int((stones == 2).sum())
    sign = 1.0 if state.to_play == Color.BLACK else -1.0
    priors = np.array([1.0 + (7 * a) % 5 for a in range(state.num_points + 1)])
    return priors, sign * float(np.tanh(diff / 3.0))


class SimulatedClock:
    """Simulated seconds: a test (or a ``TimedEvaluator``) moves ``now`` by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TimedEvaluator(FakeEvaluator):
    """Uniform priors and value 0; each batch takes ``seconds[i]`` of simulated time (the last
    figure for every later batch)."""

    def __init__(self, clock: SimulatedClock, seconds: Sequence[float]) -> None:
        def uniform(state: GameState) -> tuple[np.ndarray, float]:
            mask = state.legal_mask().astype(np.float32)
            return mask / mask.sum(), 0.0

        super().__init__(uniform)
        self.clock = clock
        self.seconds = list(seconds)

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        step = self.seconds[min(len(self.batch_sizes), len(self.seconds) - 1)]
        self.clock.now += step
        return super().evaluate(states)
