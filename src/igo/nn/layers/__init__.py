"""Building blocks shared by the bodies: norms, conv-norm-act, separable, dilated, SE."""

from igo.nn.layers.conv_norm_act import ActFn, ConvNormAct, NormActConv, same_padding
from igo.nn.layers.dilated import GatedConv2d, doubling_dilations, receptive_field
from igo.nn.layers.norm import NORM_NAMES, NormFn, create_norm, group_count, norm_fn
from igo.nn.layers.separable import SeparableConv2d
from igo.nn.layers.squeeze_excite import SqueezeExcite

__all__ = [
    "NORM_NAMES",
    "ActFn",
    "ConvNormAct",
    "GatedConv2d",
    "NormActConv",
    "NormFn",
    "SeparableConv2d",
    "SqueezeExcite",
    "create_norm",
    "doubling_dilations",
    "group_count",
    "norm_fn",
    "receptive_field",
    "same_padding",
]
