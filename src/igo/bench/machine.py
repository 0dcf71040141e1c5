"""The machine a network benchmark runs on: CPU model and SIMD flags, library versions, load,
and its fp32 matmul peak (the yardstick ``igo.bench.nets`` measures nets against).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from igo.bench.rules import cpu_model
from igo.nn.cpu_features import bf16_support, cpu_flags, int8_support


def machine_info() -> dict[str, Any]:
    """Where and when the benchmark ran, and how busy the machine was."""
    return {
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cpu_flags": cpu_flags(),
        "bf16": bf16_support(),
        "int8": int8_support(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "numpy": np.__version__,
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def measure_matmul_peak(
    sizes: Sequence[int] = (1024, 2048), seconds: float = 1.0, device: str = "cpu"
) -> dict[str, Any]:
    """The machine's fp32 matmul rate: best of repeated ``torch.mm`` of square matrices.

    Args:
        sizes: matrix sides n to try; each product is ``2 n^3`` FLOPs.
        seconds: time spent on each size.
        device: where to multiply (``cuda``: each product waited for, the GPU's rate).

    Returns:
        ``{"gflops": best over sizes, "by_size": {n: best GFLOP/s}}`` with the current threads.
    """
    by_size: dict[str, float] = {}
    for n in sizes:
        gen = torch.Generator().manual_seed(n)
        a, b = torch.randn(n, n, generator=gen), torch.randn(n, n, generator=gen)
        a, b, out = a.to(device), b.to(device), torch.empty(n, n, device=device)
        torch.mm(a, b, out=out)
        best = float("inf")
        start = time.perf_counter()
        for _ in range(1000):
            t0 = time.perf_counter()
            torch.mm(a, b, out=out)
            if out.is_cuda:  # the product is queued: wait for it
                torch.cuda.synchronize()
            best = min(best, time.perf_counter() - t0)
            if t0 - start > seconds:
                break
        by_size[str(n)] = 2 * n**3 / best / 1e9
    return {"gflops": max(by_size.values()), "by_size": by_size}
