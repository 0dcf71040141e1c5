"""``igo compress prune``: a checkpoint in, its pruned (and retrained) checkpoint out, measured.

``prune_checkpoint`` checks what it can before any work (one method, alpha or keep in range, the
output's suffix and folder, the data folder where retraining needs it), loads the net, prunes it
(magnitude: ``prune.py``; structured: ``prune_structured.py``), retrains it on the ``sl`` shards
when asked (``prune_train.py``, a Zero net on a replay folder: ``prune_zero.py``; resumable,
the mask fixed), writes it atomically as an ordinary
checkpoint and measures the policy's top-1 on the held-out positions of the data folder: the
original's, the pruned net's before retraining, and after.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from igo.compress.compare import compare
from igo.compress.positions import Positions, load_positions
from igo.compress.prune import MagnitudePruneConfig, magnitude_prune
from igo.compress.prune_structured import ChannelPruneConfig, channel_prune, check_supported
from igo.compress.prune_train import check_retrainable, retrain_policy
from igo.compress.prune_zero import is_zero_net, retrain_zero
from igo.files import check_creatable
from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.nn.inference import TorchEvaluator
from igo.nn.net import Net
from igo.nn.onnx_graph import is_onnx_checkpoint
from igo.train.alphago.sl_policy_stage import SlConfig


@dataclass(frozen=True)
class RetrainConfig:
    """How a pruned policy net is retrained on sl shards (0 steps: not at all)."""

    steps: int = 0
    """SGD steps (the seed retrains; 0 keeps the pruned weights as they are)."""
    learning_rate: float = 0.01
    """Initial rate (dropped tenfold at 70% of the steps): lower than training from scratch."""
    batch_size: int = 128
    """Positions per minibatch."""
    seed: int = 0
    """Seeds the minibatches and their symmetries."""

    def __post_init__(self) -> None:
        if self.steps < 0:
            raise ValueError(f"--retrain-steps must be >= 0, got {self.steps}")

    def stage(self) -> SlConfig:
        """The SL stage's config for this retraining (one thread: the shared machine)."""
        return SlConfig(
            steps=max(1, self.steps),
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            seed=self.seed,
            torch_threads=1,
            checkpoint_every=min(100, max(1, self.steps)),
        )


@dataclass(frozen=True)
class PruneReport:
    """What ``prune_checkpoint`` did and measured (NaN: not measured)."""

    method: str
    """``magnitude`` or ``structured``."""
    out: Path
    """The written checkpoint."""
    pruning: dict[str, Any]
    """Magnitude: removed, total, fraction, net_params, layers; structured: widths, params."""
    positions: int = 0
    """Held-out positions measured (0: no data folder)."""
    top1_original: float = math.nan
    """The original's policy top-1 on the moves played."""
    top1_pruned: float = math.nan
    """The pruned net's, before retraining."""
    top1_retrained: float = math.nan
    """After retraining (NaN: none)."""
    retrain_steps: int = 0
    """Steps retrained."""
    extra: dict[str, Any] = field(default_factory=dict)
    """What went into the checkpoint's JSON."""


def _check_args(out: Path, alpha: float | None, keep: float | None, steps: int, data: Any) -> None:
    if (alpha is None) == (keep is None):
        raise ValueError("give --alpha A (magnitude pruning) or --structured (channel pruning)")
    if alpha is not None:
        MagnitudePruneConfig(alpha)
    if keep is not None:
        ChannelPruneConfig(keep)
    if steps and data is None:
        raise ValueError("--retrain-steps trains on sl shards: give --data FOLDER")
    if data is not None and not Path(data).is_dir():
        raise ValueError(f"--data {data}: no such folder of sl shards (igo data import)")
    if out.suffix != ".safetensors" or is_onnx_checkpoint(out):
        raise ValueError(f"--out {out}: a pruned net is written as a .safetensors checkpoint")
    check_creatable(out)


def check_finished(out: Path, extra: dict[str, Any], steps: int) -> None:
    """A finished retraining into ``out`` is read back, not redone: only if it is this one
    (the same ``extra["compress"]`` and steps); ValueError otherwise."""
    json_path = out.with_suffix(".json")
    if not (out.exists() and out.with_suffix(".report.json").exists() and json_path.exists()):
        return
    saved = json.loads(json_path.read_text(encoding="utf-8")).get("extra", {})
    if saved.get("compress") != extra["compress"] or saved.get("retrain", {}).get("steps") != steps:
        raise ValueError(
            f"--out {out} already holds another compression or retraining; delete it (and "
            f"{out.with_suffix('.report.json').name}) or choose another --out"
        )


def _top1(reference: Net, net: Net, held: Positions | None) -> float:
    if held is None:
        return math.nan
    # Both in fp32 whatever the CPU ("auto" is bf16 on AMX): the measurement is the nets' own.
    return compare(
        TorchEvaluator(reference, "cpu", precision="float32"),
        TorchEvaluator(net, "cpu", precision="float32"),
        held,
    ).top1_true


def prune_checkpoint(
    source: str | Path,
    out: str | Path,
    *,
    alpha: float | None = None,
    keep: float | None = None,
    norm: str = "l1",
    retrain: RetrainConfig | None = None,
    data: str | Path | None = None,
    positions: int = 4000,
    progress: bool = False,
) -> PruneReport:
    """Prune the checkpoint ``source`` into ``out`` (by ``alpha``, or structured to ``keep``).

    Args:
        source: a torch checkpoint (``X.safetensors`` with ``X.json``).
        out: the pruned checkpoint (``.safetensors``; JSON beside it).
        alpha: magnitude pruning's threshold in standard deviations per layer.
        keep: structured pruning's share of channels kept.
        norm: the filter norm structured pruning ranks by (l1 or l2).
        retrain: retraining on ``data`` (None or 0 steps: none): AlphaGo policy nets on sl
            shards, Zero nets on a replay folder (``prune_zero.py``).
        data: sl shards or a Zero run's replay folder: held-out positions measured, training
            ones retrained on.
        positions: held-out positions measured.
        progress: a progress bar while retraining.

    Raises:
        ValueError: bad arguments, a bad checkpoint or data folder, an unsupported net.
        OSError: an output that cannot be written.
    """
    retrain = retrain or RetrainConfig()
    target = Path(out)
    _check_args(target, alpha, keep, retrain.steps, data)
    if is_onnx_checkpoint(source):
        raise ValueError(f"--from {source}: prune a torch checkpoint, not an ONNX graph")
    original = load_checkpoint(source).eval()
    if keep is not None:
        check_supported(original.config)
    if retrain.steps and not is_zero_net(original):
        check_retrainable(original)
    held = None
    if data is not None:
        held = load_positions(data, original.config, positions, split="heldout")
    if alpha is not None:
        magnitude = magnitude_prune(original, MagnitudePruneConfig(alpha))
        pruned, masks, info = magnitude.net, magnitude.masks, magnitude.to_dict()
        method = "magnitude"
        info["alpha"] = alpha
    else:
        assert keep is not None
        config = ChannelPruneConfig(keep, "l2" if norm == "l2" else "l1")
        structured = channel_prune(original, config)
        pruned, masks, method = structured.net.eval(), None, "structured"
        info = {k: v for k, v in asdict(structured).items() if k != "net"} | asdict(config)
    extra = {"compress": {"method": f"prune-{method}", "source": str(source), **info}}
    top1_original = _top1(original, original, held)
    top1_pruned = _top1(original, pruned, held)
    top1_retrained = math.nan
    if retrain.steps:
        assert data is not None
        check_finished(target, extra, retrain.steps)
        train = retrain_zero if is_zero_net(original) else retrain_policy
        train(pruned, masks, data, target, retrain.stage(), extra=extra, progress=progress)
        top1_retrained = _top1(original, load_checkpoint(target).eval(), held)
    else:
        save_checkpoint(pruned, target, extra=extra)
    count = 0 if held is None else len(held)
    return PruneReport(
        method,
        target,
        info,
        count,
        top1_original,
        top1_pruned,
        top1_retrained,
        retrain.steps,
        extra,
    )


def describe_prune(report: PruneReport) -> str:
    """The report as the CLI prints it."""
    info = report.pruning
    if report.method == "magnitude":
        lines = [
            f"magnitude pruning, alpha {info['alpha']}: removed {info['removed']:,} of "
            f"{info['total']:,} conv and fc weights ({info['fraction']:.2%})"
        ]
        lines += [
            f"  {x['name']}: {x['removed']:,} of {x['total']:,} ({x['removed'] / x['total']:.1%})"
            for x in info["layers"]
        ]
    else:
        lines = [
            f"structured pruning ({info['norm']}): {info['channels_before']} -> "
            f"{info['channels_after']} channels, {info['params_before']:,} -> "
            f"{info['params_after']:,} parameters"
        ]
    lines.append(f"wrote {report.out} (+ {report.out.with_suffix('.json').name})")
    if report.positions:
        line = (
            f"policy top-1 on {report.positions} held-out positions: original "
            f"{report.top1_original:.1%}, pruned {report.top1_pruned:.1%}"
        )
        if report.retrain_steps:
            line += f", retrained {report.retrain_steps} steps {report.top1_retrained:.1%}"
        lines.append(line)
    return "\n".join(lines)
