"""Network forward throughput under pytest-benchmark: a few variants, eager vs igo's default path.

``pytest benchmarks/bench_nets.py`` times one ``TorchEvaluator.evaluate`` call per round; with
``--benchmark-disable`` each case runs once and checks the outputs, quickly. The full table
(every family, batch 1 to 256, GFLOP/s and fraction of the matmul peak) comes from
``igo bench nets`` (``igo.bench.nets.run_nets_bench``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from igo.bench.nets import format_nets_table, run_nets_bench
from igo.nn.inference import TorchEvaluator, prepare_eager, prepare_for_inference
from igo.nn.registry import create_net
from igo.nn.threads import torch_threads

NETS = ["resnet_b6c64", "mobilenet_b10c96", "densenet_b3c32_k16"]
BATCH_SIZES = [1, 32]
PATHS = {"eager": prepare_eager, "igo": prepare_for_inference}


@pytest.fixture(scope="module", autouse=True)
def _two_threads() -> Any:
    with torch_threads(2):
        yield


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("batch_size", BATCH_SIZES)
@pytest.mark.parametrize("name", NETS)
def test_forward(benchmark: Any, name: str, batch_size: int, path: str) -> None:
    """One batch of 9x9 positions through ``TorchEvaluator.evaluate`` on the CPU."""
    torch.manual_seed(0)
    net = create_net(name)
    evaluator = TorchEvaluator(net, device="cpu", prepare_fn=PATHS[path])
    rng = np.random.default_rng(0)
    planes = (rng.random((batch_size, net.config.in_planes, 9, 9)) < 0.3).astype(np.float32)
    evaluator.evaluate(planes)  # prepare and warm up outside the clock
    benchmark.extra_info["positions"] = batch_size
    logits, values = benchmark(evaluator.evaluate, planes)
    reference = TorchEvaluator(net, device="cpu", prepare_fn=prepare_eager).evaluate(planes)
    np.testing.assert_allclose(logits, reference[0], rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(values, reference[1], rtol=1e-4, atol=1e-5)


def test_run_nets_bench_quick() -> None:
    """The ``igo bench nets`` driver in its quick mode: every row filled, a table renders."""
    result = run_nets_bench(quick=True, threads=1)
    rows = result["results"]
    assert len(rows) == 2 * 2 * 2  # nets x batch sizes x paths
    assert result["matmul_peak"]["gflops"] > 0
    assert all(r["positions_per_s"] > 0 and 0 < r["fraction_of_peak"] for r in rows)
    assert result["target"]["reached"] is None  # quick mode has no batch 128
    assert format_nets_table(result).count("\n") == 1 + 2 * 2
