"""The AlphaGo (Lee) run folder: each stage's files, where the next stages and the ``alphago``
player find them (``igo alphago``).

| path                         | written by     | content                                        |
|------------------------------|----------------|------------------------------------------------|
| ``records/game-*.sgf``       | records        | the engine's self-play games                   |
| ``records-extra/``           | records        | the second engine's games, if any              |
| ``shards/``                  | shards         | SL shards and their ``manifest.json``          |
| ``rollout.npz``              | rollout        | the rollout policy                             |
| ``tree.npz``                 | tree           | the tree policy                                |
| ``sl-policy.safetensors``    | sl             | the SL policy net (``.json``, ``.report.json`` |
|                              |                | beside it; ``.trainer.pt`` while training)     |
| ``rl-policy.safetensors``    | rl             | the RL policy net (``.json``, ``.report.json``)|
| ``rl/``                      | rl             | its opponent pool and trainer                  |
| ``value-data/``              | value_data     | value shards and ``report.json``               |
| ``value.safetensors``        | value          | the value net (as the SL net)                  |
| ``arena/arena.sqlite``       | evaluate       | every evaluation game                          |
| ``arena/report/``            | evaluate       | the arena report's plots                       |
| ``report.md``                | evaluate       | entrants, ratings and the arena report         |
| ``stages.json``              | every stage    | each finished stage's report and seconds       |
| ``logs/<stage>/``            | sl, rl, value  | CSV and TensorBoard logs                       |

The ``alphago`` player plays a run's SL policy, value net, rollout and tree policies. The lock,
``config.json`` and the clean-up after a kill: ``run_folder.py``. Nothing here reads or writes
files; it only names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from igo.run_dir.run_folder import RunFolder

RECORDS = "records"
"""The records stage's games."""
RECORDS_EXTRA = "records-extra"
"""The second record engine's games."""
SHARDS = "shards"
"""The SL shards."""
ROLLOUT_POLICY = "rollout.npz"
"""The rollout policy."""
TREE_POLICY = "tree.npz"
"""The tree policy."""
SL_POLICY = "sl-policy.safetensors"
"""The SL policy network."""
RL_POLICY = "rl-policy.safetensors"
"""The RL policy network."""
RL_WORK = "rl"
"""The RL stage's opponent pool and trainer."""
VALUE_DATA = "value-data"
"""The value network's training positions."""
VALUE_NET = "value.safetensors"
"""The value network."""
ARENA_DB = "arena/arena.sqlite"
"""The evaluation's games."""
ARENA_REPORT = "arena/report"
"""The arena report's plots."""
REPORT = "report.md"
"""The evaluation's report."""


def _net(name: str) -> tuple[str, str]:
    """A network's weights and its JSON."""
    return name, str(Path(name).with_suffix(".json"))


STAGE_OUTPUTS: dict[str, tuple[str, ...]] = {
    "records": (RECORDS,),
    "shards": (f"{SHARDS}/manifest.json",),
    "rollout": (ROLLOUT_POLICY,),
    "tree": (TREE_POLICY,),
    "sl": _net(SL_POLICY),
    "rl": _net(RL_POLICY),
    "value_data": (f"{VALUE_DATA}/report.json",),
    "value": _net(VALUE_NET),
    "evaluate": (REPORT,),
}
"""What each stage leaves in the run folder when it is done (the first: its main output)."""


@dataclass(frozen=True, init=False)
class AlphaGoRunDir(RunFolder):
    """The paths of one AlphaGo run (``AlphaGoRunDir("runs/alphago-9x9")``)."""

    def path(self, name: str) -> Path:
        """A file or folder of the run, by its name in the table above."""
        return self.root / name

    def outputs(self, stage: str) -> list[Path]:
        """What ``stage`` leaves when it is done (the first: its main output)."""
        return [self.root / name for name in STAGE_OUTPUTS[stage]]

    @property
    def stages_path(self) -> Path:
        """The finished stages' reports."""
        return self.root / "stages.json"

    @property
    def shards(self) -> Path:
        """The SL shards."""
        return self.root / SHARDS

    @property
    def rollout_policy(self) -> Path:
        """The rollout policy."""
        return self.root / ROLLOUT_POLICY

    @property
    def tree_policy(self) -> Path:
        """The tree policy."""
        return self.root / TREE_POLICY

    @property
    def sl_policy(self) -> Path:
        """The SL policy network."""
        return self.root / SL_POLICY

    @property
    def rl_policy(self) -> Path:
        """The RL policy network."""
        return self.root / RL_POLICY

    @property
    def rl_work(self) -> Path:
        """The RL stage's opponent pool and trainer."""
        return self.root / RL_WORK

    @property
    def value_data(self) -> Path:
        """The value network's training positions."""
        return self.root / VALUE_DATA

    @property
    def value_net(self) -> Path:
        """The value network."""
        return self.root / VALUE_NET

    @property
    def arena_db(self) -> Path:
        """The evaluation's games."""
        return self.root / ARENA_DB

    @property
    def arena_report(self) -> Path:
        """The arena report's folder (plots)."""
        return self.root / ARENA_REPORT

    @property
    def report(self) -> Path:
        """The evaluation's report."""
        return self.root / REPORT

    def logs(self, stage: str) -> Path:
        """The CSV and TensorBoard folder of a stage."""
        return self.root / "logs" / stage
