"""Distilling a Zero net: a policy-and-value net on AlphaGo Zero planes taught by another.

``distill`` (``igo.compress.distill``) takes this path when the student is a PolicyValueNet on
Zero planes (2H + 1): the same loop, files and resuming, with both heads trained at once from
one teacher forward pass (Hinton, Vinyals and Dean 2015, on each head):

    loss = w T^2 KL(p_T || q_T) + (1 - w) CE(q, move played)
         + c ((1 - r) (v - v_teacher)^2 + r (v - z)^2)

with p_T the teacher's soft policy at temperature T (an ensemble: the mean of its members'),
v_teacher its value (the members' mean), z the game's result for the side to move, w
``soft_weight``, r ``result_weight``, c ``value_weight``. The data are one folder or several,
each ``sl`` shards (``igo data import``) read as Zero planes
(``igo.compress.positions.zero_planes_of_examples``; the hard target is the move played) or a
Zero run's ``replay/`` folder (``igo.compress.positions.replay_split``: the positions of a net's
own games, the teacher's if it played them; the hard target is the search's most visited move).
The training positions are every folder's training split together; the first folder's held-out
split measures. The teacher labels every position, so the games only choose the positions and
give the hard targets.

Both policies are over the moves open in the position (its empty points and pass; ko and
suicide are not known from the planes, and are rare): the Zero net is trained on masked
policies, and its logits on occupied points mean nothing, so they are set to ``ILLEGAL``
before any softmax, in the loss and in the measurements (top-1, agreement) alike.

The teacher labels the training positions once, before the first step (a forward pass per
position instead of one per position drawn; on this CPU its pass is most of a step's cost). The
SL loop's minibatches turn the planes and the move targets together; the teacher's targets ride
along as ``TARGET_PLANES`` more float16 planes, so that they turn with the board as the replay
buffer's ownership plane does: its soft policy on the points, then constant planes of its pass
probability, its value and the game's result. The loss splits them off. FitNets hints are for
AlphaGo students.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from igo.compress.distill import (
    DistillConfig,
    KdParts,
    LossFn,
    Teacher,
    folders_of,
    kd_loss,
)
from igo.compress.distill_alphago import training_split
from igo.compress.positions import (
    Positions,
    holds_sl_shards,
    load_positions,
    replay_split,
    zero_history,
    zero_planes_of_examples,
)
from igo.nn.inference import TorchEvaluator
from igo.nn.net import Net, NetConfig
from igo.train.alphago.sl_policy_stage import sl_moves
from igo.train.alphago.supervised_data import held_out_evaluator
from igo.train.alphago.supervised_loop import StageData

ILLEGAL = -1e4
"""The logit an occupied point gets: nothing after a softmax, even at T = 10."""


def open_moves(planes: torch.Tensor) -> torch.Tensor:
    """bool [B, N*N + 1]: the empty points of Zero planes [B, 2H + 1, N, N], and pass."""
    history = (planes.shape[1] - 1) // 2
    empty = (planes[:, 0] + planes[:, history]).flatten(1) == 0
    return torch.cat([empty, empty.new_ones((empty.shape[0], 1))], dim=1)


def masked(logits: torch.Tensor, planes: torch.Tensor) -> torch.Tensor:
    """``logits`` [B, M] with the points that are not open in ``planes`` at ``ILLEGAL``."""
    return logits.masked_fill(~open_moves(planes), ILLEGAL)


TARGET_PLANES = 4
"""Planes after the Zero planes: the teacher's policy on the points, its pass probability, its
value, the game's result (the last three constant over the board)."""


LABEL_CHUNK = 4096
"""Positions labelled at a time (float32 planes of a chunk in memory)."""


def teacher_labels(
    teacher: Teacher, planes: np.ndarray, temperature: float, progress: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(soft policy [B, M] over the open moves at ``temperature``, value [B]) of uint8 Zero
    planes [B, 2H + 1, N, N]: the members' means, igo's fp32 inference path."""
    runners = [TorchEvaluator(net, teacher.device, 512, "float32") for net in teacher.members]
    probs, values = np.zeros((len(planes), planes.shape[-1] ** 2 + 1), np.float32), []
    for lo in tqdm(range(0, len(planes), LABEL_CHUNK), disable=not progress, unit="chunk",
                   desc="teacher labels"):  # fmt: skip
        x = planes[lo : lo + LABEL_CHUNK].astype(np.float32)
        outs = [runner.evaluate(x) for runner in runners]
        for logits, _ in outs:
            soft = masked(torch.from_numpy(logits), torch.from_numpy(x)) / temperature
            probs[lo : lo + len(x)] += F.softmax(soft, dim=1).numpy() / len(outs)
        values.append(np.mean([v for _, v in outs], axis=0))
    return probs, np.concatenate(values) if values else np.zeros(0, np.float32)


def zero_stage_data(
    planes: np.ndarray, train: dict[str, np.ndarray], labels: tuple[np.ndarray, np.ndarray]
) -> StageData:
    """``zero_stage_of`` sl examples ``train`` (their moves played and results)."""
    return zero_stage_of(planes, sl_moves(train, "sl"), train["result"], labels)


def zero_stage_of(
    planes: np.ndarray,
    moves: np.ndarray,
    results: np.ndarray,
    labels: tuple[np.ndarray, np.ndarray],
) -> StageData:
    """The training examples as float16 [N, 2H + 1 + TARGET_PLANES, n, n]: their Zero planes
    (uint8 [N, 2H + 1, n, n]), then the targets' planes (``labels``: the teacher's policy [N, M]
    and value [N], and the ``results`` [N]); the targets are the ``moves`` [N] (int64)."""
    count, size = len(planes), planes.shape[-1]
    extra = np.empty((count, TARGET_PLANES, size, size), dtype=np.float16)
    probs, values = labels
    extra[:, 0] = probs[:, :-1].reshape(count, size, size)
    extra[:, 1:] = np.stack([probs[:, -1], values, results], axis=1)[:, :, None, None]
    data = np.concatenate([planes.astype(np.float16), extra], axis=1)
    return StageData(data, moves.astype(np.int64), moves=True)


def zero_examples(
    folder: str | Path, config: NetConfig
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The training split of ``folder`` for a student of ``config``: (uint8 Zero planes
    [N, 2H + 1, n, n], int64 hard targets [N], float32 results [N]); sl shards give the moves
    played, a replay folder the search's most visited moves.

    Raises:
        ValueError: no such folder, sl shards without a held-out split, or no replay positions.
    """
    root = Path(folder)
    if not root.is_dir():
        raise ValueError(f"{root}: no such folder of sl shards or replay games")
    if holds_sl_shards(root):
        train = training_split(root)
        planes = zero_planes_of_examples(train, zero_history(config))
        return planes, sl_moves(train, "sl"), train["result"].astype(np.float32)
    games = replay_split(root, config, "train")
    return games.planes.astype(np.uint8), games.moves, games.results.astype(np.float32)


def split_targets(
    x: torch.Tensor,
) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor], torch.Tensor]:
    """A minibatch [B, 2H + 1 + TARGET_PLANES, n, n] -> (Zero planes [B, 2H + 1, n, n], the
    teacher's (soft policy [B, M], value [B]), the results z [B])."""
    t = x[:, -TARGET_PLANES:]
    probs = torch.cat([t[:, 0].flatten(1), t[:, 1, :1, 0]], dim=1).clamp_min(0)
    probs = probs / probs.sum(dim=1, keepdim=True).clamp_min(1e-6)  # float16's rounding
    return x[:, :-TARGET_PLANES], (probs, t[:, 2, 0, 0]), t[:, 3, 0, 0]


def zero_kd_loss(
    student: tuple[torch.Tensor, torch.Tensor],
    teacher: tuple[torch.Tensor, torch.Tensor],
    moves: torch.Tensor,
    z: torch.Tensor,
    config: DistillConfig,
) -> torch.Tensor:
    """The module docstring's loss, batch mean.

    Args:
        student: (logits [B, M], value [B]) of the student.
        teacher: (soft policy [B, M] at T, value [B]) of the teacher.
        moves: [B] int64 the moves played.
        z: [B] the games' results for the side to move.
        config: T, w, r and c.
    """
    logits, v = student
    probs, v_teacher = teacher
    policy = kd_loss(logits, probs, moves, config.temperature, config.soft_weight)
    r = config.result_weight
    value = (1.0 - r) * F.mse_loss(v, v_teacher) + r * F.mse_loss(v, z)
    return policy + config.value_weight * value


def zero_loss_fn(config: DistillConfig) -> LossFn:
    """(student, planes with the targets' planes, moves) -> the minibatch's loss."""

    def loss(net: torch.nn.Module, x: torch.Tensor, moves: torch.Tensor) -> torch.Tensor:
        planes, taught, z = split_targets(x)
        logits, v = net(planes)
        return zero_kd_loss((masked(logits, planes), v), taught, moves, z, config)

    return loss


def zero_metrics(
    outputs: tuple[np.ndarray, np.ndarray],
    held: Positions,
    teacher: tuple[np.ndarray, np.ndarray],
) -> dict[str, float]:
    """Held-out metrics of (logits [B, M], values [B]), over the open moves: top1, top5 and
    loss (cross-entropy) against the move played; agree, the share of positions where the top
    move is the teacher's; mse against the game's result; mse_teacher against the teacher's
    value."""
    planes = torch.from_numpy(held.planes)
    logits, values = masked(torch.from_numpy(outputs[0]), planes), outputs[1]
    taught = masked(torch.from_numpy(teacher[0]), planes).argmax(dim=1)
    target = torch.from_numpy(held.moves)
    top = logits.topk(5, dim=1).indices
    return {
        "top1": float((top[:, 0] == target).float().mean()),
        "top5": float((top == target[:, None]).any(dim=1).float().mean()),
        "loss": float(F.cross_entropy(logits, target)),
        "agree": float((top[:, 0] == taught).float().mean()),
        "mse": float(np.mean((values - held.results) ** 2)),
        "mse_teacher": float(np.mean((values - teacher[1]) ** 2)),
    }


def zero_parts(
    teacher: Teacher,
    student: Net,
    data: str | Path | Sequence[str | Path],
    config: DistillConfig,
    progress: bool,
) -> KdParts:
    """A Zero student's data (labelled by the teacher), loss and metrics (``distill`` calls it);
    ``data``: one folder or several (sl shards or replay folders), the first one's held-out
    split measured.

    Raises:
        ValueError: hint steps asked for, or data without a held-out split.
    """
    if config.hint_steps:
        raise ValueError("FitNets hints are for AlphaGo students; distil a Zero net without them")
    folders, device = folders_of(data), teacher.device
    parts = [zero_examples(folder, student.config) for folder in folders]
    planes, moves, results = (np.concatenate([p[i] for p in parts]) for i in range(3))
    del parts
    if config.soft_weight > 0 or config.result_weight < 1:
        labels = teacher_labels(teacher, planes, config.temperature, progress)
    else:  # from scratch: the teacher's terms weigh nothing
        labels = (np.full((len(planes), student.config.num_moves), 1.0, np.float32),
                  np.zeros(len(planes), np.float32))  # fmt: skip
    stage = zero_stage_of(planes, moves, results, labels)
    del planes
    training = config.training
    held = load_positions(folders[0], student.config, training.eval_positions, training.seed)

    @cache
    def teacher_outputs() -> tuple[np.ndarray, np.ndarray]:
        runners = [held_out_evaluator(net, device) for net in teacher.members]
        outs = [r.evaluate(held.planes) for r in runners]
        if len(outs) == 1:
            return outs[0]
        probs = torch.stack([F.softmax(torch.from_numpy(lg), dim=1) for lg, _ in outs]).mean(0)
        return probs.clamp_min(1e-12).log().numpy(), np.mean([v for _, v in outs], axis=0)

    def evaluate(net: Net) -> dict[str, float]:
        return zero_metrics(held_out_evaluator(net, device).evaluate(held.planes), held,
                            teacher_outputs())  # fmt: skip

    return KdParts(
        stage, len(moves), evaluate, zero_loss_fn(config),
        lambda: zero_metrics(teacher_outputs(), held, teacher_outputs()),
    )  # fmt: skip
