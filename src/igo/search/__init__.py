"""Layer 3: batched PUCT Monte Carlo tree search (Zero and Lee modes); imports only ``igo.go``.

The public surface: ``run_search`` / ``run_searches`` / ``MultiSearch``, ``SearchConfig``,
``SearchResult``, the ``Evaluator`` and ``LeafEvaluator`` protocols with ``Leaves``, and
``UniformEvaluator``.
"""

from igo.search.config import SearchConfig
from igo.search.evaluator import (
    Evaluator,
    FakeEvaluator,
    LeafEvaluator,
    Leaves,
    UniformEvaluator,
    constant_evaluator,
    leaves_from_states,
)
from igo.search.mcts import MultiSearch, run_search, run_searches
from igo.search.result import SearchResult

__all__ = [
    "Evaluator",
    "FakeEvaluator",
    "LeafEvaluator",
    "Leaves",
    "MultiSearch",
    "SearchConfig",
    "SearchResult",
    "UniformEvaluator",
    "constant_evaluator",
    "leaves_from_states",
    "run_search",
    "run_searches",
]
