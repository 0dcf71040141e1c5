"""Golden tree (mctx ``tree_test.py`` style): a fixed 3x3 search compared node by node to JSON.

Regenerate after an intended change with ``python tests/search/test_golden_tree.py`` and read the
diff: every count and value must be explainable by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from igo.go.rules import Rules
from igo.go.state import GameState
from igo.search import MultiSearch, SearchConfig
from igo.search.tree import TreeArrays
from search_fakes import FakeEvaluator, golden_value

GOLDEN = Path(__file__).parent / "data" / "golden_tree.json"
POSITION = """
. X .
. O .
. . .
"""
CONFIG = SearchConfig(
    num_simulations=48,
    c_puct=1.5,
    fpu_reduction=0.25,
    dirichlet_epsilon=0.0,
    temperature_moves=0,
    leaves_per_batch=4,
    virtual_loss=3,
)


def golden_state() -> GameState:
    """The fixed root: 3x3, black to play, komi 0.5."""
    return GameState.from_ascii(POSITION, rules=Rules(komi=0.5))


def dump_tree(t: TreeArrays) -> list[dict[str, Any]]:
    """Every node as path, visit count, value sum (own view), terminal flag and edge priors."""
    nodes = []
    for node in range(int(t.counts[0])):
        path, cur = [], node
        while t.parent[cur] >= 0:
            path.append(int(t.move[cur]))
            cur = int(t.parent[cur])
        first, num = int(t.first_edge[node]), int(t.num_edges[node])
        nodes.append(
            {
                "path": path[::-1],
                "visit_count": int(t.visit_count[node]),
                "value_sum": round(float(t.value_sum[node]), 9),
                "terminal": bool(t.terminal[node]),
                "edges": {
                    str(int(t.edge_move[e])): round(float(t.edge_prior[e]), 6)
                    for e in range(first, first + num)
                },
            }
        )
    return sorted(nodes, key=lambda d: (len(d["path"]), d["path"]))


def generate() -> dict[str, Any]:
    """Run the golden search and return its JSON form."""
    search = MultiSearch(FakeEvaluator(golden_value), CONFIG, 1, [0])
    result = search.search([golden_state()])[0]
    t = search.tree_arrays(0)
    assert t is not None
    return {
        "position": POSITION.strip().splitlines(),
        "config": {
            "num_simulations": 48,
            "c_puct": 1.5,
            "fpu_reduction": 0.25,
            "leaves_per_batch": 4,
            "virtual_loss": 3,
        },
        "root_visit_counts": result.visit_counts.tolist(),
        "root_q_values": [None if np.isnan(q) else round(float(q), 9) for q in result.q_values],
        "root_value": round(result.root_value, 9),
        "move": result.move,
        "nodes": dump_tree(t),
    }


def test_golden_tree_matches_json() -> None:
    expected = json.loads(GOLDEN.read_text())
    got = generate()
    assert got["root_visit_counts"] == expected["root_visit_counts"]
    assert got["move"] == expected["move"]
    assert np.allclose(
        np.array(got["root_q_values"], dtype=float),
        np.array(expected["root_q_values"], dtype=float),
        atol=1e-7,
        equal_nan=True,
    )
    assert abs(got["root_value"] - expected["root_value"]) < 1e-7
    assert len(got["nodes"]) == len(expected["nodes"])
    for mine, theirs in zip(got["nodes"], expected["nodes"], strict=True):
        assert mine["path"] == theirs["path"]
        assert mine["visit_count"] == theirs["visit_count"], mine["path"]
        assert abs(mine["value_sum"] - theirs["value_sum"]) < 1e-7, mine["path"]
        assert mine["terminal"] == theirs["terminal"]
        assert mine["edges"].keys() == theirs["edges"].keys()
        for move, prior in theirs["edges"].items():
            assert abs(mine["edges"][move] - prior) < 1e-6


if __name__ == "__main__":
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(json.dumps(generate(), indent=1) + "\n")
