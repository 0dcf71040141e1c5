"""Layer 2: batched PUCT Monte Carlo tree search (Zero and Lee modes); imports only ``igo.go``.

The public surface: ``run_search`` / ``run_searches`` / ``MultiSearch``, ``SearchConfig``,
``SearchResult``, the ``Evaluator`` and ``LeafEvaluator`` protocols with ``Leaves``, and
``UniformEvaluator``. AlphaGo's rollout and tree policies, which a Lee-mode search may take, live
in ``igo.search.rollout``.
"""

from igo.search.config import SearchConfig
from igo.search.evaluator import (
    Evaluator,
    LeafEvaluator,
    Leaves,
    UniformEvaluator,
    leaves_from_states,
)
from igo.search.mcts import MultiSearch, run_search, run_searches
from igo.search.result import SearchResult

__all__ = [
    "Evaluator",
    "LeafEvaluator",
    "Leaves",
    "MultiSearch",
    "SearchConfig",
    "SearchResult",
    "UniformEvaluator",
    "leaves_from_states",
    "run_search",
    "run_searches",
]
