"""The best save of a distillation: the student at the save with the best held-out score.

At every save (``checkpoint_every`` steps) ``distill`` measures the student on held-out
positions; ``keeping_best`` writes the net as ``X.best.safetensors`` beside ``out`` =
``X.safetensors`` whenever its score beats the best so far (read back from that file's JSON, so a
resumed run compares with the saves before it was killed). The score is the agreement with the
teacher's top move for Zero students, top-1 for policy students and minus the MSE for value
students: the student to play is picked on held-out positions, never by match results.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from igo.nn.checkpoint import save_checkpoint
from igo.nn.net import Net

Metrics = dict[str, float]


def best_path(out: Path) -> Path:
    """``X.best.safetensors`` for ``out`` = ``X.safetensors``."""
    return out.with_suffix(".best.safetensors")


def score(metrics: Metrics) -> float:
    """Higher is better: ``agree`` (Zero students), else ``top1`` (policy), else ``-mse``."""
    for key in ("agree", "top1"):
        if key in metrics:
            return metrics[key]
    return -metrics["mse"]


def read_best(out: Path) -> dict[str, Any] | None:
    """The best save's step and held-out metrics (None: no best save yet)."""
    info = best_path(out).with_suffix(".json")
    if not (info.exists() and best_path(out).exists()):
        return None
    best: dict[str, Any] = json.loads(info.read_text(encoding="utf-8"))["extra"]["best"]
    return best


def forget_best(out: Path) -> None:
    """Remove the best save of ``out`` (before a new run)."""
    best_path(out).unlink(missing_ok=True)
    best_path(out).with_suffix(".json").unlink(missing_ok=True)


def keeping_best(
    evaluate: Callable[[Net], Metrics], out: Path, step: Callable[[], int]
) -> Callable[[Net], Metrics]:
    """``evaluate`` that also writes the net as the best save when it beats the best so far
    (``step``: the trainer's step at this save)."""

    def measure(net: Net) -> Metrics:
        metrics = evaluate(net)
        best = read_best(out)
        if best is None or score(metrics) > score(best):
            extra = {"stage": "distill", "best": {"step": step(), **metrics}}
            save_checkpoint(net, best_path(out), extra=extra)
        return metrics

    return measure
