"""TorchEvaluator: numpy in and out, batching, device and precision choice, symmetry averaging."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from igo.nn import cpu_features
from igo.nn.inference import TorchEvaluator, resolve_device
from igo.nn.precision import resolve_precision
from igo.nn.registry import create_net

TINY = dict(board_size=5, in_planes=4, channels=8, blocks=2, value_hidden=16)


def _planes(batch: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((batch, 4, 5, 5)).astype(np.float32)


def _dihedral(k: int, flip: bool):
    """One of the 8 board symmetries as (planes transform, inverse policy transform)."""

    def planes_fn(planes: np.ndarray) -> np.ndarray:
        out = np.rot90(planes, k, axes=(2, 3))
        return out[..., ::-1] if flip else out

    def inverse_fn(policy: np.ndarray) -> np.ndarray:
        board = policy[:, :-1].reshape(-1, 5, 5)
        board = board[..., ::-1] if flip else board
        board = np.rot90(board, -k, axes=(1, 2))
        return np.concatenate([board.reshape(-1, 25), policy[:, -1:]], axis=1)

    return planes_fn, inverse_fn


def test_shapes_dtypes_and_eval_mode() -> None:
    net = create_net("resnet_b6c64", **TINY)
    evaluator = TorchEvaluator(net, device="cpu")
    logits, values = evaluator.evaluate(_planes(3))
    assert logits.shape == (3, 26) and logits.dtype == np.float32
    assert values.shape == (3,) and values.dtype == np.float32
    assert not net.training
    with torch.no_grad():
        ref_logits, ref_values = net(torch.from_numpy(_planes(3)))
    np.testing.assert_allclose(logits, ref_logits.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(values, ref_values.numpy(), rtol=1e-5, atol=1e-6)


def test_batching_matches_one_pass() -> None:
    net = create_net("densenet_b3c32_k16", growth_rate=4, dense_layers=2, **TINY)
    planes = _planes(11)
    whole = TorchEvaluator(net, device="cpu", batch_size=64).evaluate(planes)
    pieces = TorchEvaluator(net, device="cpu", batch_size=3).evaluate(planes)
    for a, b in zip(whole, pieces, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    empty_logits, empty_values = TorchEvaluator(net, device="cpu").evaluate(_planes(0))
    assert empty_logits.shape == (0, 26) and empty_values.shape == (0,)


def test_bad_input_shape() -> None:
    evaluator = TorchEvaluator(create_net("resnet_b6c64", **TINY), device="cpu")
    with pytest.raises(ValueError, match=r"\[B, 4, 5, 5\]"):
        evaluator.evaluate(np.zeros((2, 17, 5, 5), np.float32))


def test_single_head_nets() -> None:
    policy = TorchEvaluator(create_net("alphago_policy_l13c192", **TINY), device="cpu")
    assert policy.policy_logits(_planes(2)).shape == (2, 26)
    with pytest.raises(TypeError):
        policy.evaluate(_planes(2))
    with pytest.raises(TypeError):
        policy.values(_planes(2))
    value = TorchEvaluator(create_net("alphago_value_l14c192", **TINY), device="cpu")
    assert value.values(_planes(2)).shape == (2,)
    with pytest.raises(TypeError):
        value.policy_logits(_planes(2))


def test_device_and_precision_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cpu_features, "cpu_flags", lambda: ["avx2", "fma"])  # no AMX
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_precision(torch.device("cpu")) is None  # fp32 on CPU
    assert resolve_precision(torch.device("cpu"), "bfloat16") == torch.bfloat16
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            resolve_device("cuda")


def test_a_device_torch_or_this_machine_lacks_is_a_value_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        resolve_device("tpu")  # torch's own error is a RuntimeError listing twenty device types
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda:0") == torch.device("cuda:0")
    with pytest.raises(ValueError, match="'cuda:3' was asked for but this machine has 1 GPU"):
        resolve_device("cuda:3")


def test_symmetry_average_is_invariant() -> None:
    """Averaged over all 8 symmetries, a rotated board gets the rotated policy and same value."""
    symmetries = [_dihedral(k, flip) for k in range(4) for flip in (False, True)]
    net = create_net("resnet_b6c64", **TINY)
    evaluator = TorchEvaluator(net, device="cpu", symmetries=symmetries)
    planes = _planes(2)
    logits, values = evaluator.evaluate(planes)
    np.testing.assert_allclose(np.exp(logits).sum(axis=1), 1.0, rtol=1e-5)  # mean probabilities
    rotate, unrotate = _dihedral(1, True)
    rot_logits, rot_values = evaluator.evaluate(np.ascontiguousarray(rotate(planes)))
    np.testing.assert_allclose(rot_values, values, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(unrotate(rot_logits), logits, rtol=1e-4, atol=1e-4)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_autocast_agrees_with_cpu() -> None:
    net = create_net("resnet_b6c64", **TINY)
    cpu_logits, cpu_values = TorchEvaluator(net, device="cpu").evaluate(_planes(64))
    gpu = TorchEvaluator(net, device="cuda")
    assert gpu.autocast_dtype in (torch.bfloat16, torch.float16)
    logits, values = gpu.evaluate(_planes(64))
    assert logits.dtype == np.float32 and values.dtype == np.float32
    np.testing.assert_allclose(logits, cpu_logits, atol=0.1)
    np.testing.assert_allclose(values, cpu_values, atol=0.05)
