"""A 9x9-kata run started before mixed sizes (igo 0.1.0 at 2964f1d) resumes after them.

The fixture ``fixtures/kata-run-0.1.0/`` was written by that commit's code:

- ``config-9x9-kata.json``: the ``config.json`` of ``igo zero --preset 9x9-kata`` (no
  ``selfplay.board_sizes``);
- ``run/``: one finished generation of ``kata-small.toml`` (the 9x9-kata preset with a 1-block,
  8-channel net, 2 games of 4 visits, 2 training steps), TensorBoard events and the step-0
  trainer checkpoint removed.

To regenerate it, check that commit out and run ``igo zero --preset kata-small.toml`` in a folder
holding ``kata-small.toml`` (its ``run_dir`` is ``run``); write the preset's ``config.json`` with
``ZERO_CONFIGS.check_saved(ZeroRunDir(folder), ZERO_CONFIGS.load_preset("9x9-kata"), version)``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np

from igo.data.replay_buffer import ReplayBuffer
from igo.nn.checkpoint import package_version
from igo.run_dir import ZeroRunDir
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS

FIXTURE = Path(__file__).parent / "fixtures" / "kata-run-0.1.0"


def test_the_9x9_kata_preset_resumes_a_config_saved_before_mixes(tmp_path: Path) -> None:
    folder = ZeroRunDir(tmp_path / "run")
    folder.create()
    shutil.copy(FIXTURE / "config-9x9-kata.json", folder.root / "config.json")
    config = ZERO_CONFIGS.load_preset("9x9-kata")
    assert config.selfplay.board_sizes == () and config.selfplay.sizes == (9,)
    ZERO_CONFIGS.check_saved(folder, config, package_version())  # raises on any difference


def test_a_9x9_kata_run_written_before_mixes_loads_and_resumes(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(FIXTURE / "run", run)
    preset = ZERO_CONFIGS.load_preset(str(FIXTURE / "kata-small.toml"))
    config = ZERO_CONFIGS.with_overrides(preset, {"run_dir": str(run), "generations": 2})

    buffer = ReplayBuffer(run / "replay", config.selfplay.sizes, config.history)
    buffer.refresh(100)
    assert buffer.num_games == 2 and buffer.num_samples > 0
    batch = buffer.sample(8, np.random.default_rng(0))
    assert batch.planes.shape == (8, 17, 9, 9) and batch.aux.all()  # counted: record v2

    state = run_zero(config, progress=False)
    assert (state.generation, state.train_steps, state.best_generation) == (2, 4, 2)
    assert len(state.history) == 2
    with (run / "logs" / "train.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4]
    assert "board_size" not in rows[0]  # one size: the old columns, the old header
