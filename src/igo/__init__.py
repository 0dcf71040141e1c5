"""igo: a Go AI system on the AlphaGo / AlphaGo Zero design.

The public surface is small; everything else has a home in a sub-package (see docs/architecture.md).
Networks live in ``igo.nn`` (imported on demand: it brings in torch).
"""

from igo.go.coords import Color, Point
from igo.go.result import GameResult
from igo.go.rules import Rules, rules_from_name
from igo.go.state import GameState, IllegalMove
from igo.search.config import SearchConfig
from igo.search.mcts import run_search
from igo.search.result import SearchResult

__version__ = "0.1.0"

__all__ = [
    "Color",
    "GameResult",
    "GameState",
    "IllegalMove",
    "Point",
    "Rules",
    "SearchConfig",
    "SearchResult",
    "__version__",
    "rules_from_name",
    "run_search",
]
