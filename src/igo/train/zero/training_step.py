"""The AlphaGo Zero training step loop: minibatches from the replay window, the joint loss, SGD.

Silver et al. 2017, Methods "Optimization": the network is trained on positions sampled
uniformly from the recent self-play games, each under a random board symmetry, minimising
``(z - v)^2 - pi . log p + c ||theta||^2`` by SGD with momentum 0.9 and an annealed learning
rate. One function does it (cleanrl style); the caller owns checkpoints and logs. A net with
pooled heads also learns KataGo's ownership and score targets (``loss.aux_loss``), logged as
``ownership_loss`` and ``score_loss`` (``loss`` stays value + policy, comparable across nets).
On a mix of sizes each minibatch is one size (``ReplayBuffer.sample``), logged as ``board_size``.

Under torchrun (``igo.train.distributed``) every rank draws the same global minibatch from the
same sampler RNG and trains on its slice of it under DDP, so W ranks take the steps one process
takes with the same ``batch_size`` (the metrics are rank 0's slice's; samples/s the global batch's).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable

import torch

from igo.data.replay_buffer import ReplayBuffer
from igo.nn.precision import CHOICES, explain_precision, resolve_precision
from igo.train import distributed
from igo.train.trainer import Trainer, TrainingDiverged
from igo.train.training_config import TrainConfig, learning_rate_at
from igo.train.zero.loss import AuxLoss, aux_loss, zero_loss

StepFn = Callable[[int, dict[str, float]], None]


def training_autocast(
    device: torch.device, precision: str
) -> torch.autocast | contextlib.nullcontext[None]:
    """The autocast context of a training step: bf16 where ``resolve_precision`` picks it
    (``train.precision``), never fp16 (it would need loss scaling), else none."""
    dtype = resolve_precision(device, CHOICES[precision])
    if dtype != torch.bfloat16:
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16)


def training_precision(device: torch.device, precision: str) -> str:
    """What ``training_autocast`` runs in and why, for the log."""
    said = explain_precision(device, CHOICES[precision])
    return said if not said.startswith("fp16") else "fp32 (no bf16 on this GPU; no fp16 training)"


def train_steps(
    trainer: Trainer,
    buffer: ReplayBuffer,
    config: TrainConfig,
    *,
    num_steps: int,
    total_steps: int,
    device: torch.device,
    on_step: StepFn | None = None,
) -> None:
    """Take ``num_steps`` optimiser steps on minibatches sampled from ``buffer``.

    Args:
        trainer: the network, optimiser, sampler RNG and step count (updated in place).
        buffer: the replay window.
        config: batch size, schedule, clipping.
        num_steps: steps to take now.
        total_steps: the run's total steps (for the learning-rate schedule).
        device: where the network is.
        on_step: called after each step with the steps done and that step's metrics.

    Raises:
        TrainingDiverged: on a non-finite loss or gradient norm, naming the step and the rate.
        ValueError: under torchrun, a batch size that does not split over the ranks.
    """
    net, optimizer = trainer.net, trainer.optimizer
    distributed.check_batch(config.batch_size)
    model, mine = distributed.wrap(net, device), distributed.shard(config.batch_size)
    net.train()
    max_norm = config.grad_clip if config.grad_clip > 0 else math.inf
    autocast = training_autocast(device, config.precision)
    for _ in range(num_steps):
        start = time.perf_counter()
        lr = learning_rate_at(config, trainer.step, total_steps)
        for group in optimizer.param_groups:
            group["lr"] = lr
        # The whole batch on every rank keeps the sampler RNG the one-process run's (resumable
        # under any world size); building all B planes costs little beside the network.
        batch = buffer.sample(config.batch_size, trainer.rng)
        planes = torch.from_numpy(batch.planes[mine]).to(device)
        target_policy = torch.from_numpy(batch.policy[mine]).to(device)
        target_value = torch.from_numpy(batch.value[mine]).to(device)

        with autocast:  # the forward pass and loss; the weights and the optimiser stay fp32
            policy_logits, values, score, ownership = model(planes, None, True)
            loss = zero_loss(policy_logits.float(), values.float(), target_policy, target_value)
            total, aux = loss.total, None
            if score is not None and ownership is not None:
                aux = aux_loss(
                    score.float(),
                    ownership.float(),
                    torch.from_numpy(batch.score[mine]).to(device),
                    torch.from_numpy(batch.ownership[mine]).to(device),
                    torch.from_numpy(batch.aux[mine]).to(device),
                )
                total = total + config.ownership_weight * aux.ownership
                total = total + config.score_weight * aux.score
        optimizer.zero_grad(set_to_none=True)
        total.backward()  # type: ignore[no-untyped-call]
        grad_norm = float(torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm))
        value, policy = loss.value.detach().item(), loss.policy.detach().item()
        if not (math.isfinite(value) and math.isfinite(policy) and math.isfinite(grad_norm)):
            raise TrainingDiverged(
                f"training diverged at step {trainer.step + 1}: value loss {value}, policy loss "
                f"{policy}, gradient norm {grad_norm} (learning rate {lr:g}). Lower "
                "train.learning_rate or raise train.batch_size, then resume the run."
            )
        optimizer.step()
        trainer.step += 1
        if on_step is not None:
            seconds = time.perf_counter() - start
            metrics = _size_column(buffer, batch.planes.shape[-1])
            metrics |= {"lr": lr, "loss": value + policy, "value_loss": value}
            metrics |= {"policy_loss": policy, "grad_norm": grad_norm} | _aux_metrics(aux)
            on_step(trainer.step, metrics | {"samples_per_s": config.batch_size / seconds})
    net.eval()


def _size_column(buffer: ReplayBuffer, size: int) -> dict[str, float]:
    """A mixed run's ``board_size`` column (each step trains one size: its losses are that
    size's); none for a run of one size, whose logs keep their columns."""
    return {"board_size": size} if len(buffer.sizes) > 1 else {}


def _aux_metrics(aux: AuxLoss | None) -> dict[str, float]:
    """The auxiliary loss columns of a net with pooled heads (none for fixed heads)."""
    if aux is None:
        return {}
    return {
        "ownership_loss": aux.ownership.detach().item(),
        "score_loss": aux.score.detach().item(),
    }
