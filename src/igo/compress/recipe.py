"""``igo compress quantize``: a checkpoint in, its quantized checkpoint out, with a report.

``quantize_checkpoint`` checks everything it can before the work (the method, the output's
suffix and folder, the optional packages, calibration data where the method needs it), loads the
net, quantizes it, writes the result atomically and measures it against the original on the
positions given (``--calibration``: int8 calibrates on their training split, every method is
measured on the held-out one; a folder with one split serves both): top-1 agreement, value
error, file sizes.

With ``qat`` (``--qat-steps N --data FOLDER``) a ``wN`` method is quantization-aware trained
(``qat.py``: an AlphaGo policy net on the moves of ``sl`` shards, a Zero net towards its own fp32
outputs on ``sl`` shards or a Zero run's ``replay/``) on ``data`` before it is written; the
positions measured are then ``data``'s held-out ones unless ``--calibration`` names another
folder.

A net with pooled heads plays every size: given a mixed run's replay, int8 calibrates on
``positions`` of each size it holds (each size's activation ranges seen; the graph keeps a free
board size), and every method is measured on each size's held-out games (``by_size``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from igo.compress.compare import Agreement, compare
from igo.compress.int8 import Int8StaticConfig, int8_reduce_range, require_quantizer
from igo.compress.positions import Positions, holds_sl_shards, load_positions_by_size
from igo.compress.prune_recipe import RetrainConfig, check_finished
from igo.compress.prune_train import check_retrainable
from igo.compress.prune_zero import is_zero_net
from igo.compress.qat import QatConfig, quantization_aware_train
from igo.compress.quantize import Quantized, WeightOnlyConfig, get_method, quantize
from igo.files import check_creatable
from igo.nn.checkpoint import config_path, load_checkpoint
from igo.nn.cpu_features import bf16_support, int8_support
from igo.nn.inference import TorchEvaluator
from igo.nn.net import Net
from igo.nn.onnx_graph import is_onnx_checkpoint


@dataclass(frozen=True)
class QuantizeReport:
    """What ``quantize_checkpoint`` wrote and how close it stays to the original."""

    method: str
    """The method's name (``w4``, ``int8``...)."""
    out: Path
    """The written checkpoint (weights or graph; its JSON beside it)."""
    bytes_before: int
    """Size of the original's weights file."""
    bytes_after: int
    """Size of the written weights or graph."""
    agreement: Agreement | None
    """Against the original on the calibration folder's positions (None: no folder given); of
    the net's own size where the folder holds several."""
    qat_steps: int = 0
    """Quantization-aware training steps (0: rounded after training, as the other methods)."""
    by_size: dict[int, Agreement] = field(default_factory=dict)
    """Against the original on each board size measured (a pooled net on a mixed replay)."""
    reduce_range: bool = False
    """int8 with 7-bit weights (``Int8StaticConfig.reduce_range``)."""


def _check_out(method: str, out: Path, calibrated: bool, calibration: str | None) -> None:
    if calibrated and calibration is None:
        raise ValueError(
            f"--method {method} calibrates on real positions: give --calibration FOLDER "
            "(sl shards of igo data import, or a Zero run's replay/ folder)"
        )
    onnx = method == "int8"
    if onnx != is_onnx_checkpoint(out):
        wanted = "an .onnx file" if onnx else "a .safetensors file, not .onnx"
        raise ValueError(f"--out {out}: --method {method} writes {wanted}")
    check_creatable(out)
    if onnx:
        require_quantizer()


def _check_qat(method: str, config: Any, qat: RetrainConfig, data: str | None) -> QatConfig:
    if not isinstance(config, WeightOnlyConfig):
        raise ValueError(f"--qat-steps trains through low-bit weights: a wN method, not {method}")
    if data is None:
        raise ValueError(
            "--qat-steps trains on data: give --data FOLDER (sl shards of igo data import, or "
            "a Zero run's replay/ for a Zero net)"
        )
    if not Path(data).is_dir():
        raise ValueError(f"--data {data}: no such folder (sl shards or a Zero run's replay/)")
    return QatConfig(config, qat)


def _check_trainable(net: Net, method: str, data: str) -> None:
    """An AlphaGo policy net retrains on sl shards, a Zero net on sl shards or a replay."""
    if is_zero_net(net):  # a Zero net trains on its own outputs
        return
    check_retrainable(
        net,
        advice=f"quantize it with --method {method} without --qat-steps",
        trains="AlphaGo policy nets (48 planes) and Zero nets",
    )
    if not holds_sl_shards(Path(data)):
        raise ValueError(
            f"--data {data}: no sl shards (igo data import), which an AlphaGo policy net "
            "trains on (a Zero run's replay/ trains Zero nets)"
        )


def _measured(
    folder: str, net: Net, positions: int, seed: int, calibrated: bool
) -> tuple[list[Positions] | None, dict[int, Positions]]:
    """(``positions`` training positions of each size for calibration, if wanted; as many
    held-out ones of each size to measure on)."""
    found = None
    if calibrated:  # calibrate on training games, measure on held-out ones
        train = load_positions_by_size(folder, net.config, positions, seed, "train", each=True)
        found = list(train.values())
    held = load_positions_by_size(folder, net.config, positions, seed, "heldout", each=True)
    return found, held


def quantize_checkpoint(
    source: str | Path,
    out: str | Path,
    method: str,
    calibration: str | None = None,
    positions: int = 512,
    seed: int = 0,
    *,
    qat: RetrainConfig | None = None,
    data: str | None = None,
    reduce_range: bool | None = None,
    progress: bool = False,
) -> QuantizeReport:
    """Quantize the checkpoint ``source`` with ``method`` into ``out``.

    Args:
        source: a torch checkpoint (``X.safetensors`` with ``X.json``).
        out: the result: ``.safetensors`` (fp16, bf16, wN) or ``.onnx`` (int8), JSON beside it.
        method: a registered method (``igo.compress.list_methods()``).
        calibration: a folder of positions (sl shards or a replay folder): int8's calibration,
            and the positions every method is measured on.
        positions: how many positions to read from it (of each size it holds that the net
            plays: a net with pooled heads plays every size).
        seed: which ones.
        qat: quantization-aware training of a ``wN`` method (None or 0 steps: none).
        data: what QAT trains on (and measures on, without ``calibration``): sl shards, or a
            Zero run's replay/ folder for a Zero net (every size it holds, for pooled heads).
        reduce_range: int8 with 7-bit weights (``Int8StaticConfig.reduce_range``); None: int8
            picks them where this CPU has no VNNI (``int8_reduce_range``), other methods none.
        progress: a progress bar while training.

    Raises:
        ValueError: an unknown method, a bad checkpoint, missing calibration data or extra.
        OSError: an output that cannot be written.
    """
    chosen = get_method(method)
    if isinstance(chosen.config, Int8StaticConfig):
        wanted = int8_reduce_range() if reduce_range is None else reduce_range
        chosen = replace(chosen, config=replace(chosen.config, reduce_range=wanted))
    elif reduce_range is not None:
        raise ValueError(f"--reduce-range/--full-range are int8's, not {method}'s")
    target = Path(out)
    trained = _check_qat(method, chosen.config, qat, data) if qat and qat.steps else None
    _check_out(method, target, chosen.calibrated, calibration)
    if is_onnx_checkpoint(source):
        raise ValueError(f"--from {source}: quantize a torch checkpoint, not an ONNX graph")
    net = load_checkpoint(source)
    if trained is not None:
        assert data is not None
        _check_trainable(net, method, data)
    found: list[Positions] | None = None
    held: dict[int, Positions] = {}
    measured_on = calibration if calibration is not None or trained is None else data
    if measured_on is not None:
        found, held = _measured(measured_on, net, positions, seed, chosen.calibrated)
    extra = {"compress": {"method": method, "source": str(source), **asdict(chosen.config)}}
    quantized: Quantized
    target.parent.mkdir(parents=True, exist_ok=True)
    if trained is None:
        quantized = quantize(net, chosen.config, found)
        quantized.save(target, extra)
    else:
        assert data is not None
        extra["compress"]["qat_steps"] = trained.training.steps
        check_finished(target, extra, trained.training.steps)
        result = quantization_aware_train(
            net, trained, data, target, extra=extra, progress=progress
        )
        quantized = result.quantized
    by_size = _compare(net, quantized, held)
    main = by_size.get(net.config.board_size, next(iter(by_size.values()), None))
    size = Path(source).stat().st_size
    steps = 0 if trained is None else trained.training.steps
    return QuantizeReport(
        method, target, size, target.stat().st_size, main, steps,
        by_size if len(by_size) > 1 else {},
        getattr(chosen.config, "reduce_range", False),
    )  # fmt: skip


def _compare(net: Net, quantized: Quantized, held: dict[int, Positions]) -> dict[int, Agreement]:
    """``quantized`` against ``net`` on each size's positions (one runner for every size)."""
    if not held:
        return {}
    # The original in fp32 whatever the CPU ("auto" is bf16 on AMX): the reference is exact.
    original, runner = TorchEvaluator(net, device="cpu", precision="float32"), quantized.runner()
    return {n: compare(original, runner, p) for n, p in held.items()}


def describe_report(report: QuantizeReport) -> str:
    """The report as the CLI prints it."""
    ratio = report.bytes_after / max(report.bytes_before, 1)
    trained = f" after {report.qat_steps} steps of QAT" if report.qat_steps else ""
    lines = [
        f"{report.method}{trained}: wrote {report.out} (+ {config_path(report.out).name}): "
        f"{report.bytes_after:,} bytes, {ratio:.1%} of the original's {report.bytes_before:,}"
    ]
    if report.method in ("fp16", "bf16"):
        lines.append(f"bf16 on this CPU: {bf16_support()}")
    if report.method == "int8":
        bits = "7-bit (--full-range: 8)" if report.reduce_range else "8-bit (--reduce-range: 7)"
        lines.append(f"int8 on this CPU: {int8_support()}; weights {bits}")
    if report.by_size:
        for n, a in report.by_size.items():
            lines += _agreement_lines(a, f"{n}x{n} ")
    elif report.agreement is not None:
        lines += _agreement_lines(report.agreement, "")
    return "\n".join(lines)


def _agreement_lines(a: Agreement, board: str) -> list[str]:
    """The policy's and the value's lines of an agreement (``board``: ``13x13 `` or nothing)."""
    lines = []
    if a.top1_agreement == a.top1_agreement:  # not NaN: the net has a policy head
        lines.append(
            f"{board}policy on {a.positions} positions: top-1 agreement with the original "
            f"{a.top1_agreement:.1%}; top-1 on the moves played {a.top1_true:.1%} "
            f"(original {a.reference_top1_true:.1%})"
        )
    if a.value_mse == a.value_mse:
        lines.append(
            f"{board}value on {a.positions} positions: MSE to the results {a.value_mse:.4f} "
            f"(original {a.reference_value_mse:.4f}), largest change {a.max_value_error:.4f}"
        )
    return lines
