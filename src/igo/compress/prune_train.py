"""Retraining a pruned or quantized policy net on ``sl`` shards: the SL policy stage's loop.

``retrain_policy(net, masks, shards, out, config)`` trains a (pruned) AlphaGo policy net on the
``sl`` shards' moves with the SL stage's pieces (``igo.train.alphago``: data, loss, loop, held-out
metrics) and writes its files the same way: ``out`` and its JSON when done, ``out.report.json``,
and while training the resumable ``out.trainer.pt`` (net, optimiser, step, sampler RNG; atomic).
With ``masks`` (magnitude pruning) a ``MaskKeeper`` keeps the removed weights exactly zero
through every step, and the masks are saved first to ``out.mask.safetensors``: a rerun resumes
from the trainer file only under the same masks. Without (structured pruning) it fine-tunes.
With ``weight_bits`` (quantization-aware training, ``qat.py``) every forward runs on the weights
rounded to that grid (``igo.nn.lowbit.fake_quantized_forward``, straight-through gradients to
the fp32 weights the trainer keeps), the held-out metrics are the rounded net's, and ``out`` is
the ``weight_bits`` checkpoint: the rounding the training saw, packed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from igo.compress.prune import MaskKeeper
from igo.compress.quantize import TorchQuantized, WeightOnlyConfig, weight_only_transform
from igo.encode.alphago import NUM_PLANES
from igo.files import write_bytes_atomic, write_text_atomic
from igo.nn.checkpoint import save_checkpoint
from igo.nn.lowbit import fake_quantized_forward
from igo.nn.net import Net, PolicyNet
from igo.nn.threads import torch_threads
from igo.train.alphago.sl_policy_stage import (
    KIND,
    SlConfig,
    SlReport,
    policy_metrics,
)
from igo.train.alphago.supervised_data import (
    board_size_of,
    eval_subset,
    load_split_data,
    planes_from_examples,
    select,
)
from igo.train.alphago.supervised_loop import (
    LossFn,
    StageData,
    StagePaths,
    open_trainer,
    run_training,
)


def mask_path(out: str | Path) -> Path:
    """Where the masks of a retraining into ``out`` are kept."""
    return Path(out).with_suffix(".mask.safetensors")


def check_masks(path: Path, masks: Mapping[str, torch.Tensor]) -> None:
    """Write ``masks`` to ``path``, or check that those saved there by a killed run are these."""
    tensors = {k: v.to(torch.uint8).contiguous() for k, v in masks.items()}
    if path.exists():
        saved = load_safetensors(path.read_bytes())
        same = saved.keys() == tensors.keys() and all(
            torch.equal(saved[k], tensors[k]) for k in tensors
        )
        if not same:
            raise ValueError(
                f"{path} holds another pruning's masks (another checkpoint or alpha); delete it "
                "and the trainer file beside it to start again"
            )
        return
    write_bytes_atomic(path, save_safetensors(tensors))


def qat_path(out: str | Path) -> Path:
    """Where a quantization-aware training into ``out`` records what it trains (bits, source)."""
    return Path(out).with_suffix(".qat.json")


def check_qat_run(path: Path, identity: Mapping[str, Any]) -> None:
    """Write ``identity`` to ``path``, or check that a killed run's is the same (its trainer file
    holds weights trained through its own grid)."""
    text = json.dumps(identity, sort_keys=True, indent=1) + "\n"
    if path.exists():
        if json.loads(path.read_text(encoding="utf-8")) != json.loads(text):
            raise ValueError(
                f"{path} belongs to another quantization-aware training (another checkpoint or "
                "bits); delete it and the trainer file beside it to start again"
            )
        return
    write_text_atomic(path, text)


def check_retrainable(
    net: Net,
    shards_size: int | None = None,
    advice: str = "prune without --retrain-steps",
    trains: str = "AlphaGo policy nets (48 planes)",
) -> None:
    """Raise ValueError unless ``net`` is a policy net on AlphaGo's planes (what sl shards train),
    of the shards' board size when given. ``advice`` ends the message: what the user can do
    instead in the command that asked; ``trains`` says what the command does train."""
    if not isinstance(net, PolicyNet) or net.config.in_planes != NUM_PLANES:
        raise ValueError(
            f"retraining reads sl shards, so it trains {trains}; this is a "
            f"{type(net).__name__} on {net.config.in_planes} planes: {advice}"
        )
    if shards_size is not None and shards_size != net.config.board_size:
        raise ValueError(
            f"the shards hold {shards_size}x{shards_size} positions; the net plays "
            f"{net.config.board_size}x{net.config.board_size}"
        )


def _cross_entropy(model: torch.nn.Module, x: torch.Tensor, moves: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(model(x), moves)


def _quantized_cross_entropy(bits: int) -> LossFn:
    def loss(model: torch.nn.Module, x: torch.Tensor, moves: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(fake_quantized_forward(model, x, bits), moves)

    return loss


def measured_at(net: Net, bits: int | None) -> Net:
    """The net the metrics are of: ``net``, or its weights rounded to ``bits`` (a copy)."""
    if bits is None:
        return net
    rounded = weight_only_transform(net, WeightOnlyConfig(bits), None)
    assert isinstance(rounded, TorchQuantized)
    return rounded.net


def retrain_policy(
    net: Net,
    masks: Mapping[str, torch.Tensor] | None,
    shards: str | Path,
    out: str | Path,
    config: SlConfig,
    *,
    extra: Mapping[str, Any] | None = None,
    progress: bool = False,
    weight_bits: int | None = None,
) -> SlReport:
    """Train ``net`` (changed in place) for ``config.steps`` steps on the moves of ``shards``
    and save it to ``out``; with ``masks``, the removed weights stay zero; with ``weight_bits``,
    trained through that rounding and saved packed at that width.

    ``extra`` goes into the checkpoint's JSON beside the retraining's config and report.

    Returns:
        The SL stage's report: held-out top-1, top-5 and loss of the retrained net.

    Raises:
        ValueError: not a policy net on AlphaGo's planes, unusable shards, or a killed run's
            files that belong to another pruning.
    """
    paths = StagePaths.of(out)
    done = paths.finished()
    if done is not None:
        return SlReport(**done)
    check_retrainable(net)
    train, heldout = load_split_data(shards, KIND)
    check_retrainable(net, board_size_of(train))
    if masks is not None:
        paths.out.parent.mkdir(parents=True, exist_ok=True)
        check_masks(mask_path(out), masks)
    if weight_bits is not None:
        paths.out.parent.mkdir(parents=True, exist_ok=True)
        check_qat_run(qat_path(out), {"weight_bits": weight_bits, "extra": dict(extra or {})})
    held_planes, held_moves = _heldout(heldout, config.eval_positions)
    start = time.perf_counter()
    device = torch.device("cpu")
    with torch_threads(config.torch_threads):
        trainer = open_trainer(paths, net, config, device)
        keeper = MaskKeeper(trainer.net, trainer.optimizer, masks) if masks is not None else None
        planes = planes_from_examples(train, value_plane=False)
        data = StageData(planes, train["move"].astype(np.int64), moves=True)

        def evaluate(model: Net) -> dict[str, float]:
            return policy_metrics(measured_at(model, weight_bits), held_planes, held_moves, device)

        loss = _cross_entropy if weight_bits is None else _quantized_cross_entropy(weight_bits)
        run_training(
            trainer, config, data, loss, paths,
            evaluate=evaluate, log_dir=None, progress=progress, device=device,
        )  # fmt: skip
        if keeper is not None:
            keeper.close()
        report = SlReport(
            steps=trainer.step,
            train_positions=len(train["move"]),
            heldout_positions=0 if heldout is None else len(heldout["move"]),
            seconds=time.perf_counter() - start,
            **evaluate(trainer.net),
        )
    extra = {**dict(extra or {}), "retrain": {**asdict(config), **report.to_dict()}}
    save_checkpoint(trainer.net.eval(), paths.out, extra=extra, weight_bits=weight_bits)
    write_text_atomic(paths.report, json.dumps(report.to_dict(), indent=1) + "\n")
    paths.trainer.unlink(missing_ok=True)
    mask_path(out).unlink(missing_ok=True)
    qat_path(out).unlink(missing_ok=True)
    return report


def _heldout(heldout: dict[str, np.ndarray] | None, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Planes and moves of at most ``limit`` held-out positions (the choice ``load_positions``
    makes with seed 0); none without held-out shards."""
    if heldout is None:
        return np.zeros((0, NUM_PLANES, 1, 1), np.uint8), np.zeros(0, np.int64)
    chosen = select(heldout, eval_subset(len(heldout["move"]), limit, 0))
    return planes_from_examples(chosen, value_plane=False), chosen["move"].astype(np.int64)
