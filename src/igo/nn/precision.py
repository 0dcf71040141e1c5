"""Which precision a net runs in: fp32, or bf16 / fp16 autocast where the hardware makes it fast.

| device                      | ``"auto"`` (fp32 or bf16 checkpoint) | ``"auto"``, fp16 checkpoint |
|-----------------------------|--------------------------------------|-----------------------------|
| CUDA with bf16 (Ampere on)  | bf16 autocast                        | fp16 autocast               |
| CUDA without bf16           | fp16 autocast                        | fp16 autocast               |
| CPU with AMX-BF16           | bf16 autocast                        | fp32 (fp16 has no fast path)|
| CPU without (AVX2, AVX-512) | fp32                                 | fp32                        |

On a CPU with AMX (Sapphire Rapids on) bf16 was 2.5-4.3x faster than fp32 for ``resnet_b6c64``
at batch 32+; without it torch converts to fp32 and back around every kernel and bf16 is 6-9x
*slower* (docs/compression.md), so ``auto`` keeps fp32 there. A checkpoint stored in 16 bits
(``igo compress quantize --method bf16|fp16``) says so in its JSON (``precision``); ``auto`` runs
it in those 16 bits where that is fast and in fp32 elsewhere, with one info line on stderr.
The flags come from ``igo.nn.cpu_features`` (tests monkeypatch ``cpu_features.cpu_flags``).
"""

from __future__ import annotations

import sys
from typing import Literal

import torch

from igo.nn import cpu_features

Precision = Literal["auto", "float32", "bfloat16", "float16"]
PrecisionChoice = Literal["auto", "fp32", "bf16"]
"""What a pipeline's config and ``--precision`` flag take."""
CHOICES: dict[str, Precision] = {"auto": "auto", "fp32": "float32", "bf16": "bfloat16"}
"""``--precision`` spelling -> ``Precision``."""
_DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}
_SHORT = {None: "fp32", torch.bfloat16: "bf16", torch.float16: "fp16"}
_told: set[str] = set()


def amx_bf16() -> bool:
    """Whether this CPU computes bf16 natively with AMX (its flags say ``amx_bf16``)."""
    return "amx_bf16" in cpu_features.cpu_flags()


def resolve_precision(
    device: torch.device, precision: Precision = "auto", stored: str | None = None
) -> torch.dtype | None:
    """The autocast dtype, or None for plain fp32 (see the module's table).

    Args:
        device: where the net runs.
        precision: ``auto`` or an explicit dtype name, honoured on any device.
        stored: the checkpoint's ``precision`` (``bfloat16``, ``float16``; None: fp32).
    """
    if precision == "float32":
        return None
    if precision in _DTYPES:
        return _DTYPES[precision]
    if precision != "auto":
        raise ValueError(f"unknown precision {precision!r}")
    if device.type == "cuda":
        if stored == "float16" or not torch.cuda.is_bf16_supported():
            return torch.float16
        return torch.bfloat16
    if device.type == "cpu" and stored != "float16" and amx_bf16():
        return torch.bfloat16
    if stored in _DTYPES:
        _tell_once(f"igo: a {stored} checkpoint runs in fp32 here: {_why_not(stored)}")
    return None


def explain_precision(device: torch.device, precision: Precision, stored: str | None = None) -> str:
    """What ``resolve_precision`` chose and why, for a log line (``bf16 autocast (auto: ...)``)."""
    dtype = resolve_precision(device, precision, stored)
    chosen = _SHORT[dtype] + (" autocast" if dtype is not None else "")
    if precision != "auto":
        return f"{chosen} (asked for)"
    if device.type == "cuda":
        return f"{chosen} (auto: CUDA)"
    if dtype is not None:
        return f"{chosen} (auto: this CPU has amx_bf16)"
    return f"{chosen} (auto: {_why_not(stored or 'bfloat16')})"


def _why_not(stored: str) -> str:
    if stored == "float16":
        return "fp16 has no fast path on this CPU"
    return f"no AMX-BF16 on this CPU; bf16 there is {cpu_features.bf16_support()}"


def _tell_once(line: str) -> None:
    if line not in _told:
        _told.add(line)
        print(line, file=sys.stderr)
