"""A Zero student's held-out curve as a picture: agreement with the teacher's top move and value
MSE to the teacher's value against steps, from the ``heldout.csv`` that ``igo compress distill``
writes in its log folder (a Zero student's columns: ``agree``, ``mse_teacher``).

    python benchmarks/plot_distill_curve.py student.logs/heldout.csv \
        --plot docs/images/distill-zero-student.png --title "b5c32 student"
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path


def read_curve(path: Path) -> list[dict[str, float]]:
    """The rows of ``heldout.csv`` as numbers, by step."""
    with path.open() as handle:
        rows = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]
    return sorted(rows, key=lambda r: r["step"])


def plot(rows: list[dict[str, float]], out: Path, title: str) -> None:
    """Two panels: agreement (%) and value MSE to the teacher, against steps."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.4))
    left.plot(steps, [100 * r["agree"] for r in rows], marker="o", markersize=3)
    left.set(xlabel="step", ylabel="top move = teacher's (%)", title="agreement, held-out")
    right.plot(steps, [r["mse_teacher"] for r in rows], marker="o", markersize=3, color="C1")
    right.set(xlabel="step", ylabel="MSE", title="value MSE to the teacher's, held-out")
    for ax in (left, right):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="a Zero student's heldout.csv")
    parser.add_argument("--plot", type=Path, required=True, help="the PNG to write")
    parser.add_argument("--title", default="Zero student, held-out")
    args = parser.parse_args()
    rows = read_curve(args.csv)
    if not rows or "agree" not in rows[0]:
        raise SystemExit(f"{args.csv}: no rows with a Zero student's agree column")
    plot(rows, args.plot, args.title)
    best = max(rows, key=lambda r: r["agree"])
    print(f"best agreement {best['agree']:.1%} at step {best['step']:.0f} -> {args.plot}")


if __name__ == "__main__":
    main()
