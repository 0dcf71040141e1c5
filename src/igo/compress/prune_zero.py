"""Fine-tuning a pruned Zero net on a replay folder: AlphaGo Zero's own training step.

``retrain_zero(net, masks, replay, out, config)`` trains a (pruned) PolicyValueNet on AlphaGo
Zero planes on the training games of a Zero run's ``replay/`` folder (every game but the ones
``igo.compress.positions`` holds out, so the measurement stays on unseen games) with the Zero
loop's step (``igo.train.zero.training_step.train_steps``: random symmetries, the joint loss
``(z - v)^2 - pi . log p``, SGD with momentum, L2), under the SL stage's files (``out`` and its
JSON, ``out.report.json``, the resumable ``out.trainer.pt`` every ``checkpoint_every`` steps)
and the same ``MaskKeeper`` for magnitude pruning's masks. A net with pooled heads trains on every
size of the replay, each minibatch of one size drawn by its share of the positions, as the Zero
loop trains it (``igo.data.replay_buffer``); another net on its own size.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from igo.compress.positions import replay_heldout, replay_sizes
from igo.compress.prune import MaskKeeper
from igo.compress.prune_train import check_masks, mask_path
from igo.data.replay_buffer import ReplayBuffer
from igo.files import write_text_atomic
from igo.nn.checkpoint import save_checkpoint
from igo.nn.net import Net
from igo.nn.threads import torch_threads
from igo.train.alphago.supervised_loop import StageConfig, StagePaths, open_trainer, train_config_of
from igo.train.trainer import save_trainer
from igo.train.zero.training_step import train_steps


def is_zero_net(net: Net) -> bool:
    """Whether ``net`` is a policy-and-value net on AlphaGo Zero planes (2H + 1)."""
    planes = int(net.config.in_planes)
    return net.config.outputs == "policy_value" and planes % 2 == 1 and planes >= 3


def retrain_zero(
    net: Net,
    masks: Mapping[str, torch.Tensor] | None,
    replay: str | Path,
    out: str | Path,
    config: StageConfig,
    *,
    extra: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Train ``net`` (in place) ``config.steps`` steps on ``replay``'s training games; save it.

    Returns:
        The report: steps, training positions, last minibatch's losses, seconds.

    Raises:
        ValueError: not a Zero net, a replay folder without training positions of its board, or
            a killed run's files that belong to another pruning.
    """
    paths = StagePaths.of(out)
    done = paths.finished()
    if done is not None:
        return done
    if not is_zero_net(net):
        raise ValueError("retrain_zero trains PolicyValueNets on AlphaGo Zero planes")
    sizes, history = replay_sizes(net.config), (int(net.config.in_planes) - 1) // 2
    buffer = ReplayBuffer(replay, sizes, history)
    buffer.refresh(1 << 30)
    buffer.keep_samples(~replay_heldout(buffer))
    if buffer.num_samples == 0:
        size = sizes[0]
        raise ValueError(f"{replay}: no {size}x{size} replay positions to retrain a Zero net on")
    if masks is not None:
        paths.out.parent.mkdir(parents=True, exist_ok=True)
        check_masks(mask_path(out), masks)
    start, device = time.perf_counter(), torch.device("cpu")
    metrics: dict[str, float] = {}
    with torch_threads(config.torch_threads):
        trainer = open_trainer(paths, net, config, device)
        keeper = MaskKeeper(trainer.net, trainer.optimizer, masks) if masks is not None else None
        train_config = train_config_of(config)
        while trainer.step < config.steps:
            todo = min(config.checkpoint_every, config.steps - trainer.step)
            train_steps(
                trainer, buffer, train_config, num_steps=todo, total_steps=config.steps,
                device=device, on_step=lambda _step, row: metrics.update(row),
            )  # fmt: skip
            save_trainer(paths.trainer, trainer)
        if keeper is not None:
            keeper.close()
    report: dict[str, Any] = {
        "steps": trainer.step,
        "train_positions": buffer.num_samples,
        **({"train_positions_by_size": _by_size(buffer)} if len(sizes) > 1 else {}),
        "seconds": time.perf_counter() - start,
        **{k: metrics[k] for k in ("loss", "value_loss", "policy_loss") if k in metrics},
    }
    extra = {**dict(extra or {}), "retrain": {**asdict(config), **report}}
    save_checkpoint(trainer.net.eval(), paths.out, extra=extra)
    write_text_atomic(paths.report, json.dumps(report, indent=1) + "\n")
    paths.trainer.unlink(missing_ok=True)
    mask_path(out).unlink(missing_ok=True)
    return report


def _by_size(buffer: ReplayBuffer) -> dict[str, int]:
    """Training positions of each size the replay holds (``"9x9"`` -> count)."""
    return {f"{n}x{n}": c for n, c in buffer.samples_by_size().items() if c}
