"""SGF reading speed: a record nested 10,000 variations deep beside the same moves on one line.

The deep record is the one ``tests/io/test_sgf.py`` parses to show that nesting costs no
recursion; here it is timed, with its peer in the same run: the same 10,000 nodes as one flat
main line, so that the cost of the nesting itself shows. Best and median of ``repeats`` parses.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from igo.bench.machine import machine_info
from igo.io.sgf import parse_sgf


def sgf_cases(nodes: int) -> dict[str, str]:
    """The SGF texts timed, by name: ``nodes`` moves nested as variations, and as one line."""
    return {
        "deep_variations": "(;SZ[9]" + "(;B[aa]" * nodes + ")" * (nodes + 1),
        "flat_main_line": "(;SZ[9]" + ";B[aa]" * nodes + ")",
    }


def run_sgf_bench(nodes: int = 10_000, repeats: int = 5) -> dict[str, Any]:
    """Seconds to parse each case (best and median of ``repeats``) and nodes per second."""
    results: dict[str, Any] = {}
    for name, text in sgf_cases(nodes).items():
        seconds = []
        for _ in range(repeats):
            started = time.perf_counter()
            record = parse_sgf(text, f"{name}.sgf")
            seconds.append(time.perf_counter() - started)
        assert len(record.moves) == nodes, name
        best = min(seconds)
        results[name] = {
            "seconds_best": round(best, 4),
            "seconds_median": round(statistics.median(seconds), 4),
            "nodes_per_s_best": round(nodes / best),
        }
    deep, flat = results["deep_variations"], results["flat_main_line"]
    return {
        "machine": machine_info(),
        "nodes": nodes,
        "repeats": repeats,
        "results": results,
        "deep_over_flat": round(deep["seconds_best"] / flat["seconds_best"], 2),
    }
