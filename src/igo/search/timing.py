"""A search's time budget: the clock it reads and how long its steps take.

A batched step (select -> one evaluator call -> backup) is the unit a timed search cannot cut:
checking the deadline only before a step lets the last one end up to a whole step late (a Zero
net on a loaded CPU: 0.6-0.7 s for a 0.5 s budget). ``StepTimer`` keeps the seconds of the last
steps, and a step starts only where a slow one of them (the 90th percentile, not the mean: on a
loaded machine a step slower than the mean is common, and it was such steps that overran) still
fits before the deadline; the first step of a search always runs, so a move always has at least
one visit.

The search without a network runs in compiled chunks of simulations; a timed one sizes each
chunk, at the speed of its last chunks, to ``CHUNK_SECONDS`` or to the time left if less, so the
last chunk ends near the deadline whatever the board or the rollouts cost (an untimed search keeps
its chunks of 1,024 simulations, which ended 0.1-0.2 s past a timed search's deadline on 19x19
with rollouts). The clock is an argument (``time.monotonic`` by default), so tests drive the
search with a simulated one.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

TimeSource = Callable[[], float]
"""Seconds, monotonic: ``time.monotonic`` or a test's simulated clock."""
_REMEMBERED = 32
"""Steps remembered: enough to see the slow ones, few enough to follow the load of the machine."""
STEP_QUANTILE = 0.9
"""The share of remembered steps a step is assumed to be no slower than."""
CHUNK_SECONDS = 0.05
"""The seconds a timed compiled chunk aims at. The last chunk is cut to the time left, so this
bounds only how far a misjudged speed carries a chunk past the deadline; it is long because each
compiled call costs about 0.5 ms (numba reads the types of some fifty arrays), which at 5 ms
chunks cost 8-16% of the simulations (at 50 ms, 1-3%)."""


class StepTimer:
    """The seconds of a search's last steps, read on ``clock``, and whether one more fits."""

    def __init__(self, clock: TimeSource = time.monotonic) -> None:
        self.clock = clock
        self._seconds: deque[float] = deque(maxlen=_REMEMBERED)
        self._chunks: deque[tuple[int, float]] = deque(maxlen=_REMEMBERED)
        self._chunk_totals = [0, 0.0]  # the remembered chunks' simulations and seconds

    @property
    def step_seconds(self) -> float:
        """The ``STEP_QUANTILE`` quantile of the remembered steps' seconds (nearest rank; 0
        before the first step)."""
        if not self._seconds:
            return 0.0
        ranked = sorted(self._seconds)
        return ranked[max(0, math.ceil(STEP_QUANTILE * len(ranked)) - 1)]

    def record(self, started: float) -> None:
        """A step that began at ``started`` (the clock's reading) has just ended."""
        self._seconds.append(max(0.0, self.clock() - started))

    def fits(self, deadline: float) -> bool:
        """Whether a step started now should end by ``deadline`` (unless it is slower than
        ``STEP_QUANTILE`` of the last steps)."""
        return self.clock() + self.step_seconds <= deadline

    @property
    def simulation_rate(self) -> float:
        """Simulations a second of the remembered compiled chunks, together (0: none timed).
        Pooled, since a chunk's cost is not proportional to its simulations (a small chunk's
        leaves may all be cheap), so one chunk's rate swings from chunk to chunk."""
        simulations, seconds = self._chunk_totals
        return simulations / seconds if seconds > 0 else 0.0

    def chunk(
        self, deadline: float, smallest: int, largest: int, seconds: float | None = CHUNK_SECONDS
    ) -> int:
        """Simulations of a timed search's next compiled chunk: ``seconds`` of them (None: all
        the time left), or what the time left holds if less, at ``simulation_rate``; at least
        ``smallest`` (also before any chunk was timed), at most ``largest``."""
        left = deadline - self.clock()
        left = left if seconds is None else min(seconds, left)
        wanted = int(self.simulation_rate * left) if left > 0 else 0
        return max(smallest, min(largest, wanted))

    def record_chunk(self, started: float, simulations: int) -> None:
        """A chunk of ``simulations`` that began at ``started`` has just ended."""
        if len(self._chunks) == self._chunks.maxlen:
            dropped, dropped_seconds = self._chunks[0]
            self._chunk_totals[0] -= dropped
            self._chunk_totals[1] -= dropped_seconds
        seconds = max(0.0, self.clock() - started)
        self._chunks.append((simulations, seconds))
        self._chunk_totals[0] += simulations
        self._chunk_totals[1] += seconds
