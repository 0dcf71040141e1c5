"""Training logs: CSV files (always) and TensorBoard scalars (when ``tensorboard`` is installed).

| file                     | one row per         | columns                                      |
|--------------------------|---------------------|----------------------------------------------|
| ``logs/train.csv``       | training step       | step, lr, loss, value_loss, policy_loss, ... |
| ``logs/generations.csv`` | finished generation | generation, games, positions, gate score ... |
| ``logs/train/``          | TensorBoard events  | ``train/*`` scalars by step                  |
| ``logs/generations/``    | TensorBoard events  | ``selfplay/*``, ``gate/*`` by generation     |

A resumed run first drops what the killed one logged past the saved state (rows of steps and
generations it will redo; TensorBoard's ``purge_step``), so every step and generation is logged
exactly once.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from igo.extras import MissingExtraError, require
from igo.files import write_text_atomic


def summary_writer(log_dir: str | Path, purge_step: int | None) -> Any:
    """A TensorBoard writer into ``log_dir`` (events past ``purge_step`` dropped), or None, with
    one warning line naming the extra, when tensorboard is not installed: it is optional, as the
    CSV logs and reports hold the numbers."""
    try:
        module = require("torch.utils.tensorboard", "TensorBoard logging", "tensorboard")
    except MissingExtraError as err:
        print(f"igo: {err}; skipping TensorBoard events", file=sys.stderr)
        return None
    return module.SummaryWriter(str(log_dir), purge_step=purge_step)


class CsvLog:
    """An append-only CSV file keyed by an integer column, its header set by the first row; a
    row with new columns (a run resumed by a newer version) widens it, older rows left blank."""

    def __init__(self, path: Path, key: str, keep_below: int) -> None:
        """Open ``path``, dropping rows whose ``key`` is ``>= keep_below`` or that are torn."""
        self.path = path
        self.key = key
        self.fields: list[str] | None = None
        rows = self._read()
        kept = [r for r in rows if int(r[key]) < keep_below]
        if kept:
            self.fields = list(kept[0].keys())
        if path.exists():  # also drops a torn last line
            self._rewrite(kept)
        self._file: TextIO | None = None

    def _read(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        with self.path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = []
            for row in reader:
                if None in row or None in row.values() or not row.get(self.key, "").isdigit():
                    continue  # a line torn by a kill
                rows.append(row)
        return rows

    def _rewrite(self, rows: list[dict[str, str]]) -> None:
        buffer = io.StringIO()
        if rows and self.fields:
            writer = csv.DictWriter(buffer, fieldnames=self.fields, restval="")
            writer.writeheader()
            writer.writerows(rows)
        write_text_atomic(self.path, buffer.getvalue())

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row (flushed at once)."""
        added = [name for name in row if self.fields is not None and name not in self.fields]
        if added and self.fields is not None:
            self.close()
            rows = self._read()
            self.fields = [*self.fields, *added]
            self._rewrite(rows)
        if self._file is None:
            new = not self.path.exists() or self.path.stat().st_size == 0
            self._file = self.path.open("a", newline="", encoding="utf-8")
            if self.fields is None:
                self.fields = list(row.keys())
            if new:
                csv.writer(self._file).writerow(self.fields)
        values = [_format(row.get(name, "")) for name in self.fields or []]
        csv.writer(self._file).writerow(values)
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _format(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


class MetricsLog:
    """The run's train and generation logs (CSV and TensorBoard)."""

    def __init__(self, logs_dir: Path, train_steps: int, generation: int) -> None:
        """Open the logs of a run whose state says ``train_steps`` steps and ``generation``
        finished generations; anything logged past them is dropped."""
        logs_dir.mkdir(parents=True, exist_ok=True)
        self.train_csv = CsvLog(logs_dir / "train.csv", "step", train_steps + 1)
        self.generation_csv = CsvLog(logs_dir / "generations.csv", "generation", generation)
        self._writers: dict[str, Any] = {}
        train = summary_writer(logs_dir / "train", train_steps + 1)
        if train is not None:
            self._writers = {
                "train": train,
                "generations": summary_writer(logs_dir / "generations", generation),
            }

    def train(self, step: int, metrics: Mapping[str, float]) -> None:
        """Log training step ``step`` (1-based: the steps done after it)."""
        self.train_csv.append({"step": step, **metrics})
        writer = self._writers.get("train")
        if writer is not None:
            for name, value in metrics.items():
                writer.add_scalar(f"train/{name}", value, step)

    def generation(self, generation: int, metrics: Mapping[str, float]) -> None:
        """Log the summary of finished generation ``generation``."""
        self.generation_csv.append({"generation": generation, **metrics})
        writer = self._writers.get("generations")
        if writer is not None:
            for name, value in metrics.items():
                writer.add_scalar(name.replace(".", "/"), value, generation)
            writer.flush()

    def close(self) -> None:
        """Flush and close everything."""
        self.train_csv.close()
        self.generation_csv.close()
        for writer in self._writers.values():
            writer.close()
