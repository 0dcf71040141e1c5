"""The AlphaGo Zero run folder: the filesystem bus between the loop's phases (``igo zero``).

Self-play writes games, training reads them and writes checkpoints, gating reads checkpoints and
writes arena results; each phase finds the others' files here, by these names only.

| path                          | content                                                   |
|-------------------------------|-----------------------------------------------------------|
| ``config.json``               | the resolved config and the package version (checked on  |
|                               | resume)                                                   |
| ``state.json``                | the loop's state: generation, phase, steps, best, resign  |
|                               | threshold (rewritten atomically after every step)         |
| ``models/gen-000003.*``       | the network of generation 3 (``.safetensors`` + ``.json``) |
| ``models/best.*``             | a copy of the best network so far                         |
| ``checkpoints/trainer-*``     | the trainer (net + optimiser + sampler RNG) after a step; |
|                               | the last few are kept                                     |
| ``replay/gen-000003/``        | self-play games of generation 3: ``game-000000.npz``...   |
|                               | and ``manifest.json`` (a game counts once listed there)   |
| ``arena/gating.jsonl``        | one JSON line per gating match                            |
| ``arena/sgf/gen-000003/``     | the gating games of candidate 3 as SGF                    |
| ``arena/curve.*``             | ``igo zero --curve``: its games (``.sqlite``), the table  |
|                               | (``.md``) and the plot (``.png``)                         |
| ``logs/``                     | TensorBoard events, ``train.csv``, ``generations.csv``    |

The lock, ``config.json`` and the clean-up after a kill: ``run_folder.py``. Nothing here reads or
writes files; it only names them (and lists what exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from igo.run_dir.run_folder import RunFolder

_GEN = re.compile(r"^gen-(\d{6})$")
_TRAINER = re.compile(r"^trainer-(\d{8})\.safetensors$")
_MODEL = re.compile(r"^gen-(\d{6})\.safetensors$")


@dataclass(frozen=True, init=False)
class ZeroRunDir(RunFolder):
    """The paths of one Zero run (``ZeroRunDir("runs/zero-9x9")``)."""

    @property
    def state_path(self) -> Path:
        """The loop's state file."""
        return self.root / "state.json"

    @property
    def models(self) -> Path:
        """Networks by generation."""
        return self.root / "models"

    @property
    def checkpoints(self) -> Path:
        """Trainer checkpoints by training step."""
        return self.root / "checkpoints"

    @property
    def replay(self) -> Path:
        """Self-play games, one sub-folder per generation."""
        return self.root / "replay"

    @property
    def arena(self) -> Path:
        """Gating results and games."""
        return self.root / "arena"

    @property
    def logs(self) -> Path:
        """TensorBoard events and CSV logs."""
        return self.root / "logs"

    @property
    def gating_path(self) -> Path:
        """One JSON line per gating match."""
        return self.arena / "gating.jsonl"

    @property
    def best_path(self) -> Path:
        """A copy of the best network so far."""
        return self.models / "best.safetensors"

    @property
    def curve_db(self) -> Path:
        """The learning curve's games (``igo zero --curve``)."""
        return self.arena / "curve.sqlite"

    @property
    def curve_table(self) -> Path:
        """The learning curve as a markdown table."""
        return self.arena / "curve.md"

    @property
    def curve_plot(self) -> Path:
        """The learning curve as a plot."""
        return self.arena / "curve.png"

    def create(self) -> None:
        """Make the run's folders (existing ones are kept)."""
        for folder in (self.models, self.checkpoints, self.replay, self.arena, self.logs):
            folder.mkdir(parents=True, exist_ok=True)

    def model_path(self, generation: int) -> Path:
        """The network of ``generation``."""
        return self.models / f"gen-{generation:06d}.safetensors"

    def replay_dir(self, generation: int) -> Path:
        """The self-play games of ``generation``."""
        return self.replay / f"gen-{generation:06d}"

    def gate_sgf_dir(self, generation: int) -> Path:
        """The gating games of the candidate of ``generation``."""
        return self.arena / "sgf" / f"gen-{generation:06d}"

    def checkpoint_path(self, step: int) -> Path:
        """The trainer checkpoint after ``step`` training steps."""
        return self.checkpoints / f"trainer-{step:08d}.safetensors"

    def replay_generations(self) -> list[int]:
        """Generations that have a replay folder, oldest first."""
        return _numbered(self.replay, _GEN, folders=True)

    def model_generations(self) -> list[int]:
        """Generations that have a network file, oldest first."""
        return _numbered(self.models, _MODEL, folders=False)

    def checkpoint_steps(self) -> list[int]:
        """Training steps that have a trainer checkpoint, oldest first."""
        return _numbered(self.checkpoints, _TRAINER, folders=False)


def _numbered(folder: Path, pattern: re.Pattern[str], folders: bool) -> list[int]:
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if match and entry.is_dir() == folders:
            found.append(int(match.group(1)))
    return sorted(found)
