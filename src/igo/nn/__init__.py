"""Layer 2, networks: bodies, heads, the registry, checkpoints, inference, FLOPs and WaveNet.

Knows tensor shapes, not Go: board size and plane counts come in through ``NetConfig``, and
nothing outside ``igo.nn`` is imported. Start from ``list_nets()`` and ``create_net(name)``; each
family's config (``ResNetConfig``, ``DenseNetConfig``, ...) adds its body's fields to ``NetConfig``.
"""

from igo.nn.backbones.alphago import AlphaGoConfig
from igo.nn.backbones.densenet import DenseNetConfig
from igo.nn.backbones.dilated_resnet import DilatedConfig
from igo.nn.backbones.mobilenet import MobileNetConfig
from igo.nn.backbones.pyramidnet import PyramidConfig
from igo.nn.backbones.resnet import BottleneckConfig, PreActConfig, ResNetConfig
from igo.nn.backbones.wide_resnet import WideResNetConfig
from igo.nn.checkpoint import CheckpointError, load_checkpoint, load_weights_, save_checkpoint
from igo.nn.flops import count_flops, count_params, net_cost
from igo.nn.inference import TorchEvaluator
from igo.nn.layers.norm import NORM_NAMES, create_norm
from igo.nn.net import Net, NetConfig, PolicyNet, PolicyValueNet, ValueNet
from igo.nn.registry import (
    build_net,
    config_class,
    config_from_dict,
    create_net,
    list_families,
    list_nets,
    net_config,
    register_family,
    register_net,
)
from igo.nn.wavenet import WaveNet, mu_law_decode, mu_law_encode

__all__ = [
    "NORM_NAMES",
    "AlphaGoConfig",
    "BottleneckConfig",
    "DenseNetConfig",
    "DilatedConfig",
    "MobileNetConfig",
    "PreActConfig",
    "PyramidConfig",
    "ResNetConfig",
    "WideResNetConfig",
    "CheckpointError",
    "Net",
    "NetConfig",
    "PolicyNet",
    "PolicyValueNet",
    "TorchEvaluator",
    "ValueNet",
    "WaveNet",
    "build_net",
    "config_class",
    "config_from_dict",
    "count_flops",
    "count_params",
    "create_net",
    "create_norm",
    "list_families",
    "list_nets",
    "load_checkpoint",
    "load_weights_",
    "mu_law_decode",
    "mu_law_encode",
    "net_config",
    "net_cost",
    "register_family",
    "register_net",
    "save_checkpoint",
]
