"""Gumbel root selection against PUCT: search speed in the same run (pytest-benchmark).

- The tree's own speed: 800 visits with ``UniformEvaluator`` on 9x9, the root chosen by PUCT or
  by sequential halving (its per-simulation cost: the completed-Q transform over the root).
- The shipped Zero player at small budgets (8, 16, 32 visits), one ``genmove`` from a fresh tree
  on a 9x9 opening: visits/s = visits / seconds (the network dominates).

``pytest benchmarks/bench_gumbel.py -p no:xdist --benchmark-columns=min,median,rounds`` times them;
``--benchmark-disable`` runs each once as a check. Results: docs/zero.md, docs/benchmarks.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from igo.bench.search import opening
from igo.search import MultiSearch, SearchConfig, UniformEvaluator

Benchmark = Callable[..., Any]
ROOTS = ("puct", "gumbel")


@pytest.mark.parametrize("root", ROOTS)
def test_uniform_tree_visits(benchmark: Benchmark, root: str) -> None:
    config = SearchConfig(num_simulations=800, dirichlet_epsilon=0.0, root_selection=root)  # type: ignore[arg-type]
    state = opening(9)

    def run() -> int:
        return MultiSearch(UniformEvaluator(), config, 1, rng=0).search([state])[0].num_simulations

    run()  # compile outside the timing
    assert benchmark(run) == 800


@pytest.mark.parametrize("visits", [8, 16, 32])
@pytest.mark.parametrize("root", ROOTS)
def test_zero_player_genmove(benchmark: Benchmark, root: str, visits: int) -> None:
    import torch

    from igo.agents import create_player
    from igo.agents.nets import MissingWeightsError

    torch.set_num_threads(1)
    try:
        player = create_player("zero", visits=visits, root=root, seed=0)
    except MissingWeightsError:
        pytest.skip("the shipped zero weights are not installed")
    state = opening(9)

    def run() -> object:
        return player.genmove(state.copy(), None)

    run()  # load the net and compile outside the timing
    benchmark(run)
