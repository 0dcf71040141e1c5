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

The training reads moves, so it takes AlphaGo policy nets (the shards' 48 planes), like the
pruned nets' retraining.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igo.compress.prune_recipe import RetrainConfig
from igo.compress.prune_train import check_retrainable, retrain_policy
from igo.compress.quantize import TorchQuantized, WeightOnlyConfig
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import Net
from igo.train.alphago.sl_policy_stage import SlReport


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
    report: SlReport
    """Held-out top-1, top-5 and loss of the rounded net after training."""


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
        ValueError: not an AlphaGo policy net, or unusable shards.
    """
    check_retrainable(net)
    latent = copy.deepcopy(net).to("cpu").float()
    report = retrain_policy(
        latent, None, shards, out, config.training.stage(),
        extra=extra, progress=progress, weight_bits=config.weights.bits,
    )  # fmt: skip
    exported = load_checkpoint(out).eval()
    return QatResult(TorchQuantized(exported, weight_bits=config.weights.bits), report)
