"""Draw the figures of docs/alphago.md from an ``igo alphago`` run directory.

    python scripts/alphago_figures.py runs/alphago-9x9 docs/images

Writes ``alphago-training.png``: SL policy held-out accuracy by step, RL policy win rate against
its opponents by iteration, value net held-out MSE by step (with the mean predictor's). Reads the
run's ``logs/`` (CSV for the supervised stages, TensorBoard events for RL) and ``stages.json``.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_csv(path: Path) -> list[dict[str, float]]:
    if not path.is_file():
        return []
    with path.open() as f:
        return [
            {k: float(v) for k, v in row.items() if v not in ("", None)}
            for row in csv.DictReader(f)
        ]


def read_scalars(folder: Path, tag: str) -> list[tuple[int, float]]:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    if not folder.is_dir():
        return []
    acc = EventAccumulator(str(folder))
    acc.Reload()
    if tag not in acc.Tags().get("scalars", []):
        return []
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def main(run_dir: str, out_dir: str) -> None:
    run, out = Path(run_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stages = json.loads((run / "stages.json").read_text()).get("stages", {})
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))

    sl = read_csv(run / "logs" / "sl" / "heldout.csv")
    if sl:
        steps = [r["step"] for r in sl]
        axes[0].plot(steps, [100 * r["top1"] for r in sl], marker="o", label="top-1")
        axes[0].plot(steps, [100 * r["top5"] for r in sl], marker="o", label="top-5")
    axes[0].set(title="SL policy: held-out accuracy", xlabel="step", ylabel="%")
    axes[0].legend()

    rl = read_scalars(run / "logs" / "rl", "rl/win_rate_vs_opponent")
    if rl:
        xs, ys = zip(*rl, strict=True)
        window = 10
        smooth = [
            sum(ys[max(0, i - window + 1) : i + 1]) / len(ys[max(0, i - window + 1) : i + 1])
            for i in range(len(ys))
        ]
        axes[1].plot(xs, [100 * y for y in ys], alpha=0.3, label="each iteration")
        axes[1].plot(xs, [100 * y for y in smooth], label=f"mean of {window}")
    final = stages.get("rl", {}).get("report", {}).get("win_rate_vs_sl")
    if final is not None:
        axes[1].axhline(
            100 * final, color="red", linestyle="--", label=f"final vs SL: {100 * final:.0f}%"
        )
    axes[1].axhline(50, color="grey", linewidth=1)
    axes[1].set(title="RL policy: win rate vs pool opponent", xlabel="iteration", ylabel="%")
    axes[1].legend()

    value = read_csv(run / "logs" / "value" / "heldout.csv")
    report = stages.get("value", {}).get("report", {})
    if value:
        axes[2].plot(
            [r["step"] for r in value], [r["mse"] for r in value], marker="o", label="value net"
        )
    for key, label, colour in (
        ("mean_mse", "mean predictor", "grey"),
        ("rollout_mse", "rollouts", "green"),
    ):
        if report.get(key) is not None:
            axes[2].axhline(report[key], color=colour, linestyle="--", label=label)
    axes[2].set(title="Value net: held-out MSE", xlabel="step", ylabel="MSE")
    axes[2].legend()

    fig.tight_layout()
    tmp = out / "alphago-training.tmp.png"
    fig.savefig(tmp, dpi=90)
    tmp.replace(out / "alphago-training.png")  # atomic: never a half-written figure
    print(out / "alphago-training.png")


if __name__ == "__main__":
    main(*sys.argv[1:3])
