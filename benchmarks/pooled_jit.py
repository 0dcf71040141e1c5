"""TorchScript on a pooled net: one trace per board size against no trace at all.

A net with pooled heads reads the board width off its input's shape, which a trace freezes, so
a jitted pooled net must be traced once per size it meets (``TracedPerSize`` below), or not at
all: ``prepare_for_inference`` (batch norm folded, NHWC), the default path, runs every size as
it is, and is what ``prepare_jit`` gives a pooled net since this measurement. This times both
on ``resnet_b6c64`` with pooled heads, fp32, one torch thread, at 9x9 and 13x13 and batch 8
and 32 (self-play's batches per size), the calls interleaved in rounds and the median taken,
plus the first call at a size (the trace).

    python benchmarks/pooled_jit.py [rounds]

Results: docs/zero.md ("Mixed sizes"), docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import torch
from torch import Tensor, nn

from igo.nn.inference import TorchEvaluator, prepare_for_inference, trace_frozen
from igo.nn.net import Net
from igo.nn.registry import create_net

SIZES = (9, 13)
BATCHES = (8, 32)


class TracedPerSize(nn.Module):
    """A module traced by TorchScript once per board size, on its first input of that size."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.traces: dict[tuple[int, int], nn.Module] = {}

    def forward(self, x: Tensor) -> object:
        key = (int(x.shape[2]), int(x.shape[3]))
        if key not in self.traces:
            self.traces[key] = trace_frozen(self.model, x[:1])
        return self.traces[key](x)


def prepare_traced_per_size(net: Net, device: torch.device) -> nn.Module:
    """``prepare_for_inference``, then traced per board size."""
    return TracedPerSize(prepare_for_inference(net, device))


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", board_size=9, heads="pooled").eval()
    paths = {
        "no trace": TorchEvaluator(net, "cpu", prepare_fn=prepare_for_inference),
        "trace per size": TorchEvaluator(net, "cpu", prepare_fn=prepare_traced_per_size),
    }
    rng = np.random.default_rng(0)
    planes = {
        (n, b): rng.standard_normal((b, 17, n, n)).astype(np.float32)
        for n in SIZES
        for b in BATCHES
    }
    for (n, b), x in planes.items():  # first calls: the trace of each size
        for name, evaluator in paths.items():
            start = time.perf_counter()
            evaluator.evaluate(x)
            if b == BATCHES[0]:
                print(f"first call {n}x{n} batch {b}, {name}: {time.perf_counter() - start:.3f} s")
    times: dict[tuple[str, int, int], list[float]] = {}
    for _ in range(rounds):
        for key, x in planes.items():
            for name, evaluator in paths.items():
                start = time.perf_counter()
                evaluator.evaluate(x)
                times.setdefault((name, *key), []).append(time.perf_counter() - start)
    print("| size | batch | no trace (pos/s) | trace per size (pos/s) | trace / no trace |")
    print("|---:|---:|---:|---:|---:|")
    for n, b in planes:
        rate = {p: b / statistics.median(times[(p, n, b)]) for p in paths}
        ratio = rate["trace per size"] / rate["no trace"]
        none, traced = rate["no trace"], rate["trace per size"]
        print(f"| {n}x{n} | {b} | {none:.0f} | {traced:.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
