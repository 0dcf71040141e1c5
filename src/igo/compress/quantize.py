"""Quantization as transforms, in torchao's ``quantize_`` style: a config in, a model out.

Each method is a frozen config dataclass and a registered transform (``register_method``,
``list_methods``, ``method_config``); ``quantize(net, config, calibration)`` returns a
``Quantized``: a runner to measure or play it, and ``save`` to write it as a checkpoint players
load (``--checkpoint OUT``). The net given is never changed.

| method         | config             | model                        | checkpoint                  |
|----------------|--------------------|------------------------------|-----------------------------|
| fp16, bf16     | HalfConfig         | weights rounded to 16 bits;  | fp16 / bf16 tensors (half   |
|                |                    | torch under autocast         | the size), loaded as fp32   |
| w2 .. w8       | WeightOnlyConfig   | weights on a symmetric       | packed b-bit integers and  |
|                |                    | per-channel b-bit grid       | fp32 scales (``lowbit``)    |
| int8           | Int8StaticConfig   | ONNX Runtime's static int8   | ``.onnx`` graph + ``.json`` |
|                |                    | graph (``int8.py``)          |                             |

int8 calibrates on ``Calibration``: one size's positions, or one ``Positions`` per size for a
net with pooled heads, whose graph plays every size (each size's activation ranges seen).
``Int8StaticConfig.reduce_range`` (7-bit weights) keeps ONNX Runtime's u8 x s8 kernel from
saturating on CPUs without VNNI (docs/compression.md).

bf16 is fast only where the CPU computes it natively (AMX or avx512_bf16: ``igo.bench.machine``
says which); elsewhere torch emulates it and it is slower than fp32. fp16 convolutions on CPU are
slower still. The weight-only methods save memory and disk, not time: the net runs in fp32 on
the rounded weights, which is what the seed's low-bit-weight table measures (accuracy by bits).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import torch

from igo.compress.int8 import Int8StaticConfig, quantize_int8_static
from igo.compress.positions import Positions
from igo.nn.checkpoint import save_checkpoint
from igo.nn.inference import NetRunner, TorchEvaluator, any_size
from igo.nn.lowbit import BITS, check_bits, fake_quantize, is_quantized_weight
from igo.nn.net import Net
from igo.nn.onnx_graph import OnnxEvaluator, save_onnx_checkpoint


@dataclass(frozen=True)
class HalfConfig:
    """16-bit inference: weights stored in 16 bits, the net run under autocast."""

    dtype: Literal["float16", "bfloat16"] = "bfloat16"
    """float16 (IEEE half: 10-bit mantissa, narrow range) or bfloat16 (fp32's range, 7 bits)."""


@dataclass(frozen=True)
class WeightOnlyConfig:
    """Weight-only low-bit quantization: symmetric, per output channel, fp32 activations."""

    bits: int = 8
    """Bits per conv / linear weight: 2, 3, 4, 5, 6 or 8."""

    def __post_init__(self) -> None:
        check_bits(self.bits)


QuantConfig = HalfConfig | WeightOnlyConfig | Int8StaticConfig


class Quantized(Protocol):
    """A quantized net: how to run it and how to store it."""

    def runner(self) -> NetRunner:
        """The quantized net on numpy planes (``TorchEvaluator``'s interface), on the CPU."""
        ...

    def save(self, path: str | Path, extra: dict[str, Any]) -> Path:
        """Write it as a checkpoint (atomically) that players load; returns the JSON path."""
        ...


@dataclass(frozen=True)
class TorchQuantized:
    """A torch net with rounded weights, run in fp32 or under 16-bit autocast."""

    net: Net
    """The net with its weights on the quantization grid (fp32 tensors)."""
    precision: Literal["float32", "float16", "bfloat16"] = "float32"
    """The autocast dtype it runs under."""
    weight_bits: int | None = None
    """The stored weights' width when packed (None: stored in ``precision``'s dtype)."""

    def runner(self) -> NetRunner:
        """A ``TorchEvaluator`` on the CPU with igo's fused fp32 path, under ``precision``."""
        return TorchEvaluator(self.net, device="cpu", precision=self.precision)

    def save(self, path: str | Path, extra: dict[str, Any]) -> Path:
        """A checkpoint: packed integers + scales, or 16-bit tensors, or fp32."""
        net = self.net
        if self.weight_bits is None and self.precision != "float32":
            net = copy.deepcopy(net).to(getattr(torch, self.precision))
        return save_checkpoint(net, path, extra=extra, weight_bits=self.weight_bits)


@dataclass(frozen=True)
class OnnxQuantized:
    """An ONNX graph of a net (int8 here)."""

    model: bytes
    """The graph."""
    net: Net
    """The fp32 net it came from (its config and description go into the JSON)."""

    def runner(self) -> NetRunner:
        """An ``OnnxEvaluator`` of the graph."""
        return OnnxEvaluator(self.model, self.net.config)

    def save(self, path: str | Path, extra: dict[str, Any]) -> Path:
        """``path`` (``.onnx``) and its JSON."""
        return save_onnx_checkpoint(self.model, self.net, path, extra=extra)


Calibration = Positions | Sequence[Positions]
"""Calibration positions: of one board size, or one ``Positions`` per size (a net with pooled
heads calibrated on every size it plays: ``load_positions_by_size(..., each=True)``)."""

Transform = Callable[[Net, Any, Calibration | None], Quantized]


@dataclass(frozen=True)
class Method:
    """A registered quantization method."""

    config: QuantConfig
    """Its config."""
    transform: Transform
    """net, config, calibration positions -> the quantized net."""
    calibrated: bool = False
    """Whether it needs calibration positions."""


_METHODS: dict[str, Method] = {}


def register_method(name: str, method: Method) -> None:
    """Register ``method`` under ``name`` (new)."""
    if name in _METHODS:
        raise ValueError(f"quantization method {name!r} is already registered")
    _METHODS[name] = method


def list_methods() -> list[str]:
    """The registered methods' names, in registration order."""
    return list(_METHODS)


def get_method(name: str) -> Method:
    """The method ``name``; ValueError naming the known ones."""
    if name not in _METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(_METHODS)}")
    return _METHODS[name]


def _rounded(net: Net, round_fn: Callable[[torch.Tensor], torch.Tensor]) -> Net:
    """A copy of ``net`` (fp32, CPU, eval) whose conv / linear weights went through ``round_fn``."""
    copied = copy.deepcopy(net).to("cpu").float().eval()
    with torch.no_grad():
        for name, tensor in copied.state_dict().items():
            if is_quantized_weight(name, tensor):
                tensor.copy_(round_fn(tensor))
    return copied


def half_transform(net: Net, config: HalfConfig, calibration: Calibration | None) -> Quantized:
    """``HalfConfig``: every parameter rounded to 16 bits (what the checkpoint holds)."""
    dtype = getattr(torch, config.dtype)
    copied = copy.deepcopy(net).to("cpu").to(dtype).float().eval()
    return TorchQuantized(copied, precision=config.dtype)


def weight_only_transform(
    net: Net, config: WeightOnlyConfig, calibration: Calibration | None
) -> Quantized:
    """``WeightOnlyConfig``: conv and linear weights on the b-bit per-channel grid."""
    rounded = _rounded(net, lambda w: fake_quantize(w, config.bits))
    return TorchQuantized(rounded, weight_bits=config.bits)


def int8_transform(
    net: Net, config: Int8StaticConfig, calibration: Calibration | None
) -> Quantized:
    """``Int8StaticConfig``: ONNX Runtime's static quantization, calibrated on ``calibration``
    (every size's activations, for a net with pooled heads given several)."""
    if calibration is None:
        raise ValueError("int8 static quantization needs calibration positions")
    groups = [calibration] if isinstance(calibration, Positions) else list(calibration)
    n = net.config.board_size
    if not any_size(net.config) and any(p.planes.shape[-1] != n for p in groups):
        raise ValueError(f"the net plays {n}x{n} only: calibrate it on {n}x{n} positions")
    return OnnxQuantized(quantize_int8_static(net, [p.planes for p in groups], config), net)


def quantize(net: Net, config: QuantConfig, calibration: Calibration | None = None) -> Quantized:
    """``net`` quantized as ``config`` says (the method registered with that config's type);
    ``calibration``: one size's positions, or one ``Positions`` per size it plays.

    Raises:
        ValueError: a method that needs calibration positions got none.
    """
    for method in _METHODS.values():
        if type(method.config) is type(config):
            return method.transform(net, config, calibration)
    raise ValueError(f"no quantization method takes a {type(config).__name__}")


register_method("fp16", Method(HalfConfig("float16"), half_transform))
register_method("bf16", Method(HalfConfig("bfloat16"), half_transform))
for _bits in BITS:
    register_method(f"w{_bits}", Method(WeightOnlyConfig(_bits), weight_only_transform))
register_method("int8", Method(Int8StaticConfig(), int8_transform, calibrated=True))
