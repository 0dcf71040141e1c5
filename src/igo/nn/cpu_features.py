"""The CPU's SIMD features that decide which precision is fast: bf16 and int8 need native support.

bf16 matrix products are native with AMX (``amx_bf16``, Sapphire Rapids on) or AVX-512 BF16
(``avx512_bf16``); on AVX2-only CPUs torch converts to fp32 and back around every kernel, which is
slower than fp32 itself. int8 products are fast with VNNI (``avx512_vnni``, ``avx_vnni``) or AMX
int8; without it ONNX Runtime's u8 x s8 kernels widen to int16 (still often faster than fp32).
"""

from __future__ import annotations

_FAMILIES = ("avx", "fma", "amx")


def cpu_flags() -> list[str]:
    """The SIMD extensions of /proc/cpuinfo (avx*, fma, amx*), sorted; [] where unreadable."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return sorted(f for f in flags if f.startswith(_FAMILIES))
    except OSError:
        pass
    return []


def bf16_support(flags: list[str] | None = None) -> str:
    """How this CPU computes bf16: ``native (amx_bf16)``, ``native (avx512_bf16)`` or
    ``emulated (no AMX or AVX-512 BF16: slower than fp32)``."""
    found = cpu_flags() if flags is None else flags
    native = [f for f in ("amx_bf16", "avx512_bf16") if f in found]
    if native:
        return f"native ({native[0]})"
    return "emulated (no AMX or AVX-512 BF16: slower than fp32)"


def int8_support(flags: list[str] | None = None) -> str:
    """How this CPU computes int8 products: ``VNNI (...)`` or ``no VNNI (AVX2 int16 widening)``."""
    found = cpu_flags() if flags is None else flags
    native = [f for f in ("amx_int8", "avx512_vnni", "avx_vnni") if f in found]
    if native:
        return f"VNNI ({native[0]})"
    return "no VNNI (AVX2 int16 widening)"
