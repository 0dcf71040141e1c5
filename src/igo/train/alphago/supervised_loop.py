"""The resumable training loop and the files of AlphaGo's supervised stages (SL policy, value).

Silver et al., Nature 529 (2016), Methods: stochastic gradient descent on randomly sampled
positions, each under a random symmetry (``supervised_data.py``). For a stage whose final network
is ``X.safetensors``:

| part         | what                                                                           |
|--------------|--------------------------------------------------------------------------------|
| minibatches  | indices drawn uniformly with replacement by the trainer's RNG                  |
| optimiser    | ``igo.train.trainer.make_optimizer`` (SGD with momentum or AdamW); the rate      |
|              | is multiplied by 0.1 once ``lr_drop_at`` of the steps are done                 |
| resuming     | ``X.trainer.pt`` (``save_trainer``'s safetensors format: net, optimiser, step, |
|              | sampler RNG) every ``checkpoint_every`` steps and at the end; a rerun with the |
|              | same arguments continues from it                                               |
| finishing    | ``X.safetensors`` + ``X.json`` (``save_checkpoint``, the report in ``extra``), |
|              | then ``X.report.json``, then the trainer file is deleted. With both network   |
|              | and report present, a rerun returns the report without training               |
| logs         | with a log folder: ``train.csv`` (mean loss, rate, samples/s every 10 steps), |
|              | ``heldout.csv`` (held-out metrics at each trainer save), TensorBoard scalars   |
| torchrun     | W ranks draw the same global minibatch, each trains on its B / W slice under  |
|              | DDP (``igo.train.distributed``); rank 0 alone writes the files above           |
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm import tqdm

from igo.files import write_text_atomic
from igo.nn.checkpoint import save_checkpoint
from igo.nn.net import Net
from igo.nn.registry import create_net
from igo.train import distributed
from igo.train.alphago.supervised_data import Symmetries, as_input
from igo.train.trainer import (
    Trainer,
    TrainingDiverged,
    load_trainer,
    make_optimizer,
    save_trainer,
)
from igo.train.training_config import TrainConfig, learning_rate_at
from igo.train.training_logs import CsvLog, summary_writer

LOG_EVERY = 10
"""Steps between rows of the training log (each row averages them)."""
LossFn = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]
"""(net, input planes, targets) -> the minibatch's mean loss (the net may be DDP-wrapped)."""
EvalFn = Callable[[Net], dict[str, float]]
"""Held-out metrics of the network (for the periodic log)."""


@dataclass(frozen=True)
class StageConfig:
    """What the SL policy and value stages share (``SlConfig`` and ``ValueConfig`` set their own
    defaults)."""

    net: str = "alphago_policy_l13c192"
    """Registry variant (``igo.nn.registry.create_net``)."""
    blocks: int = 6
    """k-filter conv layers (overrides the variant's 12)."""
    channels: int = 64
    """Filters of each layer, k (overrides the variant's 192)."""
    norm: str = "batch"
    """Normalisation after each conv (the paper: none)."""
    steps: int = 4000
    """SGD steps."""
    batch_size: int = 128
    """Positions per minibatch."""
    optimizer: str = "sgd"
    """sgd (with momentum) or adamw."""
    learning_rate: float = 0.05
    """Initial learning rate."""
    momentum: float = 0.9
    """SGD momentum."""
    weight_decay: float = 1e-4
    """SGD weight decay (L2), or AdamW's decoupled weight decay."""
    lr_drop_at: float = 0.7
    """Fraction of the steps after which the rate is multiplied by 0.1 (outside (0, 1): never)."""
    checkpoint_every: int = 500
    """Steps between resumable trainer checkpoints (and held-out log rows)."""
    eval_positions: int = 4000
    """Held-out positions measured (a fixed random choice)."""
    torch_threads: int = 2
    """Torch CPU threads while training."""
    seed: int = 0
    """Seeds the initial weights, the minibatches and their symmetries."""

    def __post_init__(self) -> None:
        check_stage_config(self)


def check_stage_config(config: StageConfig) -> None:
    """Raise ValueError naming the first field out of range."""
    for name in ("blocks", "channels", "steps", "batch_size", "checkpoint_every", "torch_threads"):
        if getattr(config, name) < 1:
            raise ValueError(f"{name} must be at least 1, got {getattr(config, name)}")
    if config.optimizer not in ("sgd", "adamw"):
        raise ValueError(f"optimizer must be sgd or adamw, got {config.optimizer!r}")
    if not (config.learning_rate > 0 and math.isfinite(config.learning_rate)):
        raise ValueError(f"learning_rate must be > 0, got {config.learning_rate}")
    if not 0.0 <= config.momentum < 1.0 or config.weight_decay < 0:
        raise ValueError("momentum must be in [0, 1) and weight_decay >= 0")
    if config.eval_positions < 0:
        raise ValueError(f"eval_positions must be >= 0, got {config.eval_positions}")


def train_config_of(config: StageConfig) -> TrainConfig:
    """The ``TrainConfig`` whose optimiser and schedule helpers this stage reuses: SGD weight
    decay ``weight_decay`` (l2_c = weight_decay / 2), AdamW decoupled decay ``weight_decay``; one
    drop by 0.1 at ``lr_drop_at`` of the steps (none when it is outside (0, 1))."""
    drop = 0.0 < config.lr_drop_at < 1.0
    return TrainConfig(
        batch_size=config.batch_size,
        optimizer="adamw" if config.optimizer == "adamw" else "sgd",
        learning_rate=config.learning_rate,
        momentum=config.momentum,
        l2_c=config.weight_decay / 2.0,
        adamw_weight_decay=config.weight_decay,
        schedule="step" if drop else "constant",
        lr_drops=(config.lr_drop_at,) if drop else (0.5,),
        lr_drop_factor=0.1,
        grad_clip=0.0,
        torch_threads=config.torch_threads,
    )


# ----- files -----


@dataclass(frozen=True)
class StagePaths:
    """The files of a stage whose network is ``out`` (``X.safetensors``)."""

    out: Path
    """The final network (``X.safetensors``; ``X.json`` beside it)."""
    report: Path
    """``X.report.json``: the stage's report, written last."""
    trainer: Path
    """``X.trainer.pt``: the resumable trainer (``igo.train.trainer`` format)."""

    @staticmethod
    def of(out: str | Path) -> StagePaths:
        """The paths that go with ``out``."""
        path = Path(out)
        return StagePaths(path, path.with_suffix(".report.json"), path.with_suffix(".trainer.pt"))

    def finished(self) -> dict[str, Any] | None:
        """The saved report when the stage is done (network and report both present)."""
        if not (self.out.exists() and self.report.exists()):
            return None
        report: dict[str, Any] = json.loads(self.report.read_text(encoding="utf-8"))
        return report

    def finish(self, net: Net, report: Mapping[str, Any], config: Any, stage: str) -> None:
        """Write the network (report in its ``extra``), then the report, then drop the trainer."""
        extra = {"stage": stage, "report": dict(report), "config": _plain(config)}
        save_checkpoint(net, self.out, extra=extra)
        write_text_atomic(self.report, json.dumps(dict(report), indent=1) + "\n")
        self.trainer.unlink(missing_ok=True)


def finish_stage(paths: StagePaths, write: Callable[[], None]) -> dict[str, Any]:
    """Rank 0 runs ``write`` (the final evaluation and ``paths.finish``) while the other ranks
    wait; every rank then returns the report it wrote."""
    if distributed.ranks().is_main:
        write()
    distributed.barrier()
    report = paths.finished()
    if report is None:
        raise RuntimeError(f"{paths.report} missing after the stage finished")
    return report


def _plain(config: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(config).items() if not k.startswith("_")}


def stage_net(config: StageConfig, size: int, kind: type[Net], planes: int, what: str) -> Net:
    """A new ``config.net`` for ``size`` x ``size`` (seeded by ``config.seed``).

    Raises:
        ValueError: the variant does not build a ``kind`` on ``planes`` input planes.
    """
    torch.manual_seed(config.seed)
    net = create_net(
        config.net,
        board_size=size,
        blocks=config.blocks,
        channels=config.channels,
        norm=config.norm,
    )
    if not isinstance(net, kind) or net.config.in_planes != planes:
        raise ValueError(f"{config.net} does not build a {what} on {planes} planes")
    return net


def open_trainer(paths: StagePaths, net: Net, config: StageConfig, device: torch.device) -> Trainer:
    """The trainer saved at ``paths.trainer`` when there is one, else a new one around ``net``.

    Raises:
        ValueError: the saved trainer holds another architecture than ``net``.
    """
    train_config = train_config_of(config)
    paths.out.parent.mkdir(parents=True, exist_ok=True)
    if paths.trainer.exists():
        trainer = load_trainer(paths.trainer, train_config, device)
        if trainer.net.config != net.config:
            raise ValueError(
                f"{paths.trainer} was saved for another network ({trainer.net.config}); delete "
                "it to start again with this config"
            )
        return trainer
    net.to(device)
    return Trainer(net, make_optimizer(net, train_config), np.random.default_rng(config.seed))


class StageLog:
    """CSV (``train.csv``, ``heldout.csv``) and TensorBoard logs in a folder, or nothing."""

    def __init__(self, log_dir: str | Path | None, step: int) -> None:
        """Open the logs of a run resumed after ``step`` steps (rows past it are dropped)."""
        self._csv: dict[str, CsvLog] = {}
        self._writer: Any = None
        if log_dir is None:
            return
        root = Path(log_dir)
        root.mkdir(parents=True, exist_ok=True)
        for name in ("train", "heldout"):
            self._csv[name] = CsvLog(root / f"{name}.csv", "step", step + 1)
        self._writer = summary_writer(root, step + 1)

    @property
    def active(self) -> bool:
        """Whether anything is logged."""
        return bool(self._csv)

    def log(self, name: str, step: int, metrics: Mapping[str, float]) -> None:
        """One row of ``name`` (train or heldout) at ``step``."""
        if name in self._csv:
            self._csv[name].append({"step": step, **metrics})
        if self._writer is not None:
            for key, value in metrics.items():
                self._writer.add_scalar(f"{name}/{key}", value, step)

    def __enter__(self) -> StageLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush and close."""
        for log in self._csv.values():
            log.close()
        if self._writer is not None:
            self._writer.close()


# ----- the loop -----


@dataclass(frozen=True)
class StageData:
    """A stage's training set, in memory."""

    planes: np.ndarray
    """uint8 [N, C, n, n] input planes."""
    targets: np.ndarray
    """[N] move indices (int64, augmented with the planes) or outcomes (float32)."""
    moves: bool
    """Whether the targets are moves (so they turn with the planes)."""


def draw_minibatch(
    data: StageData,
    symmetries: Symmetries,
    rng: np.random.Generator,
    batch_size: int,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """This rank's slice of a global minibatch drawn by ``rng`` (outside torchrun: all of it).
    Every rank draws the whole batch's indices and symmetries, so the sampler RNG stays the
    one-process run's whatever the world size (a run resumes under another one); the uint8 gather
    and turn cost little beside the network."""
    index = rng.integers(data.planes.shape[0], size=batch_size)
    planes, moves = symmetries.apply(
        data.planes[index], data.targets[index] if data.moves else None, rng
    )
    mine = distributed.shard(batch_size)
    target = torch.from_numpy(moves[mine] if moves is not None else data.targets[index][mine])
    return as_input(np.ascontiguousarray(planes[mine]), device), target.to(device)


def _step(
    trainer: Trainer,
    model: torch.nn.Module,
    loss_fn: LossFn,
    batch: tuple[torch.Tensor, ...],
    lr: float,
) -> float:
    for group in trainer.optimizer.param_groups:
        group["lr"] = lr
    trainer.optimizer.zero_grad(set_to_none=True)
    loss = loss_fn(model, *batch)
    value = float(loss.detach().item())
    if not math.isfinite(value):
        raise TrainingDiverged(
            f"training diverged at step {trainer.step + 1}: loss {value} (learning rate {lr:g}). "
            "Lower learning_rate or raise batch_size, then rerun: it resumes from the last "
            "trainer checkpoint."
        )
    loss.backward()  # type: ignore[no-untyped-call]
    trainer.optimizer.step()
    trainer.step += 1
    return value


def run_training(
    trainer: Trainer,
    config: StageConfig,
    data: StageData | Sequence[StageData],
    loss_fn: LossFn,
    paths: StagePaths,
    *,
    evaluate: EvalFn,
    log_dir: str | Path | None,
    progress: bool,
    device: torch.device,
) -> None:
    """Train ``trainer`` up to ``config.steps`` steps, saving it every ``checkpoint_every`` and at
    the end; logs (``StageLog`` in ``log_dir``, None: none) the mean training loss every
    ``LOG_EVERY`` steps and ``evaluate`` at each save. Under torchrun every rank calls it and
    trains its share of each minibatch (``igo.train.distributed``); only rank 0 writes and logs
    (the loss logged is its slice's). ``data`` of several board sizes (one ``StageData`` each,
    a net with pooled heads): each minibatch is of one size, drawn by its share of the
    examples, as the Zero loop's replay buffer draws them (one size draws nothing more).

    Raises:
        TrainingDiverged: a non-finite loss.
        ValueError: a batch size that does not split over the ranks.
    """
    distributed.check_batch(config.batch_size)
    main = distributed.ranks().is_main
    train_config = train_config_of(config)
    groups = [data] if isinstance(data, StageData) else list(data)
    symmetries = [Symmetries.of(int(group.planes.shape[-1])) for group in groups]
    shares = np.array([len(group.targets) for group in groups], dtype=np.float64)
    shares /= shares.sum()
    model = distributed.wrap(trainer.net, device)
    trainer.net.train()
    losses: list[float] = []
    start, done = time.perf_counter(), trainer.step
    bar = tqdm(
        total=config.steps, initial=trainer.step, disable=not (progress and main), unit="step"
    )
    with StageLog(log_dir if main else None, trainer.step) as log, bar:
        while trainer.step < config.steps:
            lr = learning_rate_at(train_config, trainer.step, config.steps)
            k = 0 if len(groups) == 1 else int(trainer.rng.choice(len(groups), p=shares))
            batch = draw_minibatch(groups[k], symmetries[k], trainer.rng, config.batch_size, device)
            losses.append(_step(trainer, model, loss_fn, batch, lr))
            bar.update(1)
            if trainer.step % LOG_EVERY == 0 or trainer.step == config.steps:
                rate = (trainer.step - done) * config.batch_size / (time.perf_counter() - start)
                row = {"loss": float(np.mean(losses)), "lr": lr, "samples_per_s": rate}
                log.log("train", trainer.step, row)
                bar.set_postfix(loss=f"{row['loss']:.4f}")
                losses = []
            if main and (
                trainer.step % config.checkpoint_every == 0 or trainer.step == config.steps
            ):
                save_trainer(paths.trainer, trainer)
                if log.active:
                    log.log("heldout", trainer.step, evaluate(trainer.net))
                    trainer.net.train()
