"""Search speed on one core: tree visits per second, Lee-mode rollouts per second, and the
search's overhead around a real network.

| case            | evaluator                                   | counts                      |
|-----------------|---------------------------------------------|-----------------------------|
| zero_uniform    | UniformEvaluator, inside the compiled loop  | simulations (tree visits)   |
| lee_rollouts    | UniformEvaluator, lambda = 1, Lee mode      | simulations = rollouts      |
| zero_python     | a LeafEvaluator answering from Python       | leaves through the seam     |
| multi_tree      | the same, 16 trees sharing evaluator calls  | leaves through the seam     |
| net, per batch  | ZeroNetEvaluator on ``resnet_b6c64``        | visits vs raw net positions |

Each case runs ``num_simulations`` per search from a fixed opening position, best of ``repeats``;
rates use CPU time of this process (``time.process_time``), so other load on the machine skews
them less, and the wall-clock rate is kept beside it. Pin to one core: ``taskset -c 0``.

The net case (``bench_net_search``, in ``igo.bench.search_net``) checks that the search costs
little next to the network: visits per second of a Zero-mode search at batch B (B / k trees of k
leaves each, one evaluator call per step) against the positions per second of the same net
through ``TorchEvaluator`` on batches of B, timed in alternating rounds of the same run.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from igo.go.coords import from_gtp
from igo.go.rules import Rules
from igo.go.state import GameState
from igo.search.config import SearchConfig
from igo.search.evaluator import Leaves, UniformEvaluator
from igo.search.mcts import MultiSearch

TARGET_VISITS_9 = 200_000
"""Tree visits per second with UniformEvaluator on 9x9, one core."""
TARGET_ROLLOUTS_9 = 10_000
"""Lee-mode rollouts per second on 9x9, one core."""
OPENING = ("E5", "C4", "G6", "D7", "F3", "C6")


class PythonUniform:
    """Uniform priors from Python through ``evaluate_leaves``: the cost of the evaluator seam."""

    history_length = 0

    def evaluate_leaves(self, leaves: Leaves) -> tuple[np.ndarray, np.ndarray]:
        """Priors uniform over each leaf's legal moves, values 0."""
        masks = leaves.legal_mask.astype(np.float32)
        return masks / masks.sum(axis=1, keepdims=True), np.zeros(len(leaves))


def opening(size: int) -> GameState:
    """A few opening moves (GTP coordinates that fit 9x9 and up), komi 7.5."""
    state = GameState.new(size, Rules(komi=7.5))
    for vertex in OPENING:
        state.play(from_gtp(vertex, size))
    return state


def _timed(fn: Callable[[], int], repeats: int) -> dict[str, float]:
    """Best rate of ``fn`` (which returns its count) over ``repeats``, CPU and wall clock."""
    fn()  # compile and warm up
    best_cpu, best_wall = 0.0, 0.0
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        count = fn()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        best_cpu = max(best_cpu, count / max(cpu, 1e-9))
        best_wall = max(best_wall, count / max(wall, 1e-9))
    return {"per_s_cpu": round(best_cpu), "per_s_wall": round(best_wall)}


def _one_search(
    state: GameState, config: SearchConfig, evaluator: Any, num_trees: int = 1
) -> Callable[[], int]:
    def run() -> int:
        search = MultiSearch(evaluator, config, num_trees, rng=0)
        results = search.search([state] * num_trees)
        return sum(r.num_simulations for r in results)

    return run


def bench_search_size(size: int, num_simulations: int = 800, repeats: int = 5) -> dict[str, Any]:
    """All cases on one board size."""
    state = opening(size)
    base = SearchConfig(num_simulations=num_simulations, dirichlet_epsilon=0.0)
    lee = SearchConfig(
        num_simulations=num_simulations, dirichlet_epsilon=0.0, mode="lee", lee_lambda=1.0
    )
    cases = {
        "zero_uniform": _one_search(state, base, UniformEvaluator()),
        "lee_rollouts": _one_search(state, lee, UniformEvaluator()),
        "zero_python": _one_search(state, base, PythonUniform()),
        "multi_tree": _one_search(state, base, PythonUniform(), num_trees=16),
    }
    return {name: _timed(fn, repeats) for name, fn in cases.items()}


def run_search_bench(
    sizes: tuple[int, ...] = (9,),
    num_simulations: int = 800,
    repeats: int = 5,
    net: str | None = "resnet_b6c64",
) -> dict[str, Any]:
    """Time every case on every size; returns a JSON-able dict with the targets checked.

    Args:
        sizes: board sizes to run.
        num_simulations: simulations per search.
        repeats: timed runs per case (the best counts).
        net: the registered net of the network case on 9x9 (None: skip it; needs torch).

    Returns:
        {"machine": ..., "results": {size: {case: rates}}, "targets": {...}, "net": {...}}.
    """
    results = {str(size): bench_search_size(size, num_simulations, repeats) for size in sizes}
    net_results: dict[str, Any] | None = None
    if net is not None:
        from igo.bench.search_net import bench_net_search

        net_results = bench_net_search(net)
    targets: dict[str, Any] = {}
    if "9" in results:
        visits = results["9"]["zero_uniform"]["per_s_cpu"]
        rollouts = results["9"]["lee_rollouts"]["per_s_cpu"]
        targets = {
            "visits_9": {
                "target": TARGET_VISITS_9,
                "got": visits,
                "met": visits >= TARGET_VISITS_9,
            },
            "rollouts_9": {
                "target": TARGET_ROLLOUTS_9,
                "got": rollouts,
                "met": rollouts >= TARGET_ROLLOUTS_9,
            },
        }
    if net_results is not None:
        targets["net_overhead"] = net_results["target"]
    return {
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numba": importlib.metadata.version("numba"),
            "numpy": importlib.metadata.version("numpy"),
        },
        "num_simulations": num_simulations,
        "results": results,
        "targets": targets,
        "net": net_results,
    }
