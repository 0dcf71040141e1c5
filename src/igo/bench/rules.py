"""Rules-engine speed: igo's compiled random playouts vs OpenSpiel's C++ Go driven from Python.

Each engine plays uniformly random games from the empty board to the end, on one core:

| engine         | driven by                                                | game ends at     |
|----------------|----------------------------------------------------------|------------------|
| igo playout    | ``run_playout`` in a compiled loop; no own-eye filling   | two passes / 3*P |
| igo Python API | ``GameState.legal_moves`` + ``play`` (chinese rules)     | two passes / 2*P |
| OpenSpiel      | ``state.legal_actions()`` + ``state.apply_action``       | two passes / 2*P |

"Moves" count stones placed (passes excluded), so the engines are compared per board update.
The engines run interleaved in rounds so that other load on the machine hits them alike. Pin it
to one core: ``taskset -c 0 igo bench rules``; the result records the machine.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

import numba as nb
import numpy as np

from igo.go import board as kernels
from igo.go.board import geometry
from igo.go.jit import njit
from igo.go.playout import new_rng, run_playout
from igo.go.rules import PRESETS
from igo.go.state import GameState

TARGET_RATIO = 10.0
"""igo playout moves/s over OpenSpiel moves/s we aim for."""
TARGET_MOVES_19 = 2_000_000
"""igo playout moves/s we aim for on 19x19."""


@njit
def _playout_batch(
    empty: np.ndarray,
    nbr: np.ndarray,
    diag: np.ndarray,
    zob: np.ndarray,
    num_games: int,
    max_moves: int,
    rng: np.ndarray,
    work: np.ndarray,
) -> int:
    """Play ``num_games`` random games from ``empty`` (copied into ``work``); total moves."""
    total = 0
    for _ in range(num_games):
        work[:] = empty
        total += run_playout(work, nbr, diag, zob, kernels.BLACK, max_moves, rng)
    return total


class _Meter:
    """Accumulates games, moves and seconds over several timed rounds."""

    def __init__(self, run_batch: Callable[[int], int]) -> None:
        self.run_batch = run_batch
        self.batch, self.games, self.moves, self.seconds = 1, 0, 0, 0.0
        self.best_moves_per_s = 0.0

    def run_for(self, seconds: float) -> None:
        """Call ``run_batch(num_games) -> moves`` with growing batches for ``seconds``."""
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            t0 = time.perf_counter()
            moves = self.run_batch(self.batch)
            took = time.perf_counter() - t0
            self.best_moves_per_s = max(self.best_moves_per_s, moves / took)
            self.moves += moves
            self.games += self.batch
            if took < 0.05:
                self.batch *= 2
        self.seconds += time.perf_counter() - start

    def summary(self) -> dict[str, float]:
        """Rates over all rounds (and the fastest batch, less sensitive to other load)."""
        return {
            "moves_per_s": self.moves / self.seconds,
            "ns_per_move": 1e9 * self.seconds / max(self.moves, 1),
            "games_per_s": self.games / self.seconds,
            "moves_per_game": self.moves / max(self.games, 1),
            "games": self.games,
            "seconds": self.seconds,
            "best_moves_per_s": self.best_moves_per_s,
        }


def igo_playout_batches(size: int, seed: int = 0) -> Callable[[int], int]:
    """igo's compiled playouts (no own-eye filling, simple ko, no suicide) from an empty board:
    a function of the number of games that returns the moves played."""
    g = geometry(size)
    empty = kernels.new_board(size)
    work = empty.copy()
    rng = new_rng(seed)
    max_moves = 3 * size * size

    def run_batch(num_games: int) -> int:
        return int(
            _playout_batch(
                empty, g.neighbours, g.diagonals, g.zobrist, num_games, max_moves, rng, work
            )
        )

    run_batch(1)  # compile (or load the cache) outside the clock
    return run_batch


def igo_python_batches(size: int, seed: int = 0) -> Callable[[int], int]:
    """igo's typed Python API: uniformly random legal moves (pass included), as a user would."""
    rng = random.Random(seed)
    num_points = size * size

    def run_batch(num_games: int) -> int:
        moves = 0
        for _ in range(num_games):
            state = GameState.new(size, PRESETS["chinese"], move_cap=2 * num_points)
            while not state.is_over():
                point = rng.choice(state.legal_moves())
                state.play(point)
                moves += point != num_points
        return moves

    return run_batch


def openspiel_batches(size: int, seed: int = 0) -> Callable[[int], int] | None:
    """OpenSpiel's C++ Go from Python: random ``legal_actions`` until terminal; None without it."""
    try:
        import pyspiel
    except ImportError:
        return None
    game = pyspiel.load_game("go", {"board_size": size, "komi": 7.5})
    pass_action = game.num_distinct_actions() - 1
    rng = random.Random(seed)

    def run_batch(num_games: int) -> int:
        moves = 0
        for _ in range(num_games):
            state = game.new_initial_state()
            while not state.is_terminal():
                action = rng.choice(state.legal_actions())
                state.apply_action(action)
                moves += action != pass_action
        return moves

    return run_batch


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """Where and when a benchmark ran."""
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cores_allowed": affinity,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": nb.__version__,
        "open_spiel": _version("open_spiel"),
        "igo": _version("igo"),
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def bench_size(
    size: int, seconds: float, openspiel: bool = True, num_rounds: int = 3
) -> dict[str, Any]:
    """Time the engines on one board size, interleaved in ``num_rounds`` rounds so that a change
    in the machine's load hits all of them alike."""
    engines: dict[str, Callable[[int], int] | None] = {
        "igo_playout": igo_playout_batches(size),
        "igo_python_api": igo_python_batches(size),
        "openspiel": openspiel_batches(size) if openspiel else None,
    }
    meters = {name: _Meter(fn) for name, fn in engines.items() if fn is not None}
    for _ in range(num_rounds):
        for meter in meters.values():
            meter.run_for(seconds / num_rounds)
    out: dict[str, Any] = {"size": size}
    for name in engines:
        out[name] = meters[name].summary() if name in meters else None
    spiel, igo = out["openspiel"], out["igo_playout"]
    out["ratio"] = igo["moves_per_s"] / spiel["moves_per_s"] if spiel else None
    out["ratio_best"] = igo["best_moves_per_s"] / spiel["best_moves_per_s"] if spiel else None
    return out


def run_rules_bench(
    sizes: Sequence[int] = (9, 19), seconds: float = 3.0, openspiel: bool = True
) -> dict[str, Any]:
    """Time random playouts per board size: igo compiled, igo Python API and OpenSpiel.

    Args:
        sizes: board sizes to time.
        seconds: wall time per engine and size.
        openspiel: also time OpenSpiel (its fields are None when pyspiel is not installed).

    Returns:
        A JSON-able dict: ``machine``, ``settings``, ``targets`` and one ``results`` entry per
        size with ``igo_playout``, ``igo_python_api``, ``openspiel`` (each moves/s, games/s,
        moves per game, fastest batch), ``ratio`` (igo playout moves/s over OpenSpiel's) and
        ``ratio_best`` (the same for the fastest batches, less sensitive to other load).
    """
    results = [bench_size(size, seconds, openspiel) for size in sizes]
    by_size = {r["size"]: r for r in results}
    ratios = [r["ratio"] for r in results if r["ratio"] is not None]
    return {
        "benchmark": "rules",
        "machine": machine_info(),
        "settings": {"sizes": list(sizes), "seconds": seconds, "openspiel": openspiel},
        "results": results,
        "targets": {
            "ratio_vs_openspiel": TARGET_RATIO,
            "igo_moves_per_s_19x19": TARGET_MOVES_19,
            "ratio_met": (min(ratios) >= TARGET_RATIO) if ratios else None,
            "moves_19x19_met": (
                by_size[19]["igo_playout"]["moves_per_s"] >= TARGET_MOVES_19
                if 19 in by_size
                else None
            ),
        },
    }
