"""The search without a network under a time limit: simulations a second and the overrun.

``python benchmarks/bench_timed_nonet.py [--size 19] [--seconds 0.2] [--searches 10]`` runs
``--searches`` timed searches of the ``mcts`` player's search (Lee mode, random rollouts,
``mcts_search("lee", False)``) from the empty board, each from a fresh tree, and also the same
number of untimed searches of a fixed simulation count, and prints one JSON line: simulations a
second of each kind and each timed search's overrun of its limit. It uses only the search API, so
the same file measures another checkout (``PYTHONPATH=<other>/src``): docs/benchmarks.md compares
the deadline checked every 1,024 simulations with the chunks ``igo.search.timing`` sizes.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from igo.agents.search_presets import mcts_search
from igo.go.rules import PRESETS
from igo.go.state import GameState
from igo.search.evaluator import UniformEvaluator
from igo.search.mcts import MultiSearch


def measure(size: int, seconds: float, searches: int, untimed: int) -> dict[str, object]:
    """Timed searches of ``seconds`` and untimed ones of ``untimed`` simulations, alternating."""
    state = GameState.new(size, PRESETS["chinese"])
    search = MultiSearch(UniformEvaluator(), mcts_search("lee", False), 1, rng=0)
    search.search([state], num_simulations=256)  # compile: not measured
    overruns, timed_rates, untimed_rates = [], [], []
    for _ in range(searches):
        search.reset()
        started = time.perf_counter()
        result = search.search([state], time_limit=seconds, num_simulations=10**7)[0]
        wall = time.perf_counter() - started
        overruns.append(wall - seconds)
        timed_rates.append(result.num_simulations / wall)
        search.reset()
        started = time.perf_counter()
        result = search.search([state], num_simulations=untimed)[0]
        untimed_rates.append(result.num_simulations / (time.perf_counter() - started))
    return {
        "size": size,
        "limit_s": seconds,
        "searches": searches,
        "timed_sims_per_s_median": round(statistics.median(timed_rates)),
        "untimed_sims_per_s_median": round(statistics.median(untimed_rates)),
        "overrun_ms_median": round(1000 * statistics.median(overruns), 2),
        "overrun_ms_max": round(1000 * max(overruns), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=19)
    parser.add_argument("--seconds", type=float, default=0.2)
    parser.add_argument("--searches", type=int, default=10)
    parser.add_argument("--untimed", type=int, default=2048)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    result = measure(args.size, args.seconds, args.searches, args.untimed)
    load = open("/proc/loadavg").read().split()[0] if platform.system() == "Linux" else None
    print(json.dumps({"label": args.label, "load_average_1m": load, **result}))


if __name__ == "__main__":
    main()
