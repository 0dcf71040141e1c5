"""int8 static post-training quantization through ONNX Runtime's quantizer.

The net is exported to ONNX (``igo.nn.onnx_graph.export_onnx``, batch norm folded), the graph is
pre-processed (shape inference, graph optimisation: ``quant_pre_process``) and then
``onnxruntime.quantization.quantize_static`` inserts QuantizeLinear / DequantizeLinear pairs
(QDQ format) around every convolution and matrix product. Activation ranges come from running
the fp32 graph on real positions (a ``CalibrationDataReader`` over their planes); weights are
int8 per output channel. ONNX Runtime then runs the int8 kernels (VNNI where the CPU has it).
This is the maintained path; torch's eager ``torch.ao.quantization`` is deprecated.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from igo.extras import COMPRESS_EXTRA, require
from igo.nn.cpu_features import int8_support
from igo.nn.net import Net
from igo.nn.onnx_graph import INPUT, export_onnx


@dataclass(frozen=True)
class Int8StaticConfig:
    """int8 static quantization of weights and activations, calibrated on real positions."""

    calibration_batch: int = 32
    """Positions per calibration run of the fp32 graph."""
    calibrate_method: Literal["minmax", "entropy", "percentile"] = "minmax"
    """How activation ranges are chosen from the calibration runs (ONNX Runtime's methods)."""
    per_channel: bool = True
    """Weights with one scale per output channel (else one per tensor)."""
    reduce_range: bool = False
    """7-bit weights: avoids the int16 overflow of u8 x s8 products on CPUs without VNNI."""

    def __post_init__(self) -> None:
        if self.calibration_batch < 1:
            raise ValueError(f"calibration_batch must be >= 1, got {self.calibration_batch}")


def int8_reduce_range(flags: list[str] | None = None) -> bool:
    """Whether int8 weights should be 7-bit on this CPU (``flags``: /proc/cpuinfo's by default):
    yes without VNNI, where ONNX Runtime widens u8 x s8 products to int16 sums that saturate
    with 8-bit weights (the shipped Zero net's top move agreed with fp32 on 87.3% of positions
    with 8-bit weights, 95.5% with 7-bit, on an AVX2 EPYC: docs/compression.md)."""
    return not int8_support(flags).startswith("VNNI")


def require_quantizer() -> Any:
    """ONNX Runtime's quantization module (MissingExtraError without the ``compress`` extra)."""
    require("onnx", "int8 quantization", extra=COMPRESS_EXTRA)
    return require("onnxruntime.quantization", "int8 quantization", "onnxruntime", COMPRESS_EXTRA)


def _reader(quant: Any, groups: list[np.ndarray], batch: int) -> Any:
    """ONNX Runtime's ``CalibrationDataReader`` over groups of planes (one per board size): one
    feed dict per batch of a group, then None (defined here: its base class comes from the
    optional extra)."""

    class Batches(quant.CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self._feeds: Iterator[dict[str, np.ndarray]] = (
                {INPUT: np.ascontiguousarray(planes[i : i + batch], dtype=np.float32)}
                for planes in groups
                for i in range(0, len(planes), batch)
            )

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._feeds, None)

    return Batches()


def quantize_int8_static(
    net: Net, planes: np.ndarray | Sequence[np.ndarray], config: Int8StaticConfig
) -> bytes:
    """``net`` as an int8 ONNX graph, its activation ranges calibrated on ``planes``.

    Args:
        net: the fp32 net (unchanged).
        planes: float32 [B, C, N, N] real positions (a few hundred are plenty), or one such
            array per board size for a net with pooled heads, whose graph plays every size
            (``igo.compress.positions.load_positions_by_size``).
        config: the quantizer's settings.

    Returns:
        The quantized graph's bytes.
    """
    quant = require_quantizer()
    groups = [planes] if isinstance(planes, np.ndarray) else list(planes)
    if sum(len(group) for group in groups) == 0:
        raise ValueError("int8 calibration needs at least one position")
    methods = {
        "minmax": quant.CalibrationMethod.MinMax,
        "entropy": quant.CalibrationMethod.Entropy,
        "percentile": quant.CalibrationMethod.Percentile,
    }
    reader = _reader(quant, groups, config.calibration_batch)
    with tempfile.TemporaryDirectory(prefix="igo-int8-") as tmp:
        fp32, prepared, int8 = (Path(tmp) / n for n in ("fp32.onnx", "pre.onnx", "int8.onnx"))
        fp32.write_bytes(export_onnx(net))
        quant.quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
        quant.quantize_static(
            str(prepared),
            str(int8),
            reader,
            quant_format=quant.QuantFormat.QDQ,
            per_channel=config.per_channel,
            reduce_range=config.reduce_range,
            activation_type=quant.QuantType.QUInt8,
            weight_type=quant.QuantType.QInt8,
            calibrate_method=methods[config.calibrate_method],
        )
        return int8.read_bytes()
