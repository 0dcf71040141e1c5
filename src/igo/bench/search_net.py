"""The search's overhead around a network: search visits/s against the net's raw positions/s.

For each batch size B, two things are timed in alternating rounds of the same process, so that
the machine's load hits both alike:

- **raw**: ``TorchEvaluator.evaluate`` on float32 planes [B, 17, 9, 9] (a Zero net's input),
  positions per second: the network alone, nothing else;
- **search**: ``MultiSearch`` in Zero mode with ``ZeroNetEvaluator`` (17 planes built from the
  leaf arrays, a random board symmetry per batch, masked softmax) over B / k trees of k leaves per
  step, so that each evaluator call gets B leaves; visits (simulations) per second.

Target: visits/s >= 85% of raw positions/s at B >= 32, i.e. at most 15% of the time outside the
network. Rates use CPU time (``time.process_time``) with torch on one thread, which other jobs on
a shared machine disturb less than wall time; wall rates are reported too. The best round of
each counts (the least disturbed), and the median ratio is kept beside it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from igo.agents.net_evaluator import ZeroNetEvaluator
from igo.bench.search import opening
from igo.nn.inference import TorchEvaluator, tune_cpu_malloc
from igo.nn.registry import create_net
from igo.nn.threads import torch_threads
from igo.search.config import SearchConfig
from igo.search.evaluator import Leaves
from igo.search.mcts import MultiSearch

TARGET_RATIO = 0.85
"""Search visits/s over raw network positions/s, at batch 32 or more."""
BATCH_SIZES = (32, 64, 128)
_ROUND_S = 0.5


class CountingEvaluator:
    """Passes leaves to a LeafEvaluator and counts calls and rows (the real batch sizes)."""

    def __init__(self, inner: ZeroNetEvaluator) -> None:
        self.inner = inner
        self.history_length = inner.history_length
        self.calls = 0
        self.rows = 0

    def evaluate_leaves(self, leaves: Leaves) -> tuple[np.ndarray, np.ndarray]:
        """The inner evaluator's answer, counted."""
        self.calls += 1
        self.rows += len(leaves)
        return self.inner.evaluate_leaves(leaves)


def _rate(fn: Callable[[], int]) -> tuple[float, float]:
    """(count per CPU second, count per wall second) of ``fn`` repeated for ``_ROUND_S``."""
    count, cpu, wall = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - wall < _ROUND_S:
        count += fn()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return count / max(cpu, 1e-9), count / max(wall, 1e-9)


def _one_batch(
    net: Any, batch: int, leaves_per_batch: int, num_simulations: int, rounds: int
) -> dict[str, Any]:
    size = int(net.config.board_size)
    state = opening(size)
    raw = TorchEvaluator(net, device="cpu", batch_size=batch)
    rng = np.random.default_rng(0)
    planes = (rng.random((batch, net.config.in_planes, size, size)) < 0.3).astype(np.float32)
    evaluator = CountingEvaluator(ZeroNetEvaluator(net, device="cpu", batch_size=batch))
    trees = max(1, batch // leaves_per_batch)
    config = SearchConfig(
        num_simulations=num_simulations, leaves_per_batch=leaves_per_batch, dirichlet_epsilon=0.0
    )

    def raw_fn() -> int:
        raw.evaluate(planes)
        return batch

    visits = [0]

    def search_fn() -> int:
        results = MultiSearch(evaluator, config, trees, rng=0).search([state] * trees)
        visits[0] += sum(r.num_simulations for r in results)
        return sum(r.num_simulations for r in results)

    raw_fn(), search_fn()  # compile the kernels, build the prepared net
    evaluator.calls = evaluator.rows = visits[0] = 0
    raw_rates, search_rates = [], []
    for _ in range(rounds):
        raw_rates.append(_rate(raw_fn))
        search_rates.append(_rate(search_fn))
    raw_cpu, raw_wall = max(r[0] for r in raw_rates), max(r[1] for r in raw_rates)
    search_cpu, search_wall = max(r[0] for r in search_rates), max(r[1] for r in search_rates)
    ratios = [s[0] / r[0] for s, r in zip(search_rates, raw_rates, strict=True)]
    return {
        "trees": trees,
        "leaves_per_batch": leaves_per_batch,
        "mean_eval_batch": round(evaluator.rows / max(1, evaluator.calls), 1),
        "raw_positions_per_s_cpu": round(raw_cpu),
        "raw_positions_per_s_wall": round(raw_wall),
        "search_visits_per_s_cpu": round(search_cpu),
        "search_visits_per_s_wall": round(search_wall),
        "ratio_best": round(search_cpu / raw_cpu, 3),
        "ratio_median": round(statistics.median(ratios), 3),
        # Leaves reached twice in a step share one row, so the net sees fewer positions than
        # there are visits: this is the share of the search's time the net's rows account for.
        "net_time_share": round(search_cpu * evaluator.rows / max(1, visits[0]) / raw_cpu, 3),
    }


def bench_net_search(
    net_name: str = "resnet_b6c64",
    size: int = 9,
    batch_sizes: tuple[int, ...] = BATCH_SIZES,
    leaves_per_batch: int = 8,
    num_simulations: int = 128,
    rounds: int = 3,
    threads: int = 1,
) -> dict[str, Any]:
    """Search visits/s against the network's raw positions/s at each batch size.

    Args:
        net_name: a registered net (random weights), built for ``size``.
        size: board size.
        batch_sizes: B, the leaves per evaluator call (B / leaves_per_batch trees).
        leaves_per_batch: k, the leaves each tree collects per step.
        num_simulations: simulations per tree and search.
        rounds: alternating timed rounds of raw and search per batch size.
        threads: torch's CPU threads during the run (restored after).

    Returns:
        {"net", "size", "threads", "batches": {B: {...}}, "target": {...}}.
    """
    with torch_threads(threads):
        tune_cpu_malloc()
        net = create_net(net_name, board_size=size).eval()
        batches = {
            str(b): _one_batch(net, b, leaves_per_batch, num_simulations, rounds)
            for b in batch_sizes
        }
    worst = min(entry["ratio_best"] for b, entry in batches.items() if int(b) >= 32)
    return {
        "net": net_name,
        "size": size,
        "threads": threads,
        "batches": batches,
        "target": {"target": TARGET_RATIO, "got": worst, "met": worst >= TARGET_RATIO},
    }
