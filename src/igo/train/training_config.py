"""TrainConfig: how a network is optimised (the Zero loop's ``[train]`` table), and its
learning-rate schedule.

Defaults follow AlphaGo Zero (Silver et al., Nature 550, 2017, Methods "Optimization"), scaled to
a 9x9 board on a CPU; the growing replay window is KataGo's (Wu 2019). The AlphaGo stages build
one for the optimiser (``igo.train.trainer.make_optimizer``) and the schedule they share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

Optimizer = Literal["sgd", "adamw"]
Schedule = Literal["constant", "step", "cosine"]


@dataclass(frozen=True)
class TrainConfig:
    """How the network is trained on the replay window."""

    steps_per_generation: int = 500
    """Minibatch steps after each generation's self-play (the paper: checkpoints every 1,000)."""
    batch_size: int = 256
    """Positions per minibatch (the paper: 2,048 over 64 GPUs)."""
    optimizer: Optimizer = "sgd"
    """sgd (with momentum, the paper's) or adamw."""
    learning_rate: float = 0.02
    """Initial learning rate (the paper: 1e-2, annealed to 1e-4)."""
    momentum: float = 0.9
    """SGD momentum (the paper: 0.9)."""
    l2_c: float = 1e-4
    """c in the loss term c * ||theta||^2 (the paper: 1e-4); SGD applies its gradient as weight
    decay 2c."""
    adamw_weight_decay: float = 0.01
    """AdamW's decoupled weight decay (used instead of l2_c with adamw)."""
    schedule: Schedule = "step"
    """Learning-rate schedule over the run's total steps: constant, step or cosine."""
    lr_drops: tuple[float, ...] = (0.5, 0.75)
    """step: fractions of the run's total steps at which the rate is multiplied by lr_drop_factor
    (the paper dropped 1e-2 -> 1e-3 -> 1e-4)."""
    lr_drop_factor: float = 0.1
    """step: the factor of each drop."""
    warmup_steps: int = 0
    """Steps of linear warm-up from 0 at the start of the run."""
    grad_clip: float = 5.0
    """Largest gradient norm (0: no clipping)."""
    window_min_games: int = 2000
    """Replay window: games in it at the start (c); with exponent 0 a fixed window."""
    window_max_games: int = 50000
    """Replay window: most games (the paper: 500,000 at 19x19)."""
    window_exponent: float = 0.75
    """Replay window growth exponent alpha (KataGo: 0.75; 0: fixed)."""
    min_samples: int = 1
    """Training positions the window must hold before a step is taken."""
    device: str = "auto"
    """Where training runs: auto (CUDA if available), cpu, cuda..."""
    precision: Literal["auto", "fp32", "bf16"] = "auto"
    """Autocast of the forward pass and loss (the weights and the optimiser stay fp32): auto is
    bf16 on CUDA with bf16 and on CPUs with AMX-BF16, fp32 elsewhere (``igo.nn.precision``)."""
    torch_threads: int = 1
    """Torch CPU threads while training."""
    ownership_weight: float = 1.0
    """Weight of the ownership loss (mean squared error of the final owner of each board point,
    KataGo's auxiliary target, Wu 2019) for nets with pooled heads; 0 turns it off."""
    score_weight: float = 0.5
    """Weight of the score loss (Huber loss of the final margin, in units of
    ``igo.nn.pooled_heads.SCORE_SCALE`` points) for nets with pooled heads; 0 turns it off."""

    def __post_init__(self) -> None:
        for name in ("steps_per_generation", "batch_size", "window_min_games", "window_max_games"):
            _check(getattr(self, name) >= 1, f"train.{name} must be at least 1")
        _check(self.torch_threads >= 1, "train.torch_threads must be at least 1")
        _check(self.min_samples >= 1, "train.min_samples must be at least 1")
        _check(self.optimizer in ("sgd", "adamw"), "train.optimizer must be sgd or adamw")
        _check(self.schedule in ("constant", "step", "cosine"), "train.schedule: unknown name")
        _check(_positive(self.learning_rate), "train.learning_rate must be > 0")
        _check(0.0 <= self.momentum < 1.0, "train.momentum must be in [0, 1)")
        _check(_non_negative(self.l2_c), "train.l2_c must be >= 0")
        _check(_non_negative(self.adamw_weight_decay), "train.adamw_weight_decay must be >= 0")
        _check(all(0.0 < f < 1.0 for f in self.lr_drops), "train.lr_drops must be in (0, 1)")
        _check(0.0 < self.lr_drop_factor <= 1.0, "train.lr_drop_factor must be in (0, 1]")
        _check(self.warmup_steps >= 0, "train.warmup_steps must be >= 0")
        _check(_non_negative(self.grad_clip), "train.grad_clip must be >= 0")
        _check(_non_negative(self.ownership_weight), "train.ownership_weight must be >= 0")
        _check(_non_negative(self.score_weight), "train.score_weight must be >= 0")
        _check(self.window_exponent >= 0, "train.window_exponent must be >= 0")
        _check(
            self.window_max_games >= self.window_min_games,
            "train.window_max_games must be >= train.window_min_games",
        )


def learning_rate_at(config: TrainConfig, step: int, total_steps: int) -> float:
    """The learning rate of training step ``step`` (0-based) in a run of ``total_steps``."""
    lr = config.learning_rate
    if config.schedule == "step":
        drops = sum(step >= f * total_steps for f in config.lr_drops)
        lr *= config.lr_drop_factor**drops
    elif config.schedule == "cosine":
        progress = min(1.0, step / max(1, total_steps))
        lr *= 0.5 * (1.0 + math.cos(math.pi * progress))
    if config.warmup_steps and step < config.warmup_steps:
        lr *= (step + 1) / config.warmup_steps
    return lr


def _positive(x: float) -> bool:
    return math.isfinite(x) and x > 0


def _non_negative(x: float) -> bool:
    return math.isfinite(x) and x >= 0


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)
