"""Which precision a net runs in (``igo.nn.precision``): bf16 autocast where the CPU has AMX-BF16
or on CUDA, fp32 elsewhere; a 16-bit checkpoint runs in its 16 bits where that is fast, in fp32
with one info line elsewhere; old checkpoints load unchanged. The CPU's flags are monkeypatched
for both branches; a real bf16 training step runs here (slow on AVX2, but correct)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from igo.compress.quantize import HalfConfig, quantize
from igo.data.replay_buffer import Batch
from igo.nn import cpu_features, precision
from igo.nn.checkpoint import load_checkpoint, save_checkpoint, stored_precision
from igo.nn.inference import TorchEvaluator
from igo.nn.precision import explain_precision, resolve_precision
from igo.nn.registry import create_net
from igo.train.trainer import Trainer, make_optimizer
from igo.train.training_config import TrainConfig
from igo.train.zero.training_step import train_steps, training_autocast, training_precision

TINY = dict(board_size=5, in_planes=5, channels=8, blocks=1, value_hidden=16)
CPU, GPU = torch.device("cpu"), torch.device("cuda")
AMX = ["amx_bf16", "amx_int8", "amx_tile", "avx2", "avx512_bf16", "avx512f", "fma"]
AVX2 = ["avx", "avx2", "fma"]


@pytest.fixture(params=["amx", "avx2"])
def flags(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs the test as on an AMX CPU and as on this project's AVX2 one."""
    found = AMX if request.param == "amx" else AVX2
    monkeypatch.setattr(cpu_features, "cpu_flags", lambda: list(found))
    monkeypatch.setattr(precision, "_told", set())
    return str(request.param)


def test_auto_is_bf16_only_where_the_cpu_has_amx(flags: str) -> None:
    expected = torch.bfloat16 if flags == "amx" else None
    assert resolve_precision(CPU) is expected
    assert resolve_precision(CPU, "float32") is None  # asked for: honoured everywhere
    assert resolve_precision(CPU, "bfloat16") is torch.bfloat16
    said = explain_precision(CPU, "auto")
    assert said.startswith(
        "bf16 autocast (auto: this CPU has amx_bf16)" if flags == "amx" else "fp32"
    )
    if flags == "avx2":
        assert "no AMX-BF16" in said and "emulated" in said
    assert TorchEvaluator(create_net("resnet_b6c64", **TINY), "cpu").autocast_dtype is expected


def test_cuda_auto_follows_the_checkpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    assert resolve_precision(GPU) is torch.bfloat16
    assert resolve_precision(GPU, "auto", "bfloat16") is torch.bfloat16
    assert resolve_precision(GPU, "auto", "float16") is torch.float16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: False)
    assert resolve_precision(GPU) is torch.float16
    assert training_precision(GPU, "auto").startswith("fp32")  # no fp16 training
    assert isinstance(training_autocast(CPU, "bf16"), torch.autocast)
    assert not isinstance(training_autocast(CPU, "fp32"), torch.autocast)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_16_bit_checkpoint_runs_in_16_bits_where_fast(
    dtype: str, flags: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", **TINY)
    path = tmp_path / "half.safetensors"
    quantize(net, HalfConfig(dtype)).save(path, {})  # type: ignore[arg-type]
    assert json.loads(path.with_suffix(".json").read_text())["precision"] == dtype
    loaded = load_checkpoint(path)
    assert stored_precision(loaded) == dtype
    assert all(p.dtype == torch.float32 for p in loaded.parameters())
    evaluator = TorchEvaluator(loaded, "cpu")
    fast = flags == "amx" and dtype == "bfloat16"
    assert evaluator.autocast_dtype is (torch.bfloat16 if fast else None)
    told = capsys.readouterr().err
    if fast:
        assert told == ""
    else:  # one info line, once per process
        assert told.count("\n") == 1 and f"a {dtype} checkpoint runs in fp32 here" in told
        TorchEvaluator(load_checkpoint(path), "cpu")
        assert capsys.readouterr().err == ""
    # A 16-bit checkpoint written before the key existed: told by its tensors' dtype.
    info = json.loads(path.with_suffix(".json").read_text())
    del info["precision"]
    path.with_suffix(".json").write_text(json.dumps(info))
    assert stored_precision(load_checkpoint(path)) == dtype


def test_fp32_checkpoint_is_unchanged(flags: str, tmp_path: Path) -> None:
    net = create_net("resnet_b6c64", **TINY)
    save_checkpoint(net, tmp_path / "n.safetensors")
    assert "precision" not in json.loads((tmp_path / "n.json").read_text())
    loaded = load_checkpoint(tmp_path / "n.safetensors")
    assert stored_precision(loaded) is None
    assert TorchEvaluator(loaded, "cpu", precision="float32").autocast_dtype is None


class OneBatch:
    """A replay window of one fixed minibatch."""

    def __init__(self, size: int, planes: int, batch: int) -> None:
        self.sizes = (size,)  # ReplayBuffer's sizes: one, so no board_size column
        rng = np.random.default_rng(0)
        policy = rng.random((batch, size * size + 1)).astype(np.float32)
        self.batch = Batch(
            (rng.random((batch, planes, size, size)) < 0.3).astype(np.float32),
            policy / policy.sum(axis=1, keepdims=True),
            rng.choice([-1.0, 1.0], batch).astype(np.float32),
            np.zeros((batch, size, size), np.float32),  # no ownership and score targets
            np.zeros(batch, np.float32),
            np.zeros(batch, bool),
        )

    def sample(self, batch_size: int, rng: np.random.Generator) -> Batch:
        return self.batch


def test_a_real_bf16_training_step_keeps_fp32_weights() -> None:
    losses = {}
    for choice in ("fp32", "bf16"):
        torch.manual_seed(0)
        net = create_net("resnet_b6c64", **TINY)
        config = TrainConfig(batch_size=16, precision=choice)  # type: ignore[arg-type]
        trainer = Trainer(net, make_optimizer(net, config), np.random.default_rng(0), 0)
        before = [p.detach().clone() for p in net.parameters()]
        seen: list[dict[str, float]] = []
        train_steps(
            trainer,
            OneBatch(5, 5, 16),  # type: ignore[arg-type]
            config,
            num_steps=3,
            total_steps=3,
            device=CPU,
            on_step=lambda step, metrics, seen=seen: seen.append(metrics),
        )
        assert all(p.dtype == torch.float32 for p in net.parameters())  # master weights
        assert any(not torch.equal(a, p) for a, p in zip(before, net.parameters(), strict=True))
        losses[choice] = [m["loss"] for m in seen]
    # bf16 autocast really ran (the losses differ a little) and trained the same net.
    assert losses["fp32"] != losses["bf16"]
    np.testing.assert_allclose(losses["bf16"], losses["fp32"], rtol=0.05)
