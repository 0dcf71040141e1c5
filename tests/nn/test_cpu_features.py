"""Which precisions the CPU computes natively, from its flags."""

from __future__ import annotations

from igo.nn.cpu_features import bf16_support, cpu_flags, int8_support


def test_bf16_and_int8_support_follow_the_flags() -> None:
    assert bf16_support(["avx", "avx2", "fma"]).startswith("emulated")
    assert bf16_support(["avx2", "avx512_bf16"]) == "native (avx512_bf16)"
    assert bf16_support(["amx_bf16", "amx_tile", "avx512_bf16"]) == "native (amx_bf16)"
    assert int8_support(["avx2"]).startswith("no VNNI")
    assert int8_support(["avx2", "avx_vnni"]) == "VNNI (avx_vnni)"


def test_this_machines_flags_are_simd_ones() -> None:
    assert all(flag.startswith(("avx", "fma", "amx")) for flag in cpu_flags())
    assert bf16_support().split()[0] in ("native", "emulated")
