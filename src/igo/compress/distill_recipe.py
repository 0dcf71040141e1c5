"""``igo compress distill``: teacher checkpoints in, a distilled student checkpoint out.

``distill_checkpoint`` checks what it can before the work (the output, the teachers, the
student: a registry variant built on the teacher's planes and board, or a checkpoint), then runs
``igo.compress.distill`` and reports the student's and the teacher's held-out metrics and
FLOPs. Rerunning the same command resumes a killed run (its trainer files sit beside ``--out``)
and returns a finished one's report without training.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from igo.compress.distill import DistillConfig, DistillReport, distill, folders_of
from igo.compress.distill_best import best_path
from igo.files import check_creatable
from igo.nn.checkpoint import load_checkpoint
from igo.nn.flops import count_flops
from igo.nn.net import Net, NetConfig
from igo.nn.onnx_graph import is_onnx_checkpoint
from igo.nn.registry import create_net


@dataclass(frozen=True)
class DistillSummary:
    """What ``distill_checkpoint`` wrote and measured."""

    out: Path
    """The student's checkpoint."""
    report: DistillReport
    """Its held-out metrics beside the teacher's."""
    student_flops: int
    """FLOPs of one forward pass of the student on one position."""
    teacher_flops: int
    """The same for the teacher (an ensemble: all its members)."""


def flops_of(net: Net) -> int:
    """FLOPs of one forward pass of ``net`` on one position (2 per multiply-add)."""
    c = net.config
    return count_flops(net, (1, c.in_planes, c.board_size, c.board_size))


def load_teacher(path: str) -> Net:
    """A teacher checkpoint (torch, not an ONNX graph). Raises ValueError for a bad one."""
    if is_onnx_checkpoint(path):
        raise ValueError(f"--teacher {path}: distill from a torch checkpoint, not an ONNX graph")
    try:
        return load_checkpoint(path)
    except (ValueError, OSError) as err:  # say which of the teachers it was
        raise ValueError(f"--teacher {path}: {err}") from err


def build_student(
    student: str, teacher: NetConfig, seed: int, overrides: dict[str, Any] | None = None
) -> Net:
    """The student: the checkpoint ``student`` (a ``.safetensors`` path), or the registry variant
    ``student`` on the teacher's planes, board and outputs, with ``overrides`` (blocks,
    channels, norm...), its weights seeded by ``seed``.

    Raises:
        ValueError: an unknown variant or field, or a checkpoint that cannot be read.
    """
    if student.endswith(".safetensors") or Path(student).is_file():
        if overrides:
            raise ValueError(
                "--blocks, --channels and --norm shape a new student, not a checkpoint"
            )
        return load_checkpoint(student)
    torch.manual_seed(seed)
    shape = {"board_size": teacher.board_size, "in_planes": teacher.in_planes}
    try:
        return create_net(student, outputs=teacher.outputs, **shape, **(overrides or {}))
    except KeyError as err:  # an unknown variant: the registry's message names close ones
        raise ValueError(f"--student {student}: {err.args[0]}") from None


def distill_checkpoint(
    teachers: Sequence[str],
    student: str,
    data: str | Path | Sequence[str | Path],
    out: str | Path,
    config: DistillConfig,
    *,
    overrides: dict[str, Any] | None = None,
    log_dir: str | Path | None = None,
    progress: bool = False,
) -> DistillSummary:
    """Distill the ``teachers`` checkpoints into ``student`` on ``data``.

    Args:
        teachers: one checkpoint or several (an ensemble).
        student: a registry variant (shaped by ``overrides``) or a student checkpoint.
        data: a folder of ``sl`` shards (``igo data import``); for a Zero student also a Zero
            run's ``replay/`` folder, or several folders (the first one's held-out split
            measures).
        out: the student's checkpoint (``.safetensors``, its JSON beside it).
        config: the losses and the training.
        overrides: fields of a new student's config (blocks, channels, norm).
        log_dir: the curve (``heldout.csv``) and the training log; None: ``X.logs`` beside
            ``out``.
        progress: a progress bar.

    Raises:
        ValueError: a bad checkpoint, student, config or data folder.
        OSError: an output that cannot be written.
    """
    target = Path(out)
    if target.suffix != ".safetensors":
        raise ValueError(f"--out {target}: the student is written as a .safetensors checkpoint")
    check_creatable(target)
    if not teachers:
        raise ValueError("give at least one --teacher checkpoint")
    nets = [load_teacher(path) for path in teachers]
    net = build_student(student, nets[0].config, config.training.seed, overrides)
    for folder in folders_of(data):
        if not folder.is_dir():
            raise ValueError(
                f"--data {folder}: no such folder of sl shards (write it with igo data import) "
                "or replay games (a Zero run's replay/)"
            )
    logs = Path(log_dir) if log_dir is not None else target.with_suffix(".logs")
    trained, report = distill(net, nets, data, config, out=target, log_dir=logs, progress=progress)
    return DistillSummary(
        target, report, flops_of(trained), sum(flops_of(teacher) for teacher in nets)
    )


def _best_text(best: dict[str, float]) -> str:
    if "agree" in best:
        return f"agreement {best['agree']:.1%}"
    return f"top-1 {best['top1']:.1%}" if "top1" in best else f"value MSE {best['mse']:.4f}"


def describe_summary(summary: DistillSummary) -> str:
    """The summary as the CLI prints it."""
    r = summary.report
    share = summary.student_flops / max(summary.teacher_flops, 1)
    lines = [
        f"wrote {summary.out} after {r.steps} steps ({r.hint_steps} of FitNets hints) on "
        f"{r.train_positions:,} positions",
        f"FLOPs per position: student {summary.student_flops / 1e6:.2f} M, teacher "
        f"{summary.teacher_flops / 1e6:.2f} M ({share:.1%})",
    ]
    if "agree" in r.student:
        lines.append(
            f"held-out: student's top move is the teacher's in {r.student['agree']:.1%}; value "
            f"MSE to the teacher's {r.student['mse_teacher']:.4f}, to the results "
            f"{r.student['mse']:.4f} (teacher {r.teacher['mse']:.4f})"
        )
    if r.best:
        lines.append(
            f"best held-out save: step {r.best['step']:.0f} ({_best_text(r.best)}) -> "
            f"{best_path(summary.out)}"
        )
    if "top1" in r.student:
        kept = r.student["top1"] / r.teacher["top1"] if r.teacher["top1"] > 0 else float("nan")
        lines.append(
            f"held-out top-1: student {r.student['top1']:.1%}, teacher {r.teacher['top1']:.1%} "
            f"({kept:.1%} kept); top-5 {r.student['top5']:.1%} vs {r.teacher['top5']:.1%}"
        )
    else:
        lines.append(
            f"held-out value MSE: student {r.student['mse']:.4f}, teacher {r.teacher['mse']:.4f}"
        )
    return "\n".join(lines)
