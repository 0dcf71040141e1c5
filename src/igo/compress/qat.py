"""Quantization-aware training: a policy net fine-tuned through its own low-bit rounding.

``quantization_aware_train(net, QatConfig(WeightOnlyConfig(3), RetrainConfig(steps=400)),
shards, out)`` is ``WeightOnlyConfig``'s transform with training in the middle (a config in, a
model out): the same symmetric per-output-channel grid (``igo.nn.lowbit``, the one home of the
grid), and the result the same kind of packed low-bit checkpoint ``--method wN`` writes.

| part     | what                                                                              |
|----------|-----------------------------------------------------------------------------------|
| forward  | every conv / linear weight replaced by its rounding to the grid for the call       |
|          | (``lowbit.fake_quantized_forward``); biases and norms in fp32, as stored           |
| backward | straight-through estimator: the rounding's gradient taken as 1, so the fp32        |
|          | "latent" weights under the grid move (no weight is clipped: the grid spans each    |
|          | channel's largest weight)                                                          |
| training | the SL policy stage's loop on ``sl`` shards (``prune_train.retrain_policy``:       |
|          | minibatches under symmetries, SGD with momentum, rate dropped at 70%, resumable    |
|          | from ``out.trainer.pt``, which holds the latent weights)                           |
| export   | the latent weights rounded once more: exactly the weights the last forward used,   |
|          | packed (``save_checkpoint(..., weight_bits=b)``)                                   |

An AlphaGo policy net trains on the moves played, like the pruned nets' retraining. A Zero net
(policy and value on Zero planes, pooled heads too) trains with the fp32 net as its own teacher
(``train_zero``): on ``sl`` shards read as Zero planes or on a Zero run's ``replay/`` folder (the
reader ``distill_zero.zero_examples``; every size of a mixed replay for a net with pooled heads,
each minibatch of one size drawn by its share, as the Zero loop trains), every minibatch labelled
by the fp32 net as drawn, the loss ``distill_zero``'s at T = 1 with the whole weight on the
teacher (KL to its policy over the open moves plus the value regressed to its value), the
forward fake-quantized as above. It is measured on each size's held-out games.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from igo.compress.distill import DistillConfig
from igo.compress.distill_zero import masked, zero_examples, zero_kd_loss, zero_metrics
from igo.compress.positions import (
    Positions,
    holds_sl_shards,
    load_positions_by_size,
    replay_split_by_size,
)
from igo.compress.prune_recipe import RetrainConfig
from igo.compress.prune_train import (
    check_qat_run,
    check_retrainable,
    measured_at,
    qat_path,
    retrain_policy,
)
from igo.compress.prune_zero import is_zero_net
from igo.compress.quantize import TorchQuantized, WeightOnlyConfig
from igo.files import write_text_atomic
from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.nn.inference import TorchEvaluator, any_size
from igo.nn.lowbit import fake_quantized_forward
from igo.nn.net import Net, NetConfig
from igo.nn.threads import torch_threads
from igo.train.alphago.sl_policy_stage import SlReport
from igo.train.alphago.supervised_data import held_out_evaluator
from igo.train.alphago.supervised_loop import (
    LossFn,
    StageData,
    StagePaths,
    open_trainer,
    run_training,
)


@dataclass(frozen=True)
class QatConfig:
    """Quantization-aware training: the grid trained through, and how long."""

    weights: WeightOnlyConfig
    """The low-bit grid (bits) the forward rounds to and the checkpoint stores."""
    training: RetrainConfig
    """Steps, rate, minibatch and seed of the fine-tuning (at least 1 step)."""

    def __post_init__(self) -> None:
        if self.training.steps < 1:
            raise ValueError(f"--qat-steps must be at least 1, got {self.training.steps}")


@dataclass(frozen=True)
class QatResult:
    """A finished quantization-aware training."""

    quantized: TorchQuantized
    """The exported low-bit net (as ``out`` loads), ready to run or save elsewhere."""
    report: SlReport | ZeroQatReport
    """The rounded net after training, on held-out positions: a policy net's top-1, top-5 and
    loss; a Zero net's ``ZeroQatReport``."""


@dataclass(frozen=True)
class ZeroQatReport:
    """A Zero net's quantization-aware training, measured on held-out positions."""

    steps: int
    """Steps done."""
    train_positions: int
    """Positions in the training split (of every size)."""
    rounded: dict[str, float]
    """The exported (rounded) net's metrics (``distill_zero.zero_metrics``: top1, top5, loss
    on the moves played; agree, top-1 agreement with the fp32 net; mse, to the results;
    mse_teacher, to the fp32 net's value), over every size measured (each size's weighted by
    its positions)."""
    fp32: dict[str, float]
    """The fp32 net's same metrics (agree 1, mse_teacher 0)."""
    seconds: float
    """Wall time of the call that finished it (after a resume: its part only)."""
    by_size: dict[str, dict[str, Any]] = field(default_factory=dict)
    """A replay of several sizes: each size's (``"13x13"``) training and held-out positions,
    and its ``rounded`` and ``fp32`` metrics."""


def quantization_aware_train(
    net: Net,
    config: QatConfig,
    shards: str | Path,
    out: str | Path,
    *,
    extra: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> QatResult:
    """Fine-tune a copy of ``net`` through ``config.weights``' rounding on ``shards``' training
    split and write it to ``out`` as a ``config.weights.bits`` checkpoint (``net`` unchanged).

    A killed run resumes from ``out.trainer.pt``; a finished one (``out`` and its report) is
    read back.

    Raises:
        ValueError: neither an AlphaGo policy net nor a Zero net, or unusable shards.
    """
    report: SlReport | ZeroQatReport
    if is_zero_net(net):
        report = train_zero(net, config, shards, out, extra=extra, progress=progress)
    else:
        check_retrainable(net)
        latent = copy.deepcopy(net).to("cpu").float()
        report = retrain_policy(
            latent, None, shards, out, config.training.stage(),
            extra=extra, progress=progress, weight_bits=config.weights.bits,
        )  # fmt: skip
    exported = load_checkpoint(out).eval()
    return QatResult(TorchQuantized(exported, weight_bits=config.weights.bits), report)


SELF_TAUGHT = DistillConfig(temperature=1.0, soft_weight=1.0, result_weight=0.0, value_weight=1.0)
"""The distillation terms of a Zero net's QAT: T = 1, all the weight on the fp32 net's policy
(the moves played and the results do not enter), its value regressed with weight 1."""


def self_taught_loss(teacher: torch.nn.Module, bits: int) -> LossFn:
    """(latent net, Zero planes [B, 2H + 1, n, n], moves [B]) -> ``distill_zero``'s loss of the
    net fake-quantized to ``bits`` against ``teacher``'s outputs on the same planes.

    The teacher labels each minibatch as drawn (after its random symmetry), not the positions
    once before: a net is not exactly symmetric, and the student starts as the teacher, so labels
    of the unturned board would pull even an unrounded copy away from it."""

    def loss(net: torch.nn.Module, x: torch.Tensor, moves: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            logits, value = teacher(x)
            probs = F.softmax(masked(logits, x), dim=1)
        student_logits, v = fake_quantized_forward(net, x, bits)
        student = (masked(student_logits, x), v)
        return zero_kd_loss(student, (probs, value), moves, value, SELF_TAUGHT)

    return loss


def zero_training_sets(folder: str | Path, config: NetConfig) -> dict[int, StageData]:
    """The training split of ``folder`` for a Zero net of ``config``, one ``StageData`` a board
    size, by size: ``distill_zero.zero_examples``'s (sl shards: the moves played; a replay
    folder: the search's most visited moves), of every size a replay holds for a net with
    pooled heads.

    Raises:
        ValueError: as ``zero_examples`` (no such folder, no held-out sl shards, an empty
            replay, a replay of another size for a net with fixed heads).
    """
    root = Path(folder)
    if any_size(config) and root.is_dir() and not holds_sl_shards(root):
        by_size = replay_split_by_size(root, config, "train")
        return {n: StageData(p.planes.astype(np.uint8), p.moves, True) for n, p in by_size.items()}
    planes, moves, _ = zero_examples(root, config)
    return {int(planes.shape[-1]): StageData(planes, moves, moves=True)}


def train_zero(
    net: Net,
    config: QatConfig,
    shards: str | Path,
    out: str | Path,
    *,
    extra: Mapping[str, Any] | None = None,
    progress: bool = False,
) -> ZeroQatReport:
    """Train a copy of the Zero net ``net`` through ``config.weights``' rounding towards ``net``
    itself on the training split of ``shards`` (sl shards read as Zero planes, or a Zero run's
    replay folder: every size it holds for pooled heads, each minibatch of one size) and write
    the rounded net to ``out``, packed.

    A killed run resumes from ``out.trainer.pt``; a finished one's report is read back.

    Raises:
        ValueError: shards without a held-out split, or of another board; an empty replay, or
            one of another size for fixed heads; a killed run's files that belong to another
            training.
    """
    paths = StagePaths.of(out)
    done = paths.finished()
    if done is not None:
        return ZeroQatReport(**done)
    bits, stage = config.weights.bits, config.training.stage()
    device, start = torch.device("cpu"), time.perf_counter()
    teacher = copy.deepcopy(net).to("cpu").float().eval().requires_grad_(False)
    latent = copy.deepcopy(net).to("cpu").float()
    data = zero_training_sets(shards, net.config)
    held = load_positions_by_size(shards, net.config, stage.eval_positions, stage.seed, each=True)
    with torch_threads(stage.torch_threads):
        fp32 = {n: held_out_evaluator(teacher, device).evaluate(p.planes) for n, p in held.items()}
        paths.out.parent.mkdir(parents=True, exist_ok=True)
        check_qat_run(qat_path(out), {"weight_bits": bits, "extra": dict(extra or {})})
        trainer = open_trainer(paths, latent, stage, device)

        def rounded(model: Net) -> dict[int, dict[str, float]]:
            return _by_size(held_out_evaluator(measured_at(model, bits), device), held, fp32)

        def evaluate(model: Net) -> dict[str, float]:
            return _weighted(rounded(model), held)

        run_training(
            trainer, stage, list(data.values()), self_taught_loss(teacher, bits), paths,
            evaluate=evaluate, log_dir=None, progress=progress, device=device,
        )  # fmt: skip
        reference = _by_size(None, held, fp32)
        report = _zero_report(trainer.step, data, held, rounded(trainer.net), reference, start)
    written = {**dict(extra or {}), "retrain": {**asdict(stage), "steps": trainer.step}}
    save_checkpoint(trainer.net.eval(), paths.out, extra=written, weight_bits=bits)
    write_text_atomic(paths.report, json.dumps(asdict(report), indent=1) + "\n")
    paths.trainer.unlink(missing_ok=True)
    qat_path(out).unlink(missing_ok=True)
    return report


def _by_size(
    runner: TorchEvaluator | None,
    held: Mapping[int, Positions],
    fp32: Mapping[int, tuple[np.ndarray, np.ndarray]],
) -> dict[int, dict[str, float]]:
    """Each size's ``zero_metrics`` of ``runner`` (None: of the fp32 net's outputs ``fp32``)."""
    return {
        n: zero_metrics(fp32[n] if runner is None else runner.evaluate(p.planes), p, fp32[n])
        for n, p in held.items()
    }


def _zero_report(
    steps: int,
    data: Mapping[int, StageData],
    held: Mapping[int, Positions],
    rounded: Mapping[int, dict[str, float]],
    reference: Mapping[int, dict[str, float]],
    start: float,
) -> ZeroQatReport:
    """The report of ``steps`` done on ``data``: the rounded and the fp32 net's metrics on
    ``held``, over all sizes, and each size's where there are several."""
    sizes = {
        f"{n}x{n}": {"train_positions": len(data[n].targets) if n in data else 0,
                     "heldout_positions": len(p), "rounded": rounded[n], "fp32": reference[n]}
        for n, p in held.items()
    }  # fmt: skip
    return ZeroQatReport(
        steps, sum(len(d.targets) for d in data.values()), _weighted(rounded, held),
        _weighted(reference, held), time.perf_counter() - start, sizes if len(sizes) > 1 else {},
    )  # fmt: skip


def _weighted(
    metrics: Mapping[int, dict[str, float]], held: Mapping[int, Positions]
) -> dict[str, float]:
    """The sizes' metrics averaged, each weighted by its held-out positions (every metric is a
    mean over positions: the mean over all of them)."""
    total = sum(len(held[n]) for n in metrics)
    keys = next(iter(metrics.values()))
    return {k: sum(m[k] * len(held[n]) for n, m in metrics.items()) / total for k in keys}
