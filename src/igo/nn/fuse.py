"""Inference transforms: fold batch norm into the conv before it, and let ReLUs work in place.

In eval mode a batch norm is a fixed per-channel affine map, ``y = gamma * (x - mean) / sqrt(var
+ eps) + beta``, so after a convolution it can be folded into the convolution's weights and bias
(Jacob et al. 2018, section 3.2): with ``s = gamma / sqrt(var + eps)``,

    W' = W * s[:, None, None, None]        b' = (b - mean) * s + beta

One conv then does the work of conv + norm, saving a full pass over the activations per layer.

A norm is folded wherever its input is a ``Conv2d`` output that nothing else reads. Modules are
traced with ``torch.fx`` to see that data flow (so a pre-activation block's second norm folds into
the conv before it, across ``nn.Sequential`` boundaries); a module that cannot be traced (a net's
forward checks its input shape in Python) is handled child by child, and the untraceable rest
by ``nn.Sequential`` order alone. A norm that reads a block's input (the first norm of a
pre-activation block, which the shortcut also reads) stays, as do group, layer and instance norms,
which depend on the input.

``relu_inplace_`` then lets every ReLU that reads a fresh tensor nothing else reads (a conv,
norm or add output) overwrite it, saving an allocation and a pass over memory per layer.
"""

from __future__ import annotations

import copy
import operator

import torch
from torch import fx, nn


def fuse_conv_bn_weights(conv: nn.Conv2d, norm: nn.BatchNorm2d) -> nn.Conv2d:
    """A new conv equal to ``norm(conv(x))`` with ``norm`` in eval mode.

    Args:
        conv: the convolution; left unchanged.
        norm: the batch norm after it, over ``conv.out_channels`` channels; left unchanged.

    Returns:
        A ``Conv2d`` with a bias, on the conv's device and dtype, no gradients required.
    """
    if norm.running_mean is None or norm.running_var is None:
        raise ValueError("batch norm without running statistics cannot be folded")
    if norm.num_features != conv.out_channels:
        raise ValueError(f"norm has {norm.num_features} channels, conv {conv.out_channels}")
    fused = nn.Conv2d(
        conv.in_channels,
        conv.out_channels,
        conv.kernel_size,  # type: ignore[arg-type]
        stride=conv.stride,  # type: ignore[arg-type]
        padding=conv.padding,  # type: ignore[arg-type]
        dilation=conv.dilation,  # type: ignore[arg-type]
        groups=conv.groups,
        padding_mode=conv.padding_mode,
        device="meta",  # its parameters are replaced below: no need to initialise them
    )
    with torch.no_grad():
        scale = torch.rsqrt(norm.running_var.double() + norm.eps)
        if norm.weight is not None:
            scale = scale * norm.weight.double()
        bias = conv.bias.double() if conv.bias is not None else torch.zeros_like(scale)
        shift = (bias - norm.running_mean.double()) * scale
        if norm.bias is not None:
            shift = shift + norm.bias.double()
        weight = conv.weight.double() * scale.reshape(-1, 1, 1, 1)
        fused.weight = nn.Parameter(weight.to(conv.weight.dtype), requires_grad=False)
        fused.bias = nn.Parameter(shift.to(conv.weight.dtype), requires_grad=False)
    return fused


def _private_output(node: fx.Node, modules: dict[str, nn.Module], kind: type) -> bool:
    """``node`` calls a ``kind`` module that no other node calls, and one node reads its output."""
    if node.op != "call_module" or type(modules.get(str(node.target))) is not kind:
        return False
    calls = [n for n in node.graph.nodes if n.op == "call_module" and n.target == node.target]
    return len(calls) == 1 and len(node.users) == 1


def _fold_graph_(graph_module: fx.GraphModule) -> int:
    """Fold each batch norm of a traced module into the conv whose private output it reads.

    ``nn.Identity`` calls (the norm slot of ``norm="none"``) are dropped first, so that a conv
    and what reads its output become neighbours.
    """
    modules = dict(graph_module.named_modules())
    for node in list(graph_module.graph.nodes):
        if node.op == "call_module" and type(modules.get(str(node.target))) is nn.Identity:
            node.replace_all_uses_with(node.args[0])
            graph_module.graph.erase_node(node)
    count = 0
    for node in list(graph_module.graph.nodes):
        norm = modules.get(str(node.target)) if node.op == "call_module" else None
        if type(norm) is not nn.BatchNorm2d or not norm.track_running_stats:
            continue
        source = node.args[0]
        if not isinstance(source, fx.Node) or not _private_output(source, modules, nn.Conv2d):
            continue
        fused = fuse_conv_bn_weights(modules[str(source.target)], norm)
        parent, _, name = str(source.target).rpartition(".")
        setattr(graph_module.get_submodule(parent) if parent else graph_module, name, fused)
        node.replace_all_uses_with(source)
        graph_module.graph.erase_node(node)
        count += 1
    graph_module.graph.lint()
    graph_module.delete_all_unused_submodules()
    graph_module.recompile()
    return count


def _trace(module: nn.Module) -> fx.GraphModule | None:
    """``module`` traced by ``torch.fx``, or None where Python control flow reads its input."""
    try:
        traced = fx.symbolic_trace(module)
    except Exception:  # fx raises TraceError, TypeError, AttributeError, ... on control flow
        return None
    # Attributes that readers of a body expect (``out_channels``) survive the tracing.
    for key, value in vars(module).items():
        if not key.startswith("_") and key not in vars(traced) and key != "training":
            setattr(traced, key, value)
    return traced


def _fuse_(module: nn.Module) -> nn.Module:
    """Fold what a trace of ``module`` shows, else recurse into its children; returns the new
    module (the same object when it could not be traced)."""
    traced = _trace(module)
    if traced is not None:
        _fold_graph_(traced)
        return traced
    for name, child in list(module.named_children()):
        setattr(module, name, _fuse_(child))
    if isinstance(module, nn.Sequential):
        _fuse_sequential_(module)
    return module


def _fuse_sequential_(seq: nn.Sequential) -> int:
    """Fold every (Conv2d, BatchNorm2d) pair of ``seq``'s direct children; count of pairs."""
    names = list(seq._modules)
    count = 0
    for first, second in zip(names, names[1:], strict=False):
        conv, norm = seq._modules[first], seq._modules[second]
        if type(conv) is nn.Conv2d and type(norm) is nn.BatchNorm2d:
            if norm.track_running_stats and norm.running_mean is not None:
                seq._modules[first] = fuse_conv_bn_weights(conv, norm)
                seq._modules[second] = nn.Identity()
                count += 1
    return count


def fuse_conv_bn(module: nn.Module) -> nn.Module:
    """An eval-mode copy of ``module`` with each conv -> batch norm pair folded into one conv.

    The copy computes what ``module.eval()`` computes (to float rounding; about 1e-6 relative)
    and is meant for inference only: its folded convs have no norm left to train.

    Args:
        module: any module (a net from ``create_net``); left unchanged.

    Returns:
        The folded copy, in eval mode, with ``requires_grad`` off everywhere.
    """
    fused = _fuse_(copy.deepcopy(module).eval()).eval()
    for param in fused.parameters():
        param.requires_grad_(False)
    return fused


def count_batch_norms(module: nn.Module) -> int:
    """``BatchNorm2d`` layers left in ``module`` (0 after folding a post-activation net)."""
    return sum(1 for m in module.modules() if isinstance(m, nn.BatchNorm2d))


_FRESH_MODULES = (nn.Conv2d, nn.BatchNorm2d, nn.GroupNorm, nn.Linear)
"""Modules whose output is a new tensor (never a view of their input)."""
_FRESH_FUNCTIONS = {operator.add, operator.mul, torch.add, torch.mul, torch.cat}
"""Functions whose output is a new tensor."""


def _fresh_private(node: fx.Node, modules: dict[str, nn.Module]) -> bool:
    """``node`` makes a new tensor that only one node reads (so that node may overwrite it)."""
    if len(node.users) != 1:
        return False
    if node.op == "call_function":
        return node.target in _FRESH_FUNCTIONS
    return node.op == "call_module" and isinstance(modules.get(str(node.target)), _FRESH_MODULES)


def relu_inplace_(module: nn.Module) -> int:
    """Let each ``nn.ReLU`` that reads a fresh, private tensor overwrite it; count of ReLUs.

    Only a tensor nothing else reads may be overwritten: a ReLU reading a block's input, which
    the shortcut still needs, must keep it. Traced submodules are checked through their graphs
    (a ReLU after a conv, a norm or an add), the rest by ``nn.Sequential`` order (a conv, then
    only Identities, then the ReLU).
    """
    count = 0
    for sub in module.modules():
        if isinstance(sub, fx.GraphModule):
            count += _relu_inplace_graph_(sub)
        elif isinstance(sub, nn.Sequential):
            children = [m for m in sub if not isinstance(m, nn.Identity)]
            for before, act in zip(children, children[1:], strict=False):
                if isinstance(before, nn.Conv2d) and type(act) is nn.ReLU:
                    act.inplace = True
                    count += 1
    return count


def _relu_inplace_graph_(graph_module: fx.GraphModule) -> int:
    modules = dict(graph_module.named_modules())
    count = 0
    for node in graph_module.graph.nodes:
        act = modules.get(str(node.target)) if node.op == "call_module" else None
        if type(act) is not nn.ReLU:
            continue
        source = node.args[0]
        if isinstance(source, fx.Node) and _fresh_private(source, modules):
            calls = [n for n in graph_module.graph.nodes if n.target == node.target]
            if len(calls) == 1:
                act.inplace = True
                count += 1
    return count
