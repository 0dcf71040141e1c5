"""The Zero loop on a mix of sizes: self-play on each, one-size minibatches, one net for all."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import torch

from igo.data.replay_buffer import ReplayBuffer
from igo.encode.zero_planes import zero_planes_batch
from igo.nn.checkpoint import load_checkpoint
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS

MIXED = {
    "generations": 1,
    "net_overrides": {"blocks": 1, "channels": 8, "value_hidden": 16, "heads": "pooled"},
    "selfplay.board_sizes": [[5, 1.0], [7, 1.0]],
    "selfplay.scoring": "estimate",
    "selfplay.games_per_generation": 8,
    "selfplay.parallel_games": 8,
    "selfplay.search.num_simulations": 4,
    "train.steps_per_generation": 12,
    "train.batch_size": 16,
    "train.ownership_weight": 1.0,
    "gate.mode": "none",
}


def test_a_mixed_run_trains_one_net_on_every_size(tmp_path: Path) -> None:
    overrides = {"run_dir": str(tmp_path / "run"), **MIXED}
    config = ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), overrides)
    state = run_zero(config, progress=False)
    assert state.generation == 1 and state.train_steps == 12

    buffer = ReplayBuffer(tmp_path / "run" / "replay", (5, 7))
    buffer.refresh(100)
    assert buffer.num_games == 8 and all(n > 0 for n in buffer.samples_by_size().values())

    with (tmp_path / "run" / "logs" / "train.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 12 and {r["board_size"] for r in rows} == {"5", "7"}
    for row in rows:  # every step's losses are its size's, auxiliary ones included
        assert all(math.isfinite(float(row[k])) for k in ("loss", "ownership_loss", "score_loss"))

    net = load_checkpoint(tmp_path / "run" / "models" / "best.safetensors")
    net.eval()
    for size in (5, 7, 9):  # one net, every size (9x9 never played)
        planes = zero_planes_batch(
            np.zeros((2, 8, size * size), np.int8), np.array([1, 2], np.int8), size
        )
        with torch.no_grad():
            policy, value = net(torch.from_numpy(planes))
        assert policy.shape == (2, size * size + 1) and torch.isfinite(value).all()
