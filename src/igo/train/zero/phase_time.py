"""What the loop's phases cost: wall and process CPU seconds of self-play, training and gating.

docs/zero.md projects the CPU hours a run needs to reach a strength; that needs the run's own
count, per phase, over every stretch of it. ``PhaseClock`` charges the time since its last
reading to the phase in progress, into ``ZeroState.seconds`` (``selfplay.wall``,
``selfplay.cpu``, ``train.wall``...), which is saved with the state, so the totals survive a kill
(up to the last save), a resume and a carry to another machine. Each finished generation's
summary holds its own seconds per phase (``time.<phase>.wall_s`` / ``cpu_s``) and the run's so
far (``run.<phase>.wall_s`` / ``cpu_s``, plus ``run.cpu_h``), in ``state.json``'s history and
``logs/generations.csv``.

CPU seconds are user + system time of this process and of the child processes it has waited
for (``os.times``): self-play worker processes count once they end, at the end of their
self-play session. Ray actors and other torchrun ranks are not this process's children and are
not counted (rank 0's own time is). A state written before this accounting began counts from
the generation it was resumed at (``ZeroState.seconds_since``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from igo.train.zero.loop_state import PHASES, ZeroState

Reading = Callable[[], float]
"""Seconds on some clock (wall or CPU): the clock is an argument so tests drive it."""
_KINDS = ("wall", "cpu")


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class PhaseClock:
    """Charges elapsed wall and CPU seconds to the phase in progress."""

    def __init__(self, wall: Reading = time.monotonic, cpu: Reading = cpu_seconds) -> None:
        self._clocks = {"wall": wall, "cpu": cpu}
        self.phase: str | None = None
        self._since = {kind: 0.0 for kind in _KINDS}

    def start(self, phase: str, state: ZeroState) -> None:
        """Charge what is pending to the phase before, then time ``phase``."""
        self.charge(state)
        self.phase = phase
        self._since = {kind: read() for kind, read in self._clocks.items()}

    def charge(self, state: ZeroState) -> None:
        """Add the seconds since the last reading to ``state.seconds`` under the current
        phase (none: nothing is charged)."""
        if self.phase is None:
            return
        for kind, read in self._clocks.items():
            now = read()
            key = f"{self.phase}.{kind}"
            state.seconds[key] = state.seconds.get(key, 0.0) + max(0.0, now - self._since[kind])
            self._since[kind] = now

    def seconds_since_charge(self) -> float:
        """Wall seconds not yet charged."""
        return self._clocks["wall"]() - self._since["wall"] if self.phase else 0.0

    @contextmanager
    def phase_of(self, phase: str, state: ZeroState) -> Iterator[None]:
        """Time a stretch inside another phase as ``phase`` (training while games arrive, on
        Ray), then go back to the phase before."""
        before = self.phase
        if before == phase:
            yield
            return
        self.start(phase, state)
        try:
            yield
        finally:
            if before is not None:
                self.start(before, state)


def phase_columns(state: ZeroState) -> dict[str, float]:
    """The finished generation's seconds per phase and the run's totals so far, from
    ``state.seconds`` and the totals of the generation before (``state.history[-1]``; a
    generation logged before the accounting: 0)."""
    before = state.history[-1] if state.history else {}
    own, total = {}, {}
    for phase in PHASES:
        for kind in _KINDS:
            run = state.seconds.get(f"{phase}.{kind}", 0.0)
            total[f"run.{phase}.{kind}_s"] = run
            own[f"time.{phase}.{kind}_s"] = run - float(before.get(f"run.{phase}.{kind}_s", 0.0))
    cpu = sum(state.seconds.get(f"{phase}.cpu", 0.0) for phase in PHASES)
    return {**own, **total, "run.cpu_h": cpu / 3600}
