"""Parameter and FLOP counts of nets and modules, measured with ``FlopCounterMode``.

FLOPs here are PyTorch's: 2 per multiply-add of convolutions and matrix products (norms,
activations and additions are not counted), for one forward pass of one position. Nets are built
on the ``meta`` device, so even large variants are counted without allocating or computing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from igo.nn.registry import create_net, list_nets


@dataclass(frozen=True)
class NetCost:
    """Size and compute of one net variant at one board size."""

    name: str
    """Variant name (``list_nets()``)."""
    board_size: int
    """Board side N the cost was measured at."""
    num_params: int
    """Trainable parameters."""
    flops: int
    """FLOPs of one forward pass of one position (2 per multiply-add)."""


def count_params(module: nn.Module) -> int:
    """Parameters of ``module`` (shared tensors counted once)."""
    return sum(p.numel() for p in module.parameters())


def count_flops(module: nn.Module, input_shape: tuple[int, ...]) -> int:
    """FLOPs of one forward pass of ``module`` on a zero input of ``input_shape``.

    Args:
        module: any module; it is run in eval mode on an input on its own device.
        input_shape: e.g. ``(1, C, N, N)``.

    Returns:
        Total FLOPs counted by ``FlopCounterMode`` (2 per multiply-add).
    """
    param = next(module.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            module(torch.zeros(input_shape, device=device))
    finally:
        module.train(was_training)
    return int(counter.get_total_flops())


def net_cost(name: str, board_size: int = 9, **overrides: Any) -> NetCost:
    """Parameters and FLOPs of a registered variant, built on the meta device."""
    with torch.device("meta"):
        net = create_net(name, board_size=board_size, **overrides)
    config = net.config
    flops = count_flops(net, (1, config.in_planes, board_size, board_size))
    return NetCost(name, board_size, count_params(net), flops)


def cost_table(board_size: int = 9, pattern: str = "*") -> list[NetCost]:
    """``net_cost`` of every registered variant matching ``pattern``."""
    return [net_cost(name, board_size) for name in list_nets(pattern)]


def format_cost_table(costs: list[NetCost]) -> str:
    """A Markdown table of variants, parameters and MFLOPs."""
    lines = ["| variant | board | params | MFLOPs |", "|---|---|---:|---:|"]
    lines += [
        f"| {c.name} | {c.board_size}x{c.board_size} | {c.num_params:,} | {c.flops / 1e6:,.1f} |"
        for c in costs
    ]
    return "\n".join(lines)
