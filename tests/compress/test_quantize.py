"""Every quantization method against the original net on real positions (the shipped AlphaGo
policy and value nets on GNU Go games): top-1 agreement and value error bounds per method, the
registry, and the checkpoints each method writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from igo.agents.nets import load_runner, shipped_weights
from igo.compress import (
    HalfConfig,
    WeightOnlyConfig,
    compare,
    get_method,
    list_methods,
    load_positions,
    quantize,
)
from igo.nn.checkpoint import load_checkpoint
from igo.nn.inference import TorchEvaluator

pytest.importorskip("onnxruntime")

POLICY = "alphago-9x9-policy.safetensors"
VALUE = "alphago-9x9-value.safetensors"
MIN_AGREEMENT = {"fp16": 0.98, "bf16": 0.95, "w8": 0.95, "int8": 0.85, "w6": 0.85, "w5": 0.75}
"""Policy top-1 agreement with the fp32 net each method must keep (measured: docs/compression.md,
with a margin for the few hundred positions here)."""
MAX_VALUE_ERROR = {"fp16": 0.01, "bf16": 0.03, "w8": 0.08, "int8": 0.15, "w6": 0.3}
"""Largest change of a value each method may make (values are in [-1, 1])."""


def test_registry_has_every_method() -> None:
    names = list_methods()
    assert names == ["fp16", "bf16", "w2", "w3", "w4", "w5", "w6", "w8", "int8"]
    assert get_method("w4").config == WeightOnlyConfig(4)
    assert get_method("bf16").config == HalfConfig("bfloat16")
    assert get_method("int8").calibrated
    with pytest.raises(ValueError, match="unknown method 'w7'"):
        get_method("w7")
    with pytest.raises(ValueError, match="one of"):
        WeightOnlyConfig(7)


@pytest.mark.parametrize("method", ["fp16", "bf16", "w8", "w6", "w5", "int8"])
def test_policy_stays_close(method: str, sl_shards: Path) -> None:
    net = load_checkpoint(shipped_weights(POLICY))
    positions = load_positions(sl_shards, net.config, 256)
    quantized = quantize(net, get_method(method).config, positions)
    found = compare(TorchEvaluator(net, "cpu"), quantized.runner(), positions)
    assert found.positions == len(positions) > 100
    assert found.top1_agreement >= MIN_AGREEMENT[method]
    assert abs(found.top1_true - found.reference_top1_true) < 0.1
    assert np.isnan(found.value_mse)  # no value head


def test_fewer_bits_agree_less(sl_shards: Path) -> None:
    net = load_checkpoint(shipped_weights(POLICY))
    positions = load_positions(sl_shards, net.config, 256)
    reference = TorchEvaluator(net, "cpu")
    agreement = [
        compare(reference, quantize(net, WeightOnlyConfig(b)).runner(), positions).top1_agreement
        for b in (2, 4, 8)
    ]
    assert agreement[0] < agreement[1] < agreement[2]
    assert agreement[0] < 0.5  # two bits (ternary weights) lose the policy


@pytest.mark.parametrize("method", ["fp16", "bf16", "w8", "w6", "int8"])
def test_value_stays_close(method: str, sl_shards: Path) -> None:
    net = load_checkpoint(shipped_weights(VALUE))
    positions = load_positions(sl_shards, net.config, 256)
    quantized = quantize(net, get_method(method).config, positions)
    found = compare(TorchEvaluator(net, "cpu"), quantized.runner(), positions)
    assert found.max_value_error <= MAX_VALUE_ERROR[method]
    assert abs(found.value_mse - found.reference_value_mse) < 0.05


@pytest.mark.parametrize("method", ["bf16", "w4", "int8"])
def test_saved_checkpoint_plays_as_the_transform(
    method: str, sl_shards: Path, tmp_path: Path
) -> None:
    net = load_checkpoint(shipped_weights(POLICY))
    positions = load_positions(sl_shards, net.config, 64)
    quantized = quantize(net, get_method(method).config, positions)
    out = tmp_path / ("net.onnx" if method == "int8" else "net.safetensors")
    quantized.save(out, {"compress": {"method": method}})
    assert out.stat().st_size < shipped_weights(POLICY).stat().st_size * 0.55
    loaded = load_runner(out)
    runner = loaded if method == "int8" else TorchEvaluator(loaded, "cpu")  # type: ignore[arg-type]
    want = quantized.runner().policy_logits(positions.planes)
    got = runner.policy_logits(positions.planes)  # type: ignore[union-attr]
    tolerance = 0.05 if method == "bf16" else 1e-4  # bf16: stored weights, fp32 compute on load
    np.testing.assert_allclose(got, want, atol=tolerance * np.abs(want).max())


def test_int8_needs_calibration() -> None:
    net = load_checkpoint(shipped_weights(POLICY))
    with pytest.raises(ValueError, match="calibration"):
        quantize(net, get_method("int8").config)
