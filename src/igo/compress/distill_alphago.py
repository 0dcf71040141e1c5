"""An AlphaGo student's data and measurements for ``igo.compress.distill``.

``alphago_parts`` reads the training split of ``sl`` shards as AlphaGo's input planes (48 for
the policy net, 49 for the value net) with the moves played or the results as targets, and
measures a net (``evaluator``) and the teacher (``teacher_metrics``: one net's own, or an
ensemble's mean policy or value) on held-out positions. ``training_split`` (the training
examples, refused without a held-out split) serves the Zero student too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from igo.compress.distill import DistillConfig, KdParts, Teacher, kd_loss_fn
from igo.compress.positions import Positions, load_positions
from igo.encode.alphago import NUM_VALUE_PLANES
from igo.nn.net import Net
from igo.train.alphago.sl_policy_stage import KIND, policy_metrics
from igo.train.alphago.supervised_data import (
    held_out_evaluator,
    load_split_data,
    planes_from_examples,
)
from igo.train.alphago.supervised_loop import StageData
from igo.train.alphago.value_net_stage import value_mse


def training_split(folder: str | Path) -> dict[str, np.ndarray]:
    """The training examples. Raises ValueError without a held-out split: the curve and the
    report measure the student on held-out games, never on the ones it trains on."""
    train, heldout = load_split_data(folder, KIND)
    if heldout is None:
        raise ValueError(
            f"{folder}: no held-out sl shards to measure the student on; import the games "
            "with igo data import --heldout 0.05 (or more)"
        )
    return train


def alphago_parts(
    teacher: Teacher,
    policy: bool,
    student: Net,
    data: str | Path | Sequence[str | Path],
    config: DistillConfig,
) -> KdParts:
    """An AlphaGo policy or value student's data (AlphaGo's planes), loss and metrics.

    Raises:
        ValueError: more than one data folder, or sl shards without a held-out split.
    """
    if not isinstance(data, str | Path):
        if len(data) != 1:
            raise ValueError("an AlphaGo student reads one --data folder of sl shards")
        data = data[0]
    train, device = training_split(data), teacher.device
    value = student.config.in_planes == NUM_VALUE_PLANES
    planes = planes_from_examples(train, value_plane=value)
    targets = train["result"].astype(np.float32) if value else train["move"].astype(np.int64)
    held = load_positions(
        data, student.config, config.training.eval_positions, config.training.seed
    )
    return KdParts(
        StageData(planes, targets, moves=not value), int(planes.shape[0]),
        evaluator(held, policy, device), kd_loss_fn(teacher, config, policy),
        lambda: teacher_metrics(teacher, held, policy, device),
    )  # fmt: skip


def evaluator(
    positions: Positions, policy: bool, device: torch.device
) -> Callable[[Net], dict[str, float]]:
    """Held-out metrics of a net on ``positions``: top1, top5, loss (policy) or mse (value)."""

    def evaluate(net: Net) -> dict[str, float]:
        if policy:
            return policy_metrics(net, positions.planes, positions.moves, device)
        return {"mse": value_mse(net, positions.planes, positions.results, device)}

    return evaluate


def teacher_metrics(
    teacher: Teacher, held: Positions, policy: bool, device: torch.device
) -> dict[str, float]:
    """The held-out metrics of the teacher: one net's own, or its members' mean policy (log
    of the mean probabilities as logits) or mean value."""
    evaluate = evaluator(held, policy, device)
    if len(teacher.members) == 1:
        return evaluate(teacher.members[0])
    runners = [held_out_evaluator(net, device) for net in teacher.members]
    if not policy:
        values = np.mean([r.values(held.planes) for r in runners], axis=0)
        return {"mse": float(np.mean((values - held.results) ** 2))}
    logits = [torch.from_numpy(r.policy_logits(held.planes)) for r in runners]
    mean = torch.stack([F.softmax(x, dim=1) for x in logits]).mean(dim=0)
    target = torch.from_numpy(held.moves)
    top = mean.topk(5, dim=1).indices
    return {
        "top1": float((top[:, 0] == target).float().mean()),
        "top5": float((top == target[:, None]).any(dim=1).float().mean()),
        "loss": float(F.nll_loss(mean.clamp_min(1e-12).log(), target)),
    }
