"""A search's time budget: the clock it reads and how long its steps take.

A batched step (select -> one evaluator call -> backup) is the unit a timed search cannot cut:
checking the deadline only before a step lets the last one end up to a whole step late (a Zero
net on a loaded CPU: 0.6-0.7 s for a 0.5 s budget). ``StepTimer`` keeps the running mean of the
last steps' seconds, and a step starts only where that mean still fits before the deadline; the
first step of a search always runs, so a move always has at least one visit. The clock is an
argument (``time.monotonic`` by default), so tests drive the search with a simulated one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

TimeSource = Callable[[], float]
"""Seconds, monotonic: ``time.monotonic`` or a test's simulated clock."""
_REMEMBERED = 32
"""Steps the mean keeps: enough to smooth noise, few enough to follow the load of the machine."""


class StepTimer:
    """The seconds of a search's last steps, read on ``clock``, and whether one more fits."""

    def __init__(self, clock: TimeSource = time.monotonic) -> None:
        self.clock = clock
        self._seconds: deque[float] = deque(maxlen=_REMEMBERED)

    @property
    def step_seconds(self) -> float:
        """The running mean of a step's seconds (0 before the first step)."""
        return sum(self._seconds) / len(self._seconds) if self._seconds else 0.0

    def record(self, started: float) -> None:
        """A step that began at ``started`` (the clock's reading) has just ended."""
        self._seconds.append(max(0.0, self.clock() - started))

    def fits(self, deadline: float) -> bool:
        """Whether a step started now should end by ``deadline`` (at the mean's speed)."""
        return self.clock() + self.step_seconds <= deadline
