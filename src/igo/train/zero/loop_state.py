"""The Zero loop's state: where a run is, written atomically after every step of the loop.

A run is a sequence of generations, each in three phases: ``selfplay`` (the best network plays
the generation's games), ``train`` (the trainer takes its steps on the replay window) and
``gate`` (the new candidate plays the best network). ``state.json`` names the phase in progress
and the counters that the files on disk must agree with; a killed run reads it and carries on.
What is not in it is counted from the files themselves: the games of a generation are the
entries of its replay manifest.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from igo.files import write_text_atomic

Phase = Literal["selfplay", "train", "gate"]
PHASES: tuple[Phase, ...] = ("selfplay", "train", "gate")


@dataclass
class ZeroState:
    """The loop's position and counters."""

    generation: int = 0
    """The generation in progress (its self-play games go to ``replay/gen-<generation>``)."""
    phase: Phase = "selfplay"
    """The phase in progress."""
    train_steps: int = 0
    """Training steps done in the whole run (the latest trainer checkpoint's step)."""
    best_generation: int = 0
    """The generation whose network is the best (plays self-play, defends the gate)."""
    resign_threshold: float = -0.9
    """The resignation threshold in force for this generation's self-play."""
    selfplay_seconds: float = 0.0
    """Wall time of this generation's self-play (for the positions-per-hour log)."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall and CPU seconds of each phase over the whole run, every stretch of it
    (``selfplay.wall``, ``selfplay.cpu``, ``train.wall``...; ``phase_time.py``)."""
    seconds_since: int = 0
    """The generation ``seconds`` counts from: 0, or the one a state written before the
    accounting existed was resumed at."""
    history: list[dict[str, Any]] = field(default_factory=list)
    """One summary per finished generation (games, losses, gate result...)."""
    stretches: list[dict[str, Any]] = field(default_factory=list)
    """One entry per stretch of the run, i.e. per process that ran it, on whatever machine:
    ``stretch``, ``host``, ``started``, ``ended`` (UTC), ``from_generation``, ``to_generation``."""

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"unknown phase {self.phase!r} in the run state")


def begin_stretch(state: ZeroState) -> None:
    """Open a new stretch of the run at its current generation."""
    now = _now()
    state.stretches.append(
        {
            "stretch": len(state.stretches),
            "host": platform.node(),
            "started": now,
            "ended": now,
            "from_generation": state.generation,
            "to_generation": state.generation,
        }
    )


def extend_stretch(state: ZeroState) -> None:
    """The current stretch reaches the current generation."""
    if not state.stretches:
        begin_stretch(state)
    state.stretches[-1] |= {"ended": _now(), "to_generation": state.generation}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def load_state(path: str | os.PathLike[str]) -> ZeroState | None:
    """The state saved at ``path``, or None if there is none yet.

    Raises:
        ValueError: if the file exists but cannot be read.
    """
    target = Path(path)
    if not target.exists():
        return None
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
        known = {f.name for f in fields(ZeroState)}
        if "seconds" not in data:  # written before the phases were timed: count from here
            data["seconds_since"] = data.get("generation", 0)
        return ZeroState(**{k: v for k, v in data.items() if k in known})
    except (OSError, ValueError, TypeError) as err:
        raise ValueError(f"{target}: unreadable run state ({err})") from err


def save_state(path: str | os.PathLike[str], state: ZeroState) -> None:
    """Write ``state`` to ``path`` atomically."""
    write_text_atomic(path, json.dumps(asdict(state), indent=1) + "\n")
