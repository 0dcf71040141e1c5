"""Knowledge distillation as a transform: a frozen teacher (or an ensemble) in, a student out.

``distill(student, teacher, data, config, out=...)`` trains ``student`` on the ``sl`` shards in
``data`` (AlphaGo's input planes) with the AlphaGo SL stages' resumable loop
(``igo.train.alphago.supervised_loop``: random minibatches under random symmetries, the same
files and logs):

| student    | loss (Hinton, Vinyals and Dean 2015)                                              |
|------------|-----------------------------------------------------------------------------------|
| policy net | ``w T^2 KL(p_T || q_T) + (1 - w) CE(q, move played)``: p_T the teacher's soft     |
|            | policy at temperature T (an ensemble's: the mean of its members' soft policies),   |
|            | q_T the student's; T^2 keeps the soft term's gradients the size of the hard one's  |
| value net  | ``(1 - r) (v - v_teacher)^2 + r (v - z)``^2: the teacher's value, or the result z |
| Zero net   | both, the value term weighted by c (``igo.compress.distill_zero``)                 |

The students' data and measurements live beside this module: ``igo.compress.distill_alphago``
(policy and value nets on AlphaGo's planes) and ``igo.compress.distill_zero`` (Zero nets, which
also read a Zero run's ``replay/`` folder, or several folders together).

With ``hint_steps`` > 0 the first steps are FitNets' stage 1 (``igo.compress.hints``): the
student's guided layer regressed through a 1x1 convolution onto the first teacher's hint layer,
only the layers below it and the regressor trained; the remaining steps are KD with a new
optimiser. ``soft_weight`` 0 is the student trained from scratch on the moves played (the
teacher is not run). Files for ``out`` = ``X.safetensors``: ``X.hints.trainer.pt`` (stage 1:
student, regressor, optimiser, step, sampler), ``X.trainer.pt`` (stage 2), then ``X.safetensors``
and ``X.report.json``, and ``X.best.safetensors``, the save with the best held-out score
(``igo.compress.distill_best``); the curve (held-out metrics every ``checkpoint_every`` steps) is
``heldout.csv`` in the log folder. A rerun of a killed run continues where it stopped. One
process (not torchrun: the hint stage leaves the upper layers without gradients).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import torch
import torch.nn.functional as F

from igo.compress.distill_best import forget_best, keeping_best, read_best
from igo.compress.hints import channels_at, forward_to, hint_loss, middle_layer, regressor
from igo.compress.prune_zero import is_zero_net
from igo.nn.inference import resolve_device
from igo.nn.net import Net, PolicyNet, ValueNet
from igo.nn.threads import torch_threads
from igo.train.alphago.supervised_loop import (
    StageConfig,
    StageData,
    StagePaths,
    open_trainer,
    run_training,
    train_config_of,
)
from igo.train.trainer import Trainer, load_trainer, make_optimizer, trained_modules


@dataclass(frozen=True)
class DistillConfig:
    """How a student is distilled (the optimiser, steps and logging: ``training``)."""

    training: StageConfig = field(default_factory=lambda: StageConfig(steps=2000))
    """Steps (hint stage included), batch, optimiser, rate schedule, checkpoints, held-out
    positions, threads and seed, as the SL stages take them (its net fields are unused)."""
    temperature: float = 2.0
    """T: both policies are softmax(logits / T) in the soft term."""
    soft_weight: float = 0.9
    """w: weight of the soft (teacher) term; 1 - w goes to the move played. 0: from scratch."""
    result_weight: float = 0.0
    """r, value students: weight of the game's result against the teacher's value."""
    hint_steps: int = 0
    """FitNets stage 1 steps (0: no hints), counted in ``training.steps``."""
    value_weight: float = 1.0
    """c, Zero students: weight of the value term beside the policy's."""
    student_layer: str = ""
    """The student's guided layer (a module name; empty: its middle block)."""
    teacher_layer: str = ""
    """The first teacher's hint layer (a module name; empty: its middle block)."""

    def __post_init__(self) -> None:
        if not self.temperature > 0:
            raise ValueError(f"temperature must be > 0, got {self.temperature}")
        if not self.value_weight >= 0:
            raise ValueError(f"value_weight must be >= 0, got {self.value_weight}")
        for name in ("soft_weight", "result_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")
        if not 0 <= self.hint_steps < self.training.steps:
            raise ValueError(
                f"hint_steps must be in [0, steps), got {self.hint_steps} of {self.training.steps}"
            )


@dataclass(frozen=True)
class DistillReport:
    """What a finished distillation measured on the held-out positions."""

    steps: int
    """Steps done, hint stage included."""
    hint_steps: int
    """FitNets stage-1 steps among them."""
    train_positions: int
    """Positions in the training split."""
    student: dict[str, float]
    """The student's held-out metrics (policy: top1, top5, loss; value: mse)."""
    teacher: dict[str, float]
    """The teacher's same metrics (an ensemble: of its mean policy or value)."""
    seconds: float
    """Wall time of the call that finished it (after a resume: its part only)."""
    best: dict[str, float] = field(default_factory=dict)
    """The best save's step and held-out metrics (``igo.compress.distill_best``; empty: none)."""


def kd_loss(
    student_logits: torch.Tensor,
    teacher_probs: torch.Tensor,
    moves: torch.Tensor,
    temperature: float,
    soft_weight: float,
) -> torch.Tensor:
    """Hinton et al.'s loss: ``w T^2 KL(p || softmax(s / T)) + (1 - w) CE(s, moves)``, batch mean.

    Args:
        student_logits: [B, M] the student's logits s.
        teacher_probs: [B, M] the teacher's soft policy p at temperature T (rows sum to 1).
        moves: [B] int64 the moves played.
        temperature: T.
        soft_weight: w.
    """
    hard = F.cross_entropy(student_logits, moves)
    if soft_weight == 0.0:
        return hard
    log_q = F.log_softmax(student_logits / temperature, dim=1)
    soft = F.kl_div(log_q, teacher_probs, reduction="batchmean")
    return soft_weight * temperature**2 * soft + (1.0 - soft_weight) * hard


def _shape(net: Net) -> tuple[int, int, str]:
    return net.config.in_planes, net.config.board_size, net.config.outputs


def _describe(net: Net) -> str:
    """E.g. "policy on 48 planes, 9x9"."""
    c = net.config
    return f"{c.outputs} on {c.in_planes} planes, {c.board_size}x{c.board_size}"


class Teacher:
    """One frozen net or an ensemble of them (same kind, planes and board), in eval mode."""

    def __init__(self, members: Sequence[Net], device: torch.device) -> None:
        """Raises: ValueError: no members, or members that do not match."""
        if not members:
            raise ValueError("distillation needs at least one teacher")
        first = _shape(members[0])
        for number, net in enumerate(members, 1):
            if _shape(net) != first:  # one mean needs one input and one output space
                raise ValueError(
                    f"teacher {number} ({_describe(net)}) does not match teacher 1 "
                    f"({_describe(members[0])}): an ensemble's members need the same planes, "
                    "board and outputs"
                )
            net.to(device).eval().requires_grad_(False)
        self.members = list(members)
        self.device = device

    @torch.no_grad()
    def soft_policy(self, x: torch.Tensor, temperature: float) -> torch.Tensor:
        """[B, M]: the mean over members of softmax(logits / T)."""
        probs = [F.softmax(net(x) / temperature, dim=1) for net in self.members]
        return torch.stack(probs).mean(dim=0)

    @torch.no_grad()
    def value(self, x: torch.Tensor) -> torch.Tensor:
        """[B]: the members' mean value."""
        return torch.stack([net(x) for net in self.members]).mean(dim=0)

    @torch.no_grad()
    def features(self, x: torch.Tensor, layer: str) -> torch.Tensor:
        """The first member's output of ``layer`` (the FitNets hint)."""
        return forward_to(self.members[0], layer, x)


LossFn = Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], torch.Tensor]


def kd_loss_fn(teacher: Teacher, config: DistillConfig, policy: bool) -> LossFn:
    """(student, planes, targets) -> the minibatch's KD loss (targets: moves or results)."""
    temperature, w, r = config.temperature, config.soft_weight, config.result_weight

    def policy_loss(net: torch.nn.Module, x: torch.Tensor, moves: torch.Tensor) -> torch.Tensor:
        probs = teacher.soft_policy(x, temperature) if w > 0 else moves  # unused when w == 0
        return kd_loss(net(x), probs, moves, temperature, w)

    def value_loss(net: torch.nn.Module, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        v = net(x)
        soft = F.mse_loss(v, teacher.value(x)) if r < 1 else v.new_zeros(())
        return (1.0 - r) * soft + r * F.mse_loss(v, z)

    return policy_loss if policy else value_loss


def _check_student(student: Net, teacher: Teacher) -> str:
    """``policy``, ``value`` or ``zero`` (policy and value on Zero planes): what the student
    is. Raises ValueError on a mismatch."""
    s, t = student.config, teacher.members[0].config
    if not (isinstance(student, PolicyNet | ValueNet) or is_zero_net(student)):
        raise ValueError(
            "distill takes an AlphaGo policy or value net, or a Zero net (policy and value on "
            "AlphaGo Zero planes), as student"
        )
    if (s.in_planes, s.board_size, s.outputs) != (t.in_planes, t.board_size, t.outputs):
        raise ValueError(
            f"the student ({s.outputs}, {s.in_planes} planes, {s.board_size}x{s.board_size}) "
            f"does not match the teacher ({t.outputs}, {t.in_planes} planes, "
            f"{t.board_size}x{t.board_size})"
        )
    return (
        "zero" if is_zero_net(student) else "policy" if isinstance(student, PolicyNet) else "value"
    )


@dataclass(frozen=True)
class KdParts:
    """What differs between kinds of student: the data, the loss and the measurements."""

    data: StageData
    """The training split in memory."""
    count: int
    """Its positions."""
    evaluate: Callable[[Net], dict[str, float]]
    """A net's held-out metrics."""
    loss: LossFn
    """(student, planes, targets) -> the minibatch's loss."""
    teacher_metrics: Callable[[], dict[str, float]]
    """The teacher's held-out metrics (the same keys)."""


@dataclass(frozen=True)
class _Run:
    """What both stages share."""

    teacher: Teacher
    config: DistillConfig
    data: StageData
    evaluate: Callable[[Net], dict[str, float]]
    log_dir: Path | None
    progress: bool
    device: torch.device


def folders_of(data: str | Path | Sequence[str | Path]) -> list[Path]:
    """``data`` as a list of folders (one folder or several)."""
    return [Path(data)] if isinstance(data, str | Path) else [Path(f) for f in data]


def hints_trainer_path(out: Path) -> Path:
    """``X.hints.trainer.pt``: the hint stage's trainer for ``out`` = ``X.safetensors``."""
    return out.with_suffix(".hints.trainer.pt")


def _hint_stage(run: _Run, student: Net, out: Path) -> Trainer:
    """FitNets stage 1 up to ``hint_steps`` (resumed from ``X.hints.trainer.pt``)."""
    config = run.config
    paths = replace(StagePaths.of(out), trainer=hints_trainer_path(out))
    stage = replace(config.training, steps=config.hint_steps)
    guided = config.student_layer or middle_layer(student)
    hinted = config.teacher_layer or middle_layer(run.teacher.members[0])
    shape = (1, student.config.in_planes, student.config.board_size, student.config.board_size)
    student.to(run.device)
    reg = regressor(
        channels_at(student, guided, shape), channels_at(run.teacher.members[0], hinted, shape)
    )
    extra: dict[str, torch.nn.Module] = {"regressor": reg.to(run.device)}
    if paths.trainer.exists():
        trainer = load_trainer(paths.trainer, train_config_of(stage), run.device, extra)
    else:
        optimizer = make_optimizer(trained_modules(student, extra), train_config_of(stage))
        rng = np.random.default_rng(stage.seed)
        trainer = Trainer(student, optimizer, rng, 0, extra)
    trained = trainer.extra["regressor"]

    def loss(net: torch.nn.Module, x: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return hint_loss(forward_to(net, guided, x), run.teacher.features(x, hinted), trained)

    run_training(
        trainer, stage, run.data, loss, paths,
        evaluate=run.evaluate, log_dir=run.log_dir, progress=run.progress, device=run.device,
    )  # fmt: skip
    return trainer


def _kd_trainer(run: _Run, student: Net, out: Path) -> Trainer:
    """Stage 2's trainer: resumed, or after the hint stage (new optimiser), or new."""
    paths = StagePaths.of(out)
    if run.config.hint_steps == 0 or paths.trainer.exists():
        return open_trainer(paths, student, run.config.training, run.device)
    hinted = _hint_stage(run, student, out)
    optimizer = make_optimizer(hinted.net, train_config_of(run.config.training))
    return Trainer(hinted.net, optimizer, hinted.rng, hinted.step)


def distill(
    student: Net,
    teacher: Net | Sequence[Net],
    data: str | Path | Sequence[str | Path],
    config: DistillConfig,
    *,
    out: str | Path,
    log_dir: str | Path | None = None,
    progress: bool = False,
) -> tuple[Net, DistillReport]:
    """Distill ``teacher`` (a net or an ensemble, unchanged) into ``student`` on ``data``.

    Args:
        student: a PolicyNet or ValueNet, or a Zero PolicyValueNet, on the teacher's planes and
            board (trained in place).
        teacher: the frozen teacher(s).
        data: a folder of ``sl`` shards (``igo data import``); held-out ones measure the curve.
            A Zero student reads them as Zero planes, and takes a Zero run's ``replay/``
            folder too, or several folders (``igo.compress.distill_zero``).
        config: the losses and the training.
        out: the student's checkpoint ``X.safetensors`` (its trainer files beside it). A finished
            run is not redone: its checkpoint and report are read back.
        log_dir: ``train.csv`` and ``heldout.csv`` (the curve) and TensorBoard (None: none).
        progress: show a progress bar.

    Returns:
        The trained student (on the CPU, eval mode) and its report.

    Raises:
        ValueError: bad data, a student that does not fit the teacher, an unknown layer.
    """
    from igo.nn.checkpoint import load_checkpoint

    start = time.perf_counter()
    paths = StagePaths.of(out)
    done = paths.finished()
    if done is not None:
        return load_checkpoint(paths.out), DistillReport(**done)
    device = resolve_device("auto")
    members = list(teacher) if isinstance(teacher, Sequence) else [teacher]
    with torch_threads(config.training.torch_threads):
        run_teacher = Teacher(members, device)
        kind = _check_student(student, run_teacher)
        if kind == "zero":  # imported here: distill_zero builds on this module's pieces
            from igo.compress.distill_zero import zero_parts

            parts = zero_parts(run_teacher, student, data, config, progress)
        else:
            from igo.compress.distill_alphago import alphago_parts

            parts = alphago_parts(run_teacher, kind == "policy", student, data, config)
        run = _Run(run_teacher, config, parts.data, parts.evaluate,
                   Path(log_dir) if log_dir else None, progress, device)  # fmt: skip
        if not (paths.trainer.exists() or hints_trainer_path(paths.out).exists()):
            forget_best(paths.out)  # a new run: an earlier run's best save is not its own
        trainer = _kd_trainer(run, student, paths.out)
        evaluate = keeping_best(run.evaluate, paths.out, lambda: trainer.step)
        run_training(
            trainer, config.training, parts.data, parts.loss, paths,
            evaluate=evaluate, log_dir=run.log_dir, progress=progress, device=device,
        )  # fmt: skip
        report = DistillReport(
            steps=trainer.step,
            hint_steps=config.hint_steps,
            train_positions=parts.count,
            student=run.evaluate(trainer.net),
            teacher=parts.teacher_metrics(),
            seconds=time.perf_counter() - start,
            best=read_best(paths.out) or {},
        )
    net = trainer.net.cpu().eval()
    paths.finish(net, asdict(report), SimpleNamespace(**asdict(config)), "distill")
    hints_trainer_path(paths.out).unlink(missing_ok=True)
    return net, report
