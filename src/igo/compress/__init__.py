"""Layer 9, compression: quantization as transforms of the networks, measured on real positions.

``quantize(net, config, calibration)`` takes a frozen config per method (``HalfConfig``,
``WeightOnlyConfig``, ``Int8StaticConfig``; by name: ``get_method("w4").config``) and returns a
``Quantized`` with a runner (to measure or play) and ``save`` (an ordinary checkpoint, or an
``.onnx`` graph with its JSON, that players load). ``load_positions`` reads held-out or
calibration positions (sl shards, a replay folder); ``compare`` measures a quantized net against
its original. Quantization-aware training: ``quantization_aware_train(net, QatConfig(...),
shards, out)`` fine-tunes through ``WeightOnlyConfig``'s rounding (``igo compress quantize
--qat-steps``). Pruning: ``magnitude_prune(net, MagnitudePruneConfig(alpha))`` (Han et al. 2015;
retraining with the mask fixed in ``prune_train``) and ``channel_prune(net,
ChannelPruneConfig(keep))`` (whole filters: a narrower net); ``igo compress prune`` is
``prune_recipe``. ``distill(student, teacher, data, config)`` trains a small student on a frozen
teacher's (or an ensemble's) soft outputs, optionally after FitNets hints (``DistillConfig``);
``distill_recipe`` is ``igo compress distill``.
"""

from igo.compress.compare import Agreement, compare
from igo.compress.distill import DistillConfig, DistillReport, Teacher, distill, kd_loss
from igo.compress.int8 import Int8StaticConfig, quantize_int8_static
from igo.compress.positions import Positions, load_positions
from igo.compress.prune import MagnitudePruneConfig, MagnitudePruned, magnitude_prune
from igo.compress.prune_structured import ChannelPruneConfig, ChannelPruned, channel_prune
from igo.compress.qat import QatConfig, QatResult, quantization_aware_train
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
    "ChannelPruneConfig",
    "ChannelPruned",
    "MagnitudePruneConfig",
    "MagnitudePruned",
    "channel_prune",
    "magnitude_prune",
    "DistillConfig",
    "DistillReport",
    "HalfConfig",
    "Int8StaticConfig",
    "Method",
    "Positions",
    "QatConfig",
    "QatResult",
    "quantization_aware_train",
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
