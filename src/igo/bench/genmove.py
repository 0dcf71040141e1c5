"""How fast the playing engines answer: torch threads on a busy machine, and moves under a clock.

``run_threads_bench`` (``igo bench threads``) times the ``zero`` and ``alphago`` players on 9x9
with each torch thread count in turn (torch's default, which is the number of cores, then 1 and
2): ``genmove`` at a fixed number of visits from a fresh tree (wall and CPU seconds), then an
open-ended analysis (visits per second, what Lizzie shows). It does so twice: with a process
burning one core beside it (a busy machine), then without. The settings are interleaved round by
round, in a rotated order, so that the load of a shared machine hits each alike; medians count.

``run_clock_bench`` (``igo bench clock``) plays the first moves of a game under a 1-second
byo-yomi and records how long each move took beside the budget the player computed from the
clock (``Clock.budget_seconds``: about half the period): the speed side of the test that checks
the budget (tests/agents/test_search_players.py).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import torch

from igo.agents import RESIGN, Player, TimeSettings, create_player
from igo.agents.analysis import SearchSession
from igo.agents.mcts_player import MctsPlayer
from igo.agents.player import Clock, estimate_moves_left
from igo.bench.machine import machine_info
from igo.bench.search import opening
from igo.go.rules import PRESETS
from igo.go.state import GameState
from igo.nn.threads import torch_threads


@contextmanager
def busy_cores(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` processes that each burn a core while the block runs (a busy machine); killed
    when it ends."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        time.sleep(0.5 if spinners else 0.0)  # let them start burning
        yield spinners
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def thread_counts(default: int) -> dict[str, int]:
    """The settings to compare, by name: torch's default (when it is not 1 or 2), 1 and 2."""
    counts = {"default": default} if default not in (1, 2) else {}
    counts |= {"1": 1, "2": 2}
    return counts


def _timed_genmove(player: MctsPlayer, state: GameState) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one ``genmove`` from a fresh tree."""
    player.reset(state.copy())
    wall, cpu = time.perf_counter(), time.process_time()
    player.genmove(state, None)
    return time.perf_counter() - wall, time.process_time() - cpu


def _analysis_rate(player: MctsPlayer, state: GameState, seconds: float) -> float:
    """Visits per second of an open-ended analysis of ``state`` run for ``seconds``."""
    player.reset(state.copy())
    session: SearchSession = player.start_analysis(state)
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        session.step(0.25)
    return session.simulations / (time.perf_counter() - started)


def _summary(samples: dict[str, list[float]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, values in samples.items():
        out[key] = [round(v, 3) for v in values]
        out[f"{key}_median"] = round(statistics.median(values), 3)
    return out


def _measure(
    engines: dict[str, MctsPlayer],
    counts: dict[str, int],
    state: GameState,
    rounds: int,
    analysis_seconds: float,
) -> dict[str, dict[str, Any]]:
    """Every engine at every thread count, ``rounds`` times, the order rotated each round."""
    samples: dict[str, dict[str, dict[str, list[float]]]] = {
        name: {setting: {"genmove_s": [], "genmove_cpu_s": [], "analysis_visits_per_s": []}
               for setting in counts}
        for name in engines
    }  # fmt: skip
    names = list(counts)
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name, engine in engines.items():
            for setting in names[shift:] + names[:shift]:
                with torch_threads(counts[setting]):
                    wall, cpu = _timed_genmove(engine, state)
                    rate = _analysis_rate(engine, state, analysis_seconds)
                row = samples[name][setting]
                row["genmove_s"].append(wall)
                row["genmove_cpu_s"].append(cpu)
                row["analysis_visits_per_s"].append(rate)
    return {
        name: {setting: _summary(row) for setting, row in by_setting.items()}
        for name, by_setting in samples.items()
    }


def run_threads_bench(
    players: tuple[str, ...] = ("zero", "alphago"),
    visits: int = 400,
    analysis_seconds: float = 3.0,
    rounds: int = 3,
    busy: tuple[int, ...] = (1, 0),
) -> dict[str, Any]:
    """Genmove seconds and analysis visits/s of each player at each torch thread count.

    Args:
        players: registered players with networks (9x9).
        visits: simulations of each timed ``genmove``.
        analysis_seconds: length of each analysis run.
        rounds: how many times each setting is measured (interleaved).
        busy: one phase per entry, with that many processes burning a core each beside it.

    Returns:
        {"machine", "settings", "phases": {"busy_N": {"results": {player: {setting: genmove_s,
        genmove_cpu_s, analysis_visits_per_s (per round, and the median)}}, "fastest_genmove":
        {player: setting}, "load_average_1m": ...}}}.
    """
    default = torch.get_num_threads()
    counts = thread_counts(default)
    state = opening(9)
    engines = {
        name: cast(MctsPlayer, create_player(name, visits=visits, device="cpu", seed=0))
        for name in players
    }
    phases: dict[str, Any] = {}
    with torch_threads(1):
        for engine in engines.values():  # compile the kernels before anything is timed
            _timed_genmove(engine, state)
        for count in busy:
            with busy_cores(count):
                results = _measure(engines, counts, state, rounds, analysis_seconds)
                load = machine_info()["load_average_1m"]
            fastest = {
                name: min(rows, key=lambda s: rows[s]["genmove_s_median"])
                for name, rows in results.items()
            }
            phases[f"busy_{count}"] = {
                "results": results,
                "fastest_genmove": fastest,
                "load_average_1m": load,
            }
    return {
        "machine": machine_info(),
        "board_size": 9,
        "visits": visits,
        "analysis_seconds": analysis_seconds,
        "rounds": rounds,
        "settings": {
            setting: {"threads": n, "torch_default": n == default} for setting, n in counts.items()
        },  # fmt: skip
        "phases": phases,
    }


def _clock_moves(player: Player, size: int, moves: int, period: float) -> dict[str, Any]:
    """Play ``moves`` moves of a self-play game, each under a fresh ``period``-second byo-yomi."""
    state = GameState.new(size, PRESETS["chinese"])
    player.reset(state.copy())
    player.genmove(state.copy(), None)  # compile first: compiling is not thinking time
    player.reset(state.copy())
    clock = Clock.start(TimeSettings.canadian(0.0, period, 1))
    seconds, budgets = [], []
    for _ in range(moves):
        if state.is_over():
            break
        budgets.append(clock.budget_seconds(estimate_moves_left(state)))
        started = time.perf_counter()
        move = player.genmove(state, clock)
        seconds.append(time.perf_counter() - started)
        if move is RESIGN:
            break
        player.observe(state.to_play, int(move))
        state.play(int(move))
    return {
        "moves": len(seconds),
        "budget_s": round(max(budgets), 3),
        "move_s": [round(s, 3) for s in seconds],
        "move_s_median": round(statistics.median(seconds), 3),
        "move_s_max": round(max(seconds), 3),
        "max_share_of_period": round(max(seconds) / period, 3),
    }


def run_clock_bench(moves: int = 10, period: float = 1.0, threads: int = 1) -> dict[str, Any]:
    """Seconds per move under a ``period``-second byo-yomi (one stone a period), per player.

    Args:
        moves: moves played from the empty board by each player.
        period: the byo-yomi period in seconds.
        threads: torch threads (1: the default of ``igo gtp``).
    """
    cases: dict[str, tuple[int, Callable[[], Player]]] = {
        "mcts_lee_rollouts_9x9": (9, lambda: create_player("mcts", seconds=30.0, seed=0)),
        "mcts_lee_rollouts_19x19": (19, lambda: create_player("mcts", seconds=30.0, seed=0)),
        "zero_9x9": (9, lambda: create_player("zero", seconds=30.0, device="cpu", seed=0)),
        "alphago_9x9": (9, lambda: create_player("alphago", seconds=30.0, device="cpu", seed=0)),
    }
    with torch_threads(threads):
        results = {
            name: _clock_moves(factory(), size, moves, period)
            for name, (size, factory) in cases.items()
        }
    return {
        "machine": machine_info(),
        "byo_yomi_period_s": period,
        "torch_threads": threads,
        "results": results,
    }
