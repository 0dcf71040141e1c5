"""Low-bit weights: symmetric per-output-channel quantization and its bit-packed storage.

A weight of a convolution or a fully connected layer (a ``*.weight`` tensor of 2 or more
dimensions) becomes, for ``bits`` b in 2..8, integers q in [-(2^(b-1) - 1), 2^(b-1) - 1] and one
fp32 scale per output channel (row 0 of the tensor): w ~ q * scale, scale = max|w| / (2^(b-1) - 1)
over the channel (symmetric, so 0 stays exactly 0; 2 bits is ternary: -1, 0, 1). Biases and norm
parameters stay fp32: they are a few hundred numbers against the weights' hundreds of thousands.

Stored (``checkpoint.save_checkpoint(..., weight_bits=b)``), each quantized tensor ``name`` is
``name`` = its integers offset to 0..2^b - 2 and packed b bits each into a uint8 vector, and
``name.scale`` = the scales, so a 4-bit checkpoint is about an eighth of the fp32 one.
``unpack_state`` turns them back into fp32 tensors (q * scale) that load into an ordinary net.

Quantization-aware training (``igo.compress.qat``) runs a net through the same grid:
``fake_quantized_forward`` replaces every such weight by ``fake_quantize_ste`` of it, whose
backward is the straight-through estimator (the rounding's gradient taken as 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch.func import functional_call

BITS = (2, 3, 4, 5, 6, 8)
"""The weight widths igo stores (the seed's low-bit-weight table: 4, 5, 6; and 2, 3, 8)."""
SCALE_SUFFIX = ".scale"
"""The key of a packed tensor's per-channel scales: its own key plus this."""


def is_quantized_weight(name: str, tensor: torch.Tensor) -> bool:
    """Whether a state-dict entry is a conv or linear weight, which low-bit storage quantizes."""
    return name.endswith(".weight") and tensor.dim() >= 2 and tensor.is_floating_point()


def check_bits(bits: int) -> int:
    """``bits`` if igo stores that width, else ValueError naming the widths it does."""
    if bits not in BITS:
        raise ValueError(f"weight bits must be one of {BITS}, not {bits}")
    return bits


def quantize_weight(weight: torch.Tensor, bits: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(integers int8 of ``weight``'s shape, fp32 scales [out_channels]): symmetric, per channel.

    A channel of zeros gets scale 1 (its integers are 0 whatever the scale).
    """
    qmax = 2 ** (check_bits(bits) - 1) - 1
    w = weight.detach().float()
    peak = w.abs().reshape(w.shape[0], -1).amax(dim=1)
    scale = torch.where(peak > 0, peak / qmax, torch.ones_like(peak))
    shape = (-1,) + (1,) * (w.dim() - 1)
    q = torch.clamp(torch.round(w / scale.reshape(shape)), -qmax, qmax).to(torch.int8)
    return q, scale


def dequantize_weight(q: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """fp32 ``q * scale``, the scales broadcast over each output channel."""
    return q.float() * scale.reshape((-1,) + (1,) * (q.dim() - 1))


def fake_quantize(weight: torch.Tensor, bits: int) -> torch.Tensor:
    """``weight`` rounded to the ``bits``-wide grid, as fp32: what a stored checkpoint loads as."""
    return dequantize_weight(*quantize_weight(weight, bits))


class _StraightThrough(torch.autograd.Function):
    """``fake_quantize`` forward; the incoming gradient passed through unchanged backward."""

    @staticmethod
    def forward(ctx: Any, weight: torch.Tensor, bits: int) -> torch.Tensor:
        return fake_quantize(weight, bits).to(weight.dtype)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad, None


def fake_quantize_ste(weight: torch.Tensor, bits: int) -> torch.Tensor:
    """``fake_quantize(weight, bits)`` with the straight-through estimator as its gradient.

    The grid spans each channel's largest weight, so no weight is clipped: d(rounded)/d(weight)
    taken as 1 everywhere is the whole estimator (Bengio, Leonard and Courville 2013).
    """
    out: torch.Tensor = _StraightThrough.apply(weight, bits)  # type: ignore[no-untyped-call]
    return out


def fake_quantized_forward(module: torch.nn.Module, x: torch.Tensor, bits: int) -> Any:
    """``module(x)`` with every conv / linear weight on the ``bits`` grid (straight-through).

    The module keeps its own fp32 weights (``torch.func.functional_call`` substitutes the rounded
    ones for this call only); its norms' running statistics update as in an ordinary call. In
    eval mode the result is what the ``weight_bits=bits`` checkpoint of ``module`` computes.
    """
    check_bits(bits)
    rounded = {
        name: fake_quantize_ste(param, bits)
        for name, param in module.named_parameters()
        if is_quantized_weight(name, param)
    }
    return functional_call(module, rounded, (x,))


def pack_bits(q: torch.Tensor, bits: int) -> torch.Tensor:
    """Integers in [-(2^(b-1) - 1), 2^(b-1) - 1] as a uint8 vector, ``bits`` bits each."""
    qmax = 2 ** (check_bits(bits) - 1) - 1
    offset = (q.reshape(-1).numpy().astype(np.int16) + qmax).astype(np.uint8)
    planes = np.unpackbits(offset[:, None], axis=1)[:, 8 - bits :]
    return torch.from_numpy(np.packbits(planes.reshape(-1)))


def unpack_bits(packed: torch.Tensor, bits: int, shape: tuple[int, ...]) -> torch.Tensor:
    """``pack_bits``' inverse: int8 integers of ``shape``."""
    qmax = 2 ** (check_bits(bits) - 1) - 1
    count = int(np.prod(shape))
    flat = np.unpackbits(packed.numpy())[: count * bits].reshape(count, bits)
    full = np.zeros((count, 8), dtype=np.uint8)
    full[:, 8 - bits :] = flat
    values = np.packbits(full, axis=1)[:, 0].astype(np.int16) - qmax
    return torch.from_numpy(values.astype(np.int8).reshape(shape))


def pack_state(
    state: Mapping[str, torch.Tensor], bits: int
) -> tuple[dict[str, torch.Tensor], dict[str, list[int]]]:
    """(tensors to store, {packed name: its shape}): every quantized weight of ``state`` packed
    with its scales, the rest as fp32."""
    tensors: dict[str, torch.Tensor] = {}
    shapes: dict[str, list[int]] = {}
    for name, tensor in state.items():
        t = tensor.detach().cpu()
        if is_quantized_weight(name, t):
            q, scale = quantize_weight(t, bits)
            tensors[name], tensors[name + SCALE_SUFFIX] = pack_bits(q, bits), scale
            shapes[name] = list(t.shape)
        else:
            tensors[name] = t.float() if t.is_floating_point() else t
    return tensors, shapes


def unpack_state(
    tensors: Mapping[str, torch.Tensor], bits: int, shapes: Mapping[str, list[int]]
) -> dict[str, torch.Tensor]:
    """``pack_state``'s tensors back as fp32 state-dict entries.

    Raises:
        ValueError: a packed tensor or its scales missing or of the wrong size.
    """
    state = {k: v for k, v in tensors.items() if not _is_scale(k, shapes)}
    for name, shape in shapes.items():
        packed, scale = tensors.get(name), tensors.get(name + SCALE_SUFFIX)
        if packed is None or scale is None:
            raise ValueError(f"packed weight {name} or its scales are missing")
        size = (int(np.prod(shape)) * bits + 7) // 8
        if packed.dtype != torch.uint8 or packed.numel() != size or scale.numel() != shape[0]:
            raise ValueError(f"packed weight {name} does not hold {bits}-bit {shape}")
        state[name] = dequantize_weight(unpack_bits(packed, bits, tuple(shape)), scale)
    return state


def _is_scale(key: str, shapes: Mapping[str, list[int]]) -> bool:
    return key.endswith(SCALE_SUFFIX) and key.removesuffix(SCALE_SUFFIX) in shapes
