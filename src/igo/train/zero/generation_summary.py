"""The numbers of a finished generation: its ``logs/generations.csv`` row, its ``state.json``
history entry and its one-line log, counted from the generation's replay manifest."""

from __future__ import annotations

import math

import numpy as np

from igo.data.replay_buffer import GameEntry, list_games
from igo.run_dir import ZeroRunDir
from igo.train.zero.gate import GateResult, describe_sizes
from igo.train.zero.loop_state import ZeroState
from igo.train.zero.phase_time import phase_columns
from igo.train.zero.resign_calibration import calibration_count, measured_false_rate


def generation_summary(run_dir: ZeroRunDir, state: ZeroState, gate: GateResult) -> dict[str, float]:
    """The finished generation's numbers (``state.generation``), counted from its manifest."""
    g = state.generation
    entries = list_games(run_dir.replay)
    infos = [e.info for e in entries if e.generation == g]
    extras = [i.extra for i in infos]
    positions = sum(int(x["positions"]) for x in extras)
    false_rate, checked = measured_false_rate(entries, g, state.resign_threshold)
    seconds = state.selfplay_seconds
    return {
        "selfplay.games": len(infos),
        "selfplay.positions": positions,
        "selfplay.targets": sum(int(x["targets"]) for x in extras),
        "selfplay.mean_length": positions / max(1, len(infos)),
        "selfplay.black_win_rate": _mean([x["winner"] == "1" for x in extras]),
        "selfplay.resigned": _mean([x["resigned"] == "1" for x in extras]),
        "selfplay.resign_threshold": state.resign_threshold,
        "selfplay.false_resign_rate": false_rate,
        "selfplay.false_resign_checked": checked,
        "selfplay.calibration_games": calibration_count(entries, g),
        "selfplay.positions_per_hour": positions * 3600 / seconds if seconds > 0 else math.nan,
        "train.steps": state.train_steps,
        "gate.games": gate.games,
        "gate.score": gate.score,
        "gate.accepted": float(gate.accepted),
        "best_generation": state.best_generation,
        # A mix of sizes: the gate's score on each (columns only in a mixed run's CSV).
        **{f"gate.score_{name}": score for name, score in gate.size_scores().items()},
        # Wall and CPU seconds of each phase, this generation's and the run's (phase_time.py).
        **phase_columns(state),
    }


def games_played(state: ZeroState, entries: list[GameEntry]) -> int:
    """Self-play games of the whole run: the finished generations' (``state.history``) and the
    current one's listed, or all the games listed on disk if more. A run resumed from a carry
    (``carry.py``) holds only a sample of its games, but its replay window keeps the size the
    whole run's count gives it."""
    finished = sum(int(entry.get("selfplay.games", 0)) for entry in state.history)
    current = sum(1 for e in entries if e.generation == state.generation)
    return max(len(entries), finished + current)


def _mean(flags: list[bool]) -> float:
    return float(np.mean(flags)) if flags else math.nan


def describe_generation(generation: int, s: dict[str, float], gate: GateResult) -> str:
    """The generation's line in the log."""
    verdict = "accepted" if gate.accepted else "rejected"
    match = f"{gate.wins}-{gate.losses}-{gate.draws} ({gate.score:.0%}) {verdict}"
    match += describe_sizes(gate)
    return (
        f"igo zero: generation {generation}: {s['selfplay.games']:.0f} games, "
        f"{s['selfplay.mean_length']:.0f} moves on average, black won "
        f"{s['selfplay.black_win_rate']:.0%}, {s['selfplay.positions_per_hour']:.0f} positions/h; "
        f"{s['train.steps']:.0f} steps; gate {match}; best is generation "
        f"{s['best_generation']:.0f}; resign below {s['selfplay.resign_threshold']:.2f} "
        f"(false {s['selfplay.false_resign_rate']:.0%} of "
        f"{s.get('selfplay.false_resign_checked', 0):.0f} played out); "
        f"{s.get('run.cpu_h', math.nan):.2f} CPU h so far"
    )
