"""Downpour SGD: a parameter server and its workers for AlphaGo's SL policy stage.

Dean et al. 2012, "Large Scale Distributed Deep Networks": the model's weights live on a
parameter server; each worker holds a copy, reads its own shard of the data, and repeatedly
pulls the weights, computes a gradient on a minibatch and pushes it back. Asynchronous: the
server applies each gradient as it arrives, so a worker's gradient may have been computed on
weights some updates old (its *staleness*). Synchronous: the server waits for one gradient from
every worker, applies their mean, and the workers then pull again.

This module is the actors' logic as plain classes (no Ray here, so it is tested and read
without a cluster); ``igo.train.parameter_server_ray`` runs them as Ray actors.

| part        | what                                                                        |
|-------------|-----------------------------------------------------------------------------|
| server      | ``ParameterServer``: the stage's ``Trainer`` (net, optimiser, step), the     |
|             | learning-rate schedule, the staleness bound, logs, checkpoints, the report   |
| worker      | ``PsWorker``: rows ``index::workers`` of the training split, a net copy, an  |
|             | RNG of its own; ``gradient`` draws a minibatch as the one-process loop does  |
| step        | ``Trainer.step`` counts *gradients applied* (sync: W per update), so async  |
|             | and sync runs with the same ``steps`` use the same number of gradients       |
| staleness   | gradients applied since the worker pulled; async drops (does not apply) a    |
|             | gradient older than ``max_staleness``; sync's are 0 by construction          |
| batch norm  | a worker's running statistics come back with its gradient and replace the   |
|             | server's (sync: the mean over workers)                                       |
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from igo.encode.alphago import NUM_PLANES
from igo.files import write_text_atomic
from igo.nn.net import PolicyNet
from igo.train.alphago.sl_policy_stage import (
    KIND,
    SlConfig,
    SlReport,
    cross_entropy,
    heldout_set,
    policy_metrics,
    sl_moves,
)
from igo.train.alphago.supervised_data import (
    Symmetries,
    board_size_of,
    load_examples,
    planes_from_examples,
    select,
)
from igo.train.alphago.supervised_loop import (
    LOG_EVERY,
    StageData,
    StageLog,
    StagePaths,
    draw_minibatch,
    open_trainer,
    stage_net,
    train_config_of,
)
from igo.train.trainer import TrainingDiverged, save_trainer
from igo.train.training_config import learning_rate_at

MODES = ("async", "sync")
"""Downpour's asynchronous mode and the synchronous one, on the same actors."""
CPU = torch.device("cpu")


@dataclass(frozen=True)
class PsConfig:
    """How the parameter server and its workers run (the training itself: ``SlConfig``)."""

    mode: str = "async"
    """async: each gradient applied as it arrives (Downpour SGD); sync: the mean of one gradient
    from every worker applied at once."""
    workers: int = 2
    """Worker actors, each with its own shard of the training data (rows index::workers)."""
    max_staleness: int = 4
    """async: a gradient computed on weights more than this many gradients old is dropped."""
    address: str | None = None
    """A running Ray cluster (``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``); None: start a
    local one for this run."""
    worker_cpus: float = 1.0
    """Logical CPUs each worker actor reserves (a local cluster gets workers x this, at least
    1); below 1 lets more workers than CPUs share a node."""
    worker_threads: int = 1
    """Torch CPU threads of each worker (and of the server)."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be async or sync, got {self.mode!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.max_staleness < 0:
            raise ValueError(f"max_staleness must be >= 0, got {self.max_staleness}")
        if not self.worker_cpus >= 0 or self.worker_threads < 1:
            raise ValueError("worker_cpus must be >= 0 and worker_threads >= 1")
        if self.address is not None and not self.address.strip():
            raise ValueError("address must name a Ray cluster (auto, HOST:PORT)")


@dataclass(frozen=True)
class Gradient:
    """What a worker pushes."""

    worker: int
    """The worker's index."""
    version: int
    """The server's step when the worker pulled the weights it used."""
    grads: list[torch.Tensor]
    """One gradient per parameter, in ``net.parameters()`` order (the minibatch's mean)."""
    buffers: dict[str, torch.Tensor]
    """The net's buffers after the forward pass (batch norm's running statistics)."""
    loss: float
    """The minibatch's loss."""
    positions: int
    """The minibatch's size."""


def worker_rng(seed: int, index: int, start: int) -> np.random.Generator:
    """The sampler of worker ``index`` whose first pull saw step ``start``. Worker 0 of a fresh
    run draws what the one-process loop draws (``default_rng(seed)``), so one asynchronous
    worker takes the one-process run's steps; the others, and any resumed run, draw fresh
    streams (not replaying the batches before the checkpoint)."""
    if index == 0 and start == 0:
        return np.random.default_rng(seed)
    return np.random.default_rng([seed, index, start])


class PsWorker:
    """One worker: its shard of the training data and a copy of the net."""

    def __init__(
        self, shards: str, index: int, config: SlConfig, ps: PsConfig, delay_s: float = 0.0
    ) -> None:
        """Read rows ``index::ps.workers`` of the ``sl`` training split in ``shards``.
        ``delay_s``: seconds to wait before each push (a deliberately slow worker, for tests and
        demonstrations of staleness).

        Raises:
            ValueError: no training examples, or too few for this worker.
        """
        torch.set_num_threads(ps.worker_threads)
        train = load_examples(shards, KIND, "train")
        if train is None:
            raise ValueError(f"{shards}: no training examples of kind {KIND!r}")
        mine = select(train, np.arange(index, train["move"].shape[0], ps.workers))
        if mine["move"].shape[0] == 0:
            raise ValueError(f"{shards}: too few training positions for {ps.workers} workers")
        self.index, self.config, self.delay_s = index, config, delay_s
        self.size = board_size_of(train)
        moves = sl_moves(mine, shards)
        self.data = StageData(planes_from_examples(mine, value_plane=False), moves, moves=True)
        self.symmetries = Symmetries.of(self.size)
        self.net = stage_net(config, self.size, PolicyNet, NUM_PLANES, "policy network")
        self.net.train()
        self.rng: np.random.Generator | None = None

    def positions(self) -> tuple[int, int]:
        """(board size, training positions in this worker's shard)."""
        return self.size, int(self.data.targets.shape[0])

    def gradient(self, version: int, weights: dict[str, torch.Tensor]) -> Gradient:
        """The gradient of the loss on one minibatch at ``weights`` (pulled at ``version``)."""
        if self.rng is None:
            self.rng = worker_rng(self.config.seed, self.index, version)
        self.net.load_state_dict(weights)
        x, y = draw_minibatch(
            self.data, self.symmetries, self.rng, self.config.batch_size, CPU
        )  # fmt: skip
        self.net.zero_grad(set_to_none=True)
        loss = cross_entropy(self.net, x, y)
        loss.backward()  # type: ignore[no-untyped-call]
        grads = [
            p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p)
            for p in self.net.parameters()
        ]
        buffers = {k: v.detach().clone() for k, v in self.net.named_buffers()}
        if self.delay_s > 0:
            time.sleep(self.delay_s)
        return Gradient(self.index, version, grads, buffers, float(loss.item()), int(y.shape[0]))


class ParameterServer:
    """The weights, the optimiser and the files of a parameter-server SL run."""

    def __init__(
        self, shards: str, out: str, size: int, config: SlConfig, ps: PsConfig, log_dir: str | None
    ) -> None:
        """Open (or resume from ``X.trainer.pt``) the stage whose network is ``out``."""
        torch.set_num_threads(ps.worker_threads)
        self.config, self.ps, self.shards = config, ps, shards
        self.paths = StagePaths.of(out)
        net = stage_net(config, size, PolicyNet, NUM_PLANES, "policy network")
        self.trainer = open_trainer(self.paths, net, config, CPU)
        self.train_config = train_config_of(config)
        heldout = load_examples(shards, KIND, "heldout")
        self.heldout_positions = 0 if heldout is None else int(heldout["move"].shape[0])
        self.held_planes, self.held_moves = heldout_set(heldout, config, size, shards)
        self.log = StageLog(log_dir, self.trainer.step)
        self.start: float | None = None  # set by the first pull: the actors' start-up is not timed
        self.first_step = self.trainer.step
        self.pending: list[Gradient] = []
        self.staleness: Counter[int] = Counter()
        self.window: dict[str, list[float]] = {"loss": [], "staleness": []}
        self.dropped = 0

    # ----- what the workers call -----

    def pull(self) -> tuple[int, dict[str, torch.Tensor], bool]:
        """(step, the weights and buffers, whether training is done)."""
        if self.start is None:
            self.start = time.perf_counter()
        state = {k: v.detach().clone() for k, v in self.trainer.net.state_dict().items()}
        return self.trainer.step, state, self.done()

    def push(self, gradient: Gradient) -> bool:
        """Take one gradient: async applies it now (or drops it when too stale), sync keeps it
        until every worker's has come and applies their mean. Returns whether to go on.

        Raises:
            TrainingDiverged: a non-finite loss.
        """
        if self.done():
            return False
        if not math.isfinite(gradient.loss):
            raise TrainingDiverged(
                f"training diverged at step {self.trainer.step + 1}: loss {gradient.loss} "
                f"(worker {gradient.worker}). Lower learning_rate or raise batch_size, then "
                "rerun: it resumes from the last trainer checkpoint."
            )
        stale = self.trainer.step - gradient.version
        if self.ps.mode == "async":
            if stale > self.ps.max_staleness:
                self.dropped += 1
                return True
            self._apply([gradient], stale)
        else:
            if gradient.version != self.trainer.step:
                raise RuntimeError(f"sync: a gradient of step {gradient.version} at {stale}")
            self.pending.append(gradient)
            if len(self.pending) == self.ps.workers:
                self._apply(self.pending, 0)
                self.pending = []
        return not self.done()

    def done(self) -> bool:
        """Whether ``steps`` gradients have been applied."""
        return self.trainer.step >= self.config.steps

    # ----- applying -----

    def _apply(self, gradients: list[Gradient], stale: int) -> None:
        trainer, before = self.trainer, self.trainer.step
        lr = learning_rate_at(self.train_config, before, self.config.steps)
        for group in trainer.optimizer.param_groups:
            group["lr"] = lr
        for index, param in enumerate(trainer.net.parameters()):
            param.grad = torch.stack([g.grads[index] for g in gradients]).mean(dim=0)
        trainer.optimizer.step()
        trainer.optimizer.zero_grad(set_to_none=True)
        _take_buffers(trainer.net, [g.buffers for g in gradients])
        trainer.step += len(gradients)
        self.staleness[stale] += len(gradients)
        self.window["loss"] += [g.loss for g in gradients]
        self.window["staleness"] += [float(stale)] * len(gradients)
        self._after(before, lr, gradients[0].positions)

    def _after(self, before: int, lr: float, positions: int) -> None:
        """The log row every ``LOG_EVERY`` gradients, the checkpoint every ``checkpoint_every``
        (crossings: sync steps by W)."""
        step, config = self.trainer.step, self.config
        seconds = self.seconds()
        if step // LOG_EVERY > before // LOG_EVERY or self.done():
            rate = (step - self.first_step) * positions / seconds
            row = {
                "loss": float(np.mean(self.window["loss"])),
                "lr": lr,
                "samples_per_s": rate,
                "staleness_mean": float(np.mean(self.window["staleness"])),
                "staleness_max": max(self.window["staleness"]),
                "dropped": self.dropped,
                "seconds": seconds,
            }
            self.log.log("train", step, row)
            self.window = {"loss": [], "staleness": []}
        if step // config.checkpoint_every > before // config.checkpoint_every or self.done():
            save_trainer(self.paths.trainer, self.trainer)
            if self.log.active:
                self.log.log("heldout", step, {**self.metrics(), "seconds": seconds})

    def seconds(self) -> float:
        """Seconds since the first pull (0 before it)."""
        return 0.0 if self.start is None else time.perf_counter() - self.start

    def metrics(self) -> dict[str, float]:
        """Held-out top-1, top-5 and loss of the current weights."""
        result = policy_metrics(self.trainer.net, self.held_planes, self.held_moves, CPU)
        self.trainer.net.train()
        return result

    def stats(self) -> dict[str, Any]:
        """This call's gradients: applied per staleness, dropped, mean and max staleness."""
        applied = sum(self.staleness.values())
        total = sum(k * v for k, v in self.staleness.items())
        return {
            "mode": self.ps.mode,
            "workers": self.ps.workers,
            "max_staleness": self.ps.max_staleness,
            "applied": applied,
            "dropped": self.dropped,
            "staleness_mean": total / applied if applied else 0.0,
            "staleness_max": max(self.staleness, default=0),
            "staleness_histogram": {str(k): self.staleness[k] for k in sorted(self.staleness)},
            "resumed_at": self.first_step,
        }

    def finish(self, train_positions: int) -> dict[str, Any]:
        """Evaluate, write the network and its report (``StagePaths.finish``) and
        ``X.ps.json`` (``stats``); return the report."""
        self.log.close()
        report = SlReport(
            steps=self.trainer.step,
            train_positions=train_positions,
            heldout_positions=self.heldout_positions,
            seconds=self.seconds(),
            **self.metrics(),
        )
        stats = {**self.stats(), "seconds": report.seconds}
        write_text_atomic(ps_stats_path(self.paths.out), json.dumps(stats, indent=1) + "\n")
        self.paths.finish(self.trainer.net.cpu(), report.to_dict(), self.config, "sl_policy")
        return report.to_dict()


def _take_buffers(net: torch.nn.Module, buffers: list[dict[str, torch.Tensor]]) -> None:
    """The workers' buffers into ``net``: the mean of float ones, the first's of the others."""
    with torch.no_grad():
        for name, buf in net.named_buffers():
            values = [b[name] for b in buffers if name in b]
            if not values:
                continue
            if buf.is_floating_point():
                buf.copy_(torch.stack(values).mean(dim=0))
            else:
                buf.copy_(values[0])


def ps_stats_path(out: str | Path) -> Path:
    """``X.ps.json`` beside the network ``X.safetensors``: the server's staleness statistics."""
    return Path(out).with_suffix(".ps.json")
