"""The run's networks on disk: generation 0's at the start, ``best`` kept in step, old ones pruned.

``models/gen-<g>`` holds each generation's network (``ZeroRunDir.model_path``), and
``models/best.safetensors`` a copy of the best one, whose JSON names its generation. A new run
starts from generation 0's random network, which is the first best (Silver et al. 2017) and the
learning curve's anchor, so it is never pruned.
"""

from __future__ import annotations

import json

import numpy as np
import torch

from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.run_dir import ZeroRunDir
from igo.train.trainer import Trainer, make_optimizer, save_trainer
from igo.train.zero.loop_config import ZeroConfig
from igo.train.zero.loop_state import ZeroState, save_state


def initialise_run(config: ZeroConfig, run_dir: ZeroRunDir) -> ZeroState:
    """A new run: generation 0's random network (the first best), its trainer at step 0 and the
    first state, each saved."""
    torch.manual_seed(config.seed)
    net = config.build_net()
    save_checkpoint(net, run_dir.model_path(0), extra={"generation": 0})
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 1]))
    trainer = Trainer(net, make_optimizer(net, config.train), rng, 0)
    save_trainer(run_dir.checkpoint_path(0), trainer)
    state = ZeroState(resign_threshold=config.selfplay.resign_threshold)
    save_state(run_dir.state_path, state)
    return state


def sync_best(run_dir: ZeroRunDir, best_generation: int) -> None:
    """Make ``models/best.safetensors`` generation ``best_generation``'s network (a no-op if it
    is already; after a restart it may be the one before)."""
    best = run_dir.best_path
    info = best.with_suffix(".json")
    if info.exists():
        extra = json.loads(info.read_text(encoding="utf-8")).get("extra", {})
        if extra.get("generation") == best_generation:
            return
    net = load_checkpoint(run_dir.model_path(best_generation))
    save_checkpoint(net, best, extra={"generation": best_generation})


def prune_models(run_dir: ZeroRunDir, keep_models: int, state: ZeroState) -> None:
    """Delete generation networks but the newest ``keep_models``, generation 0, the best and the
    current one."""
    keep = set(run_dir.model_generations()[-keep_models:])
    # Generation 0 anchors the learning curve ("Elo over the first generation").
    keep |= {0, state.best_generation, state.generation}
    for gen in run_dir.model_generations():
        if gen not in keep:
            path = run_dir.model_path(gen)
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)
