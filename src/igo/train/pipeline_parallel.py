"""Model parallelism: a deep two-headed net cut by layers into pipeline stages, one per process.

Dean et al. 2012's model parallelism, as a pipeline (GPipe, Huang et al. 2019): a net too deep
for one device is cut into S stages of consecutive layers, stage k on rank k; each minibatch is
split into M micro-batches that flow through the stages, so that stage 2 works on micro-batch 1
while stage 1 works on micro-batch 2. ``torch.distributed.pipelining`` runs it: its
``PipelineStage`` sends activations forward and their gradients back between ranks (gloo on CPU,
NCCL on CUDA, joined by ``igo.train.distributed.process_group``), and its schedules order the
work: GPipe (all forwards, then all backwards) or 1F1B (one forward, one backward, alternating,
which holds fewer activations). The gradients are the micro-batches' sum divided by M, the
whole batch's mean: the same step the unsplit net takes (tests/train/test_pipeline_parallel.py).

Each of the S stages idles while the pipeline fills and drains: the "bubble", (S - 1) / (M + S - 1)
of a step in the schedule's ideal (equal stages, no communication cost). More micro-batches
shrink it, at the cost of smaller matrix products per call.

| piece            | what                                                                   |
|------------------|------------------------------------------------------------------------|
| ``split_net``    | a ResNet-bodied ``PolicyValueNet`` cut into S ``Stage`` modules        |
| ``Pipeline``     | this rank's stage and schedule; ``step`` runs one minibatch            |
| ``pack_targets`` | policy and value targets as one tensor (the schedules split one)       |
| ``bubble``       | the ideal idle share (S - 1) / (M + S - 1)                            |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.distributed.pipelining import PipelineStage, Schedule1F1B, ScheduleGPipe

from igo.nn.net import PolicyValueNet
from igo.train import distributed
from igo.train.zero.loss import zero_loss

SCHEDULES: dict[str, Any] = {"gpipe": ScheduleGPipe, "1f1b": Schedule1F1B}
"""Schedule name -> ``torch.distributed.pipelining`` schedule class."""


class Stage(nn.Module):
    """Consecutive layers of a net; the last stage ends with the policy and value heads.

    Input ``[B, C, N, N]`` (planes on the first stage, features after); output features
    ``[B, F, N, N]``, or on the last stage policy logits ``[B, N*N + 1]`` and values ``[B]``.
    The layers are the net's own modules (no copy): training a stage trains the net.
    """

    def __init__(self, layers: list[nn.Module], heads: tuple[nn.Module, nn.Module] | None) -> None:
        super().__init__()
        self.layers = nn.Sequential(*layers)
        self.heads = None if heads is None else nn.ModuleList(heads)

    def forward(self, x: Tensor) -> Tensor | tuple[Tensor, Tensor]:
        """See the class docstring."""
        features: Tensor = self.layers(x)
        if self.heads is None:
            return features
        return self.heads[0](features), self.heads[1](features)


def split_net(net: PolicyValueNet, num_stages: int) -> list[Stage]:
    """``net`` cut into ``num_stages`` stages of consecutive layers: the first also holds the
    stem, the last the body's closing layers and both heads; the residual blocks are shared out
    as evenly as they go (the earlier stages take one more where they do not divide).

    Raises:
        ValueError: a net whose body is not a stem and a sequence of blocks (ResNet families),
            or fewer blocks than stages.
    """
    body = net.body
    blocks, stem = getattr(body, "blocks", None), getattr(body, "stem", None)
    if (
        not isinstance(net, PolicyValueNet)
        or not isinstance(blocks, nn.Sequential)
        or not isinstance(stem, nn.Module)
    ):
        raise ValueError(
            f"only two-headed nets with a ResNet body (a stem and blocks) split into pipeline "
            f"stages, not {type(net).__name__} with a {type(body).__name__} body"
        )
    if not 1 <= num_stages <= len(blocks):
        raise ValueError(f"{len(blocks)} blocks do not split into {num_stages} pipeline stages")
    share, extra = divmod(len(blocks), num_stages)
    stages, start = [], 0
    for k in range(num_stages):
        stop = start + share + (1 if k < extra else 0)
        layers: list[nn.Module] = [stem] if k == 0 else []
        layers += [blocks[i] for i in range(start, stop)]
        last = k == num_stages - 1
        final = getattr(body, "final", None)
        if last and isinstance(final, nn.Module):
            layers.append(final)
        stages.append(Stage(layers, (net.policy_head, net.value_head) if last else None))
        start = stop
    return stages


def pack_targets(policy: Tensor, value: Tensor) -> Tensor:
    """Policy targets ``[B, N*N + 1]`` and values ``[B]`` as one ``[B, N*N + 2]`` tensor."""
    return torch.cat([policy, value[:, None]], dim=1)


def pipeline_loss(output: tuple[Tensor, Tensor], target: Tensor) -> Tensor:
    """AlphaGo Zero's loss (``zero_loss``'s total) of the last stage's output on packed targets."""
    policy_logits, values = output
    return zero_loss(policy_logits, values, target[:, :-1], target[:, -1]).total


def bubble(num_stages: int, micro_batches: int) -> float:
    """The share of a step each stage idles in an ideal pipeline: (S - 1) / (M + S - 1)."""
    return (num_stages - 1) / (micro_batches + num_stages - 1)


@dataclass(frozen=True)
class Pipeline:
    """This rank's part of a pipeline over the process group (stage k on rank k)."""

    stage: Stage
    """This rank's layers."""
    schedule: Any
    """The ``torch.distributed.pipelining`` schedule that runs them."""
    index: int
    """This stage's index (the rank)."""
    num_stages: int
    """Stages in all (the world size)."""

    @property
    def is_first(self) -> bool:
        """Whether this stage reads the input planes."""
        return self.index == 0

    @property
    def is_last(self) -> bool:
        """Whether this stage computes the heads and the loss."""
        return self.index == self.num_stages - 1

    def step(self, planes: Tensor, targets: Tensor) -> tuple[float | None, Any]:
        """Forward and backward of one minibatch (gradients accumulated in the stage's
        parameters; the caller steps its optimiser). Every rank passes the same minibatch: the
        first stage reads ``planes`` [B, C, N, N], the last ``targets`` (``pack_targets``).

        Returns:
            On the last stage, the batch's mean loss and the outputs (policy logits [B, N*N + 1],
            values [B]); elsewhere (None, None).
        """
        losses: list[Tensor] = []
        if self.is_first and self.is_last:
            output = self.schedule.step(planes, target=targets, losses=losses)
        elif self.is_first:
            output = self.schedule.step(planes)
        elif self.is_last:
            output = self.schedule.step(target=targets, losses=losses)
        else:
            output = self.schedule.step()
        if not self.is_last:
            return None, None
        return float(torch.stack([x.detach() for x in losses]).mean()), output


def build_pipeline(
    net: PolicyValueNet, micro_batches: int, schedule: str, device: torch.device
) -> Pipeline:
    """This rank's stage of ``net`` (split over the process group's ranks) under ``schedule``
    with ``micro_batches`` per minibatch; every rank passes the same ``net`` (same seed).

    Raises:
        ValueError: an unknown schedule, fewer than 1 micro-batch, or a net that does not split.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"unknown schedule {schedule!r}; known: {', '.join(SCHEDULES)}")
    if micro_batches < 1:
        raise ValueError(f"micro_batches must be >= 1, got {micro_batches}")
    here = distributed.ranks()
    stage = split_net(net, here.world_size)[here.rank].to(device)
    piped = PipelineStage(stage, here.rank, here.world_size, device)
    runner = SCHEDULES[schedule](piped, n_microbatches=micro_batches, loss_fn=pipeline_loss)
    return Pipeline(stage, runner, here.rank, here.world_size)
