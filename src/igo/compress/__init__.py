"""Layer 9, compression: quantization as transforms of the networks, measured on real positions.

``quantize(net, config, calibration)`` takes a frozen config per method (``HalfConfig``,
``WeightOnlyConfig``, ``Int8StaticConfig``; by name: ``get_method("w4").config``) and returns a
``Quantized`` with a runner (to measure or play) and ``save`` (an ordinary checkpoint, or an
``.onnx`` graph with its JSON, that players load). ``load_positions`` reads held-out or
calibration positions (sl shards, a replay folder); ``compare`` measures a quantized net against
its original. ``distill(student, teacher, data, config)`` trains a small student on a frozen
teacher's (or an ensemble's) soft outputs, optionally after FitNets hints (``DistillConfig``);
``distill_recipe`` is ``igo compress distill``. Pruning is a later part of issue 14.
"""

from igo.compress.compare import Agreement, compare
from igo.compress.distill import DistillConfig, DistillReport, Teacher, distill, kd_loss
from igo.compress.int8 import Int8StaticConfig, quantize_int8_static
from igo.compress.positions import Positions, load_positions
from igo.compress.quantize import (
    HalfConfig,
    Method,
    Quantized,
    WeightOnlyConfig,
    get_method,
    list_methods,
    quantize,
    register_method,
)

__all__ = [
    "Agreement",
    "DistillConfig",
    "DistillReport",
    "HalfConfig",
    "Int8StaticConfig",
    "Method",
    "Positions",
    "Quantized",
    "Teacher",
    "WeightOnlyConfig",
    "compare",
    "distill",
    "get_method",
    "kd_loss",
    "list_methods",
    "load_positions",
    "quantize",
    "quantize_int8_static",
    "register_method",
]
