"""Training a deep net as a pipeline over processes on a Zero run's self-play positions.

``igo train-pipeline`` (under torchrun, one process per stage) builds the net on every rank
from the same seed, keeps its stage (``pipeline_parallel.build_pipeline``) and trains it with
SGD (momentum 0.9) on minibatches drawn from the run's replay: every rank draws the same
positions and symmetries from the same sampler RNG, so the first stage reads the planes and the
last the targets with no data sent between them. The last stage reports each step's loss and
samples/s; at the end rank 0 gathers the stages' weights and writes the whole net (``--out``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from igo.data.replay_buffer import ReplayBuffer, list_games
from igo.nn.checkpoint import save_checkpoint
from igo.nn.inference import resolve_device
from igo.nn.net import PolicyValueNet
from igo.nn.registry import create_net
from igo.run_dir import ZeroRunDir
from igo.train import distributed
from igo.train.pipeline_parallel import Pipeline, build_pipeline, pack_targets


@dataclass(frozen=True)
class PipelineRun:
    """What ``igo train-pipeline`` trains, on what, and how."""

    zero_run: str
    """An ``igo zero`` run folder: its replay's positions are the training data."""
    net: str = "resnet_b19c256"
    """A net variant with a ResNet body (``igo.nn.registry``)."""
    channels: int = 32
    """The body's width (the variant's own is 256: too wide for a CPU smoke run)."""
    norm: str = "layer"
    """The net's norm (batch norm's statistics would be each micro-batch's)."""
    schedule: str = "gpipe"
    """``gpipe`` or ``1f1b``."""
    micro_batches: int = 4
    """Micro-batches per minibatch (a divisor of ``batch_size``)."""
    batch_size: int = 64
    """Positions per optimiser step."""
    steps: int = 20
    """Optimiser steps."""
    learning_rate: float = 0.01
    """SGD's rate (momentum 0.9)."""
    seed: int = 0
    """Seed of the net's weights and of the sampler."""
    device: str = "auto"
    """``auto``, ``cpu`` or ``cuda`` (each rank on its local GPU)."""
    out: str | None = None
    """Where rank 0 writes the trained net (None: nowhere)."""


@dataclass(frozen=True)
class PipelineReport:
    """What the last stage saw (empty lists on the other stages)."""

    losses: list[float]
    """Each step's mean loss."""
    samples_per_s: list[float]
    """Each step's positions over its wall time."""


Report = Callable[[str], object]


def train_pipeline(run: PipelineRun, report: Report | None = None) -> PipelineReport:
    """Train ``run`` in the process group; ``report`` gets a line per step on the last stage.

    Raises:
        ValueError: a bad setting or a run folder without positions (on every rank alike,
            before any collective, so no rank waits for another).
    """
    if run.batch_size < 1 or run.batch_size % run.micro_batches:
        raise ValueError(
            f"batch size {run.batch_size} does not split into {run.micro_batches} micro-batches"
        )
    buffer = _replay(Path(run.zero_run))
    torch.manual_seed(run.seed)
    net = _net(run, buffer)
    device = distributed.local_device(resolve_device(run.device))
    pipe = build_pipeline(net, run.micro_batches, run.schedule, device)
    optimizer = torch.optim.SGD(pipe.stage.parameters(), lr=run.learning_rate, momentum=0.9)
    rng = np.random.default_rng(run.seed)
    losses, rates = [], []
    for step in range(1, run.steps + 1):
        batch = buffer.sample(run.batch_size, rng)
        planes = torch.from_numpy(batch.planes).to(device)
        targets = pack_targets(torch.from_numpy(batch.policy), torch.from_numpy(batch.value))
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss, _ = pipe.step(planes, targets.to(device))
        optimizer.step()
        rate = run.batch_size / (time.perf_counter() - start)
        if loss is not None:
            losses.append(loss)
            rates.append(rate)
            if report is not None:
                report(f"step {step}: loss {loss:.4f}, {rate:.0f} samples/s")
    _save(run, net, pipe, report)
    return PipelineReport(losses, rates)


def _replay(root: Path) -> ReplayBuffer:
    saved = ZeroRunDir(root).saved_config()
    if saved is None:
        raise ValueError(f"{root} is not an igo zero run folder (it has no config.json)")
    size, history = int(saved["selfplay"]["board_size"]), int(saved["history"])
    buffer = ReplayBuffer(root / "replay", size, history)
    buffer.refresh(len(list_games(root / "replay")))
    if buffer.num_samples == 0:
        raise ValueError(f"{root}/replay holds no training positions: run igo zero first")
    return buffer


def _net(run: PipelineRun, buffer: ReplayBuffer) -> PolicyValueNet:
    planes = 2 * buffer.history + 1
    try:
        net = create_net(
            run.net,
            board_size=buffer.board_size,
            in_planes=planes,
            channels=run.channels,
            norm=run.norm,
        )
    except KeyError as err:  # an unknown variant: the registry names the close ones
        raise ValueError(str(err.args[0])) from err
    if not isinstance(net, PolicyValueNet):
        raise ValueError(f"{run.net} is not a two-headed net")
    return net


def _save(run: PipelineRun, net: PolicyValueNet, pipe: Pipeline, report: Report | None) -> None:
    """Rank 0 puts the stages' trained tensors back into its ``net`` and writes it."""
    if run.out is None:
        return
    mine = {id(t) for t in pipe.stage.state_dict(keep_vars=True).values()}
    owned = {
        k: v.detach().cpu() for k, v in net.state_dict(keep_vars=True).items() if id(v) in mine
    }
    parts = distributed.gather_to_main(owned)
    if parts is None:
        return
    net.load_state_dict({k: v for part in parts for k, v in part.items()})
    extra = {"schedule": run.schedule, "micro_batches": run.micro_batches, "steps": run.steps}
    save_checkpoint(net.cpu(), run.out, extra=extra)
    if report is not None:
        report(f"wrote {run.out}")
