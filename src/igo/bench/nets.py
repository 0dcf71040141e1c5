"""Network inference speed: positions per second per body, batch size and inference path.

Every family's standard variant is run through ``TorchEvaluator`` (numpy planes in, numpy
outputs out, ``torch.inference_mode``) on the CPU with a fixed number of threads, and the rate
is turned into achieved GFLOP/s with ``count_flops`` and compared with the machine's matmul peak,
measured in the same run with a large fp32 ``torch.mm`` (``igo.bench.machine``):

| path        | module the evaluator runs (``igo.nn.inference``)                       |
|-------------|------------------------------------------------------------------------|
| `eager`     | the net as built (``prepare_eager``): conv, batch norm, ReLU in turn   |
| `fold`      | batch norm folded into the convs (``fuse_conv_bn``)                    |
| `fold_nhwc` | folded, weights and activations in ``torch.channels_last``             |
| `igo`       | the default (``prepare_for_inference``): folded, NHWC, ReLU in place   |
| `jit`       | the default, traced and frozen by TorchScript (``prepare_jit``)        |
| `compile`   | the default under ``torch.compile``, weights frozen (``prepare_compiled``) |
| `igo_bf16`  | the default under bfloat16 autocast (``precision="bfloat16"``)         |

The default run compares `eager` with `igo`; pass ``paths`` for the others (`compile` compiles
once per batch size, seconds each). ``tune_cpu_malloc`` is applied first unless asked not to;
it is process-wide, so it holds for every path. Timing is in rounds of at least ``ROUND_S``
seconds, the paths interleaved round by round so a change in the machine's load hits them
alike; the best round is reported (the least disturbed by other processes), with the median.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from igo.bench.machine import machine_info, measure_matmul_peak
from igo.nn.flops import net_cost
from igo.nn.fuse import fuse_conv_bn
from igo.nn.inference import (
    ChannelsLast,
    PrepareFn,
    TorchEvaluator,
    prepare_compiled,
    prepare_eager,
    prepare_for_inference,
    prepare_jit,
    resolve_device,
    tune_cpu_malloc,
)
from igo.nn.net import Net
from igo.nn.precision import Precision
from igo.nn.registry import create_net
from igo.nn.threads import torch_threads

__all__ = [
    "PATHS",
    "ROUND_S",
    "STANDARD_NETS",
    "TARGET",
    "bench_net",
    "format_nets_table",
    "machine_info",
    "measure_matmul_peak",
    "run_nets_bench",
    "time_paths",
]

STANDARD_NETS: dict[int, tuple[str, ...]] = {
    9: (
        "resnet_b6c64",
        "preact_b6c64",
        "bottleneck_b6c256",
        "wide_b4c32_k2",
        "pyramid_b6c48_a48",
        "dilated_b8c64",
        "mobilenet_b10c96",
        "densenet_b3c32_k16",
        "alphago_policy_l13c192",
    ),
    19: (
        "resnet_b10c128",
        "preact_b10c128",
        "bottleneck_b6c256",
        "wide_b6c16_k8",
        "pyramid_b12c64_a96",
        "dilated_b12c128",
        "mobilenet_b20c256",
        "densenet_b4c64_k32",
        "alphago_policy_l13c192",
    ),
}
"""One variant per family: about 6 blocks x 64 channels at 9x9, about 10 x 128 at 19x19 (or the
family's closest; AlphaGo's 13-layer policy net is its only policy variant)."""


def _prepare_fold(net: Net, device: torch.device) -> nn.Module:
    return fuse_conv_bn(net)


def _prepare_fold_nhwc(net: Net, device: torch.device) -> nn.Module:
    return ChannelsLast(fuse_conv_bn(net)).eval()


PATHS: dict[str, tuple[PrepareFn, Precision]] = {
    "eager": (prepare_eager, "float32"),
    "fold": (_prepare_fold, "float32"),
    "fold_nhwc": (_prepare_fold_nhwc, "float32"),
    "igo": (prepare_for_inference, "float32"),
    "jit": (prepare_jit, "float32"),
    "compile": (prepare_compiled, "float32"),
    "igo_bf16": (prepare_for_inference, "bfloat16"),
}
"""Inference paths: name -> the ``TorchEvaluator`` prepare function and precision."""

TARGET = {"name": "resnet_b6c64", "board_size": 9, "batch_size": 128, "fraction_of_peak": 0.5}
"""Issue 3's goal: the standard 9x9 ResNet at batch 128 reaches half the matmul peak."""

ROUND_S = 0.02
"""Shortest timed round; shorter calls are repeated within a round."""


def _bind(evaluator: TorchEvaluator, planes: np.ndarray) -> Callable[[], object]:
    """A no-argument call of whichever evaluator method the net's heads allow."""
    method: Callable[[np.ndarray], object]
    if evaluator.has_policy and evaluator.has_value:
        method = evaluator.evaluate
    else:
        method = evaluator.policy_logits if evaluator.has_policy else evaluator.values
    return lambda: method(planes)


def time_paths(
    calls: dict[str, Callable[[], object]],
    batch_size: int,
    seconds: float,
    warm_up: bool = True,
) -> dict[str, dict[str, float]]:
    """Positions/s of each call, timed in interleaved rounds for ``seconds`` per call.

    Args:
        calls: name -> a function evaluating one batch of ``batch_size`` positions.
        batch_size: positions per call.
        seconds: time budget of each call's rounds (at least one round is always timed).
        warm_up: make one untimed call of each first (first-call allocations, oneDNN
            primitive creation); worth skipping only when one call takes seconds.

    Returns:
        name -> ``{"best": ..., "median": ..., "rounds": ...}`` in positions per second.
    """
    rates: dict[str, list[float]] = {name: [] for name in calls}
    spent = dict.fromkeys(calls, 0.0)
    for call in calls.values() if warm_up else ():
        call()
    while not rates[next(iter(calls))] or min(spent.values()) < seconds:
        for name, call in calls.items():
            count, start = 0, time.perf_counter()
            while True:
                call()
                count += 1
                took = time.perf_counter() - start
                if took >= ROUND_S:
                    break
            rates[name].append(count * batch_size / took)
            spent[name] += took
    return {
        name: {"best": max(r), "median": statistics.median(r), "rounds": len(r)}
        for name, r in rates.items()
    }


def bench_net(
    name: str,
    board_size: int,
    batch_sizes: Sequence[int],
    paths: Sequence[str],
    seconds: float,
    device: str = "cpu",
) -> list[dict[str, Any]]:
    """Rows for one variant at one board size: one per (batch size, path), without the
    fraction of peak (``run_nets_bench`` adds it)."""
    cost = net_cost(name, board_size)
    torch.manual_seed(0)
    net = create_net(name, board_size=board_size)
    evaluators = {
        p: TorchEvaluator(
            net,
            device=device,
            batch_size=max(batch_sizes),
            precision=PATHS[p][1],
            prepare_fn=PATHS[p][0],
        )
        for p in paths
    }
    rng = np.random.default_rng(0)
    shape = (net.config.in_planes, board_size, board_size)
    rows = []
    slowest_rate = 0.0  # positions/s of the slowest path at the previous batch size
    for batch in sorted(batch_sizes):
        # Binary planes, as the encoders produce.
        planes = (rng.random((batch, *shape)) < 0.3).astype(np.float32)
        calls = {p: _bind(ev, planes) for p, ev in evaluators.items()}
        # A call expected to outlast the budget is timed once, without a warm-up of its own
        # (the smaller batches warmed the net up; first-call costs are then a few percent).
        warm_up = slowest_rate == 0.0 or batch / slowest_rate < seconds
        timed = time_paths(calls, batch, seconds, warm_up)
        slowest_rate = min(rate["best"] for rate in timed.values())
        for path, rate in timed.items():
            rows.append(
                {
                    "name": name,
                    "board_size": board_size,
                    "path": path,
                    "batch_size": batch,
                    "params": cost.num_params,
                    "mflops_per_position": cost.flops / 1e6,
                    "positions_per_s": rate["best"],
                    "median_positions_per_s": rate["median"],
                    "rounds": rate["rounds"],
                    "warmed_up": warm_up,
                    "gflops": rate["best"] * cost.flops / 1e9,
                }
            )
    return rows


def _target_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``TARGET`` with the fraction of peak reached by its row and whether that meets it."""
    reached = None
    for row in rows:
        if row["path"] == "igo" and all(
            row[key] == TARGET[key] for key in ("name", "board_size", "batch_size")
        ):
            reached = row["fraction_of_peak"]
    met = None if reached is None else reached >= TARGET["fraction_of_peak"]
    return {**TARGET, "reached": reached, "met": met}


def _measure_all(
    names: Sequence[str] | None,
    board_sizes: Sequence[int],
    batch_sizes: Sequence[int],
    paths: Sequence[str],
    seconds: float,
    peak_sizes: Sequence[int],
    peak_s: float,
    device: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows of every net with their fraction of peak, and the peak (measured before and after)."""
    peak_before = measure_matmul_peak(peak_sizes, peak_s, device)
    rows: list[dict[str, Any]] = []
    for board_size in board_sizes:
        for name in names or STANDARD_NETS[board_size]:
            rows += bench_net(name, board_size, batch_sizes, paths, seconds, device)
    peak_after = measure_matmul_peak(peak_sizes, peak_s, device)
    peak = max(peak_before["gflops"], peak_after["gflops"])
    for row in rows:
        row["fraction_of_peak"] = row["gflops"] / peak
    return rows, {"gflops": peak, "before": peak_before, "after": peak_after}


def run_nets_bench(
    names: Sequence[str] | None = None,
    board_sizes: Sequence[int] = (9, 19),
    batch_sizes: Sequence[int] = (1, 8, 32, 128, 256),
    threads: int = 2,
    seconds: float = 0.25,
    paths: Sequence[str] = ("eager", "igo"),
    quick: bool = False,
    tune_malloc: bool = True,
    device: str = "cpu",
) -> dict[str, Any]:
    """Time every family's standard net, eager and through igo's inference path, on the CPU
    (or ``device``: ``cuda``, ``auto``; the matmul peak is then the GPU's).

    Args:
        names: variants to run at every board size; None for ``STANDARD_NETS[board_size]``.
        board_sizes: board sides N.
        batch_sizes: positions per forward pass.
        threads: ``torch.set_num_threads`` for the run (restored afterwards).
        seconds: timing budget of each (net, board, batch, path).
        paths: names from ``PATHS``.
        quick: a few-second smoke run for tests: 9x9 only, two small nets, batches 1 and 8.
        tune_malloc: call ``tune_cpu_malloc`` first (process-wide, for every path).
        device: where the nets run (``igo.nn.inference.resolve_device``'s names).

    Returns:
        JSON-ready ``{"benchmark", "machine", "settings", "matmul_peak", "results", "target"}``;
        ``results`` has one row per (net, board size, batch size, path).
    """
    unknown = sorted(set(paths) - set(PATHS))
    if unknown:
        raise ValueError(f"unknown paths {unknown}; choose from {sorted(PATHS)}")
    if quick:
        board_sizes, batch_sizes, seconds = (9,), (1, 8), 0.02
        names = names or ("resnet_b6c64", "mobilenet_b10c96")
    device = str(resolve_device(device))  # a CUDA device this machine lacks: ValueError
    malloc_tuned = tune_cpu_malloc() if tune_malloc else False
    machine = machine_info()
    with torch_threads(threads):
        peak_sizes, peak_s = ((512,), 0.1) if quick else ((1024, 2048), 1.0)
        rows, peak = _measure_all(
            names, board_sizes, batch_sizes, paths, seconds, peak_sizes, peak_s, device
        )
    machine["load_average_1m_after"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    settings = {
        "threads": threads,
        "seconds": seconds,
        "board_sizes": list(board_sizes),
        "batch_sizes": list(batch_sizes),
        "paths": list(paths),
        "device": device,
        "malloc_tuned": malloc_tuned,
    }
    return {
        "benchmark": "nets",
        "machine": machine,
        "settings": settings,
        "matmul_peak": peak,
        "results": rows,
        "target": _target_summary(rows),
    }


def format_nets_table(result: dict[str, Any]) -> str:
    """A Markdown table of a ``run_nets_bench`` result: one row per (net, board, path).

    Each batch-size column holds ``positions/s (GFLOP/s, % of peak)``.
    """
    batch_sizes = result["settings"]["batch_sizes"]
    header = "| net | board | MFLOPs/pos | path | " + " | ".join(f"b={b}" for b in batch_sizes)
    lines = [header + " |", "|---|---|---:|---|" + "---:|" * len(batch_sizes)]
    cells: dict[tuple[str, int, str], dict[int, dict[str, Any]]] = {}
    for row in result["results"]:
        cells.setdefault((row["name"], row["board_size"], row["path"]), {})[row["batch_size"]] = row
    for (name, board, path), by_batch in cells.items():
        mflops = next(iter(by_batch.values()))["mflops_per_position"]
        values = [
            f"{r['positions_per_s']:,.0f} ({r['gflops']:.0f}, {100 * r['fraction_of_peak']:.0f}%)"
            if (r := by_batch.get(b))
            else "-"
            for b in batch_sizes
        ]
        lines.append(
            f"| {name} | {board}x{board} | {mflops:,.1f} | {path} | " + " | ".join(values) + " |"
        )
    return "\n".join(lines)
