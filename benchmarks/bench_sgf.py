"""SGF parsing under pytest-benchmark: 10,000 nested variations beside the same nodes on one line.

``pytest benchmarks/bench_sgf.py`` times both; with ``--benchmark-disable`` each runs once as a
correctness check. ``igo bench sgf`` (``igo.bench.sgf``) reports the same as JSON
(docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from igo.bench.sgf import sgf_cases
from igo.io.sgf import parse_sgf

Benchmark = Callable[..., Any]
NODES = 10_000


@pytest.mark.parametrize("case", ["deep_variations", "flat_main_line"])
def test_parse(benchmark: Benchmark, case: str) -> None:
    text = sgf_cases(NODES)[case]
    record = benchmark(parse_sgf, text, f"{case}.sgf")
    assert len(record.moves) == NODES
