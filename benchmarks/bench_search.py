"""Search speed under pytest-benchmark: tree visits, Lee rollouts, the evaluator seam, many trees.

``pytest benchmarks/bench_search.py`` times them; with ``--benchmark-disable`` each runs once as a
correctness check. Targets on 9x9, one core: 200,000 visits/s with UniformEvaluator and 10,000
rollouts/s in Lee mode; ``igo.bench.search.run_search_bench`` reports both as a JSON-able dict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from igo.bench.search import PythonUniform, opening
from igo.search import MultiSearch, SearchConfig, UniformEvaluator

Benchmark = Callable[..., Any]

ZERO = SearchConfig(num_simulations=800, dirichlet_epsilon=0.0)
LEE = SearchConfig(num_simulations=800, dirichlet_epsilon=0.0, mode="lee", lee_lambda=1.0)


def _search(config: SearchConfig, evaluator: Any, num_trees: int, size: int) -> Callable[[], int]:
    state = opening(size)

    def run() -> int:
        results = MultiSearch(evaluator, config, num_trees, rng=0).search([state] * num_trees)
        return sum(r.num_simulations for r in results)

    run()  # compile outside the timing
    return run


@pytest.mark.parametrize("size", [9, 19])
def test_zero_uniform_visits(benchmark: Benchmark, size: int) -> None:
    assert benchmark(_search(ZERO, UniformEvaluator(), 1, size)) == 800


@pytest.mark.parametrize("size", [9, 19])
def test_lee_rollouts(benchmark: Benchmark, size: int) -> None:
    assert benchmark(_search(LEE, UniformEvaluator(), 1, size)) == 800


def test_python_evaluator_seam(benchmark: Benchmark) -> None:
    assert benchmark(_search(ZERO, PythonUniform(), 1, 9)) == 800


def test_many_trees_one_evaluator_call_per_step(benchmark: Benchmark) -> None:
    assert benchmark(_search(ZERO, PythonUniform(), 16, 9)) == 16 * 800
