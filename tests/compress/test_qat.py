"""Quantization-aware training: the fake-quantized forward is the exported checkpoint's, the
gradients pass straight through the rounding, training lowers the loss, a killed run resumes to
the same weights, and ``igo compress quantize --qat-steps`` end to end with its one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from igo.compress.prune_recipe import RetrainConfig
from igo.compress.prune_train import qat_path
from igo.compress.qat import QatConfig, quantization_aware_train
from igo.compress.quantize import WeightOnlyConfig
from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.nn.lowbit import fake_quantize, fake_quantized_forward, is_quantized_weight
from igo.nn.net import Net
from igo.nn.registry import create_net
from igo.train.alphago import supervised_loop
from igo.train.alphago.sl_policy_stage import KIND, policy_metrics
from igo.train.alphago.supervised_data import load_split_data, planes_from_examples


def small_policy() -> Net:
    torch.manual_seed(0)
    return create_net("alphago_policy_l13c192", blocks=2, channels=8, norm="batch")


def planes(net: Net, count: int = 6) -> torch.Tensor:
    torch.manual_seed(1)
    size = net.config.board_size
    return (torch.rand(count, net.config.in_planes, size, size) < 0.3).float()


@pytest.mark.parametrize("bits", [2, 3, 4, 8])
def test_the_fake_quantized_forward_is_the_exported_checkpoints(bits: int, tmp_path: Path) -> None:
    net = small_policy().eval()
    x = planes(net)
    with torch.no_grad():
        fake = fake_quantized_forward(net, x, bits)
        save_checkpoint(net, tmp_path / "q.safetensors", weight_bits=bits)
        exported = load_checkpoint(tmp_path / "q.safetensors").eval()(x)
        plain = net(x)
    torch.testing.assert_close(fake, exported, rtol=0, atol=0)
    assert not torch.allclose(fake, plain)  # the rounding did something


def test_gradients_pass_straight_through_the_rounding() -> None:
    net = small_policy().train()
    x = planes(net)
    moves = torch.arange(x.shape[0])
    rounded = small_policy().train()
    with torch.no_grad():
        for name, param in rounded.named_parameters():
            if is_quantized_weight(name, param):
                param.copy_(fake_quantize(param, 3))
    F.cross_entropy(fake_quantized_forward(net, x, 3), moves).backward()  # type: ignore[no-untyped-call]
    F.cross_entropy(rounded(x), moves).backward()  # type: ignore[no-untyped-call]
    for (name, latent), (_, on_grid) in zip(
        net.named_parameters(), rounded.named_parameters(), strict=True
    ):
        assert latent.grad is not None and on_grid.grad is not None
        # d loss / d latent weight = d loss / d rounded weight: the estimator is the identity
        torch.testing.assert_close(latent.grad, on_grid.grad, msg=name)
    conv = dict(net.named_parameters())["body.layers.0.0.weight"]
    assert conv.grad is not None and conv.grad.abs().sum() > 0


def _config(bits: int = 3, steps: int = 150) -> QatConfig:
    return QatConfig(WeightOnlyConfig(bits), RetrainConfig(steps=steps, batch_size=16, seed=3))


def _heldout_loss(net: Net, shards: Path, bits: int) -> float:
    _, heldout = load_split_data(shards, KIND)
    assert heldout is not None
    x = planes_from_examples(heldout, value_plane=False)
    rounded = small_policy()
    rounded.load_state_dict(net.state_dict())
    with torch.no_grad():
        for name, param in rounded.named_parameters():
            if is_quantized_weight(name, param):
                param.copy_(fake_quantize(param, bits))
    return policy_metrics(rounded, x, heldout["move"], torch.device("cpu"))["loss"]


def test_training_through_the_rounding_lowers_the_loss(sl_shards: Path, tmp_path: Path) -> None:
    net = small_policy()
    start = _heldout_loss(net, sl_shards, 3)
    out = tmp_path / "q.safetensors"
    result = quantization_aware_train(net, _config(steps=40), sl_shards, out)
    assert result.report.loss < start - 0.3  # the rounded net's held-out loss
    assert result.report.steps == 40
    # the export holds the weights on the grid, packed at 3 bits
    assert json.loads(out.with_suffix(".json").read_text())["weight_bits"] == 3
    weight = result.quantized.net.state_dict()["body.layers.1.0.weight"]
    assert torch.equal(fake_quantize(weight, 3), weight)
    assert not out.with_suffix(".trainer.pt").exists() and not qat_path(out).exists()
    assert _heldout_loss(net, sl_shards, 3) == start  # the net given is unchanged


def test_a_killed_training_resumes_to_the_same_weights(
    sl_shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = quantization_aware_train(
        small_policy(), _config(), sl_shards, tmp_path / "w.safetensors"
    )
    save = supervised_loop.save_trainer

    def save_then_die(path: Path, trainer: object) -> None:
        save(path, trainer)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # the first save: step 100 of 150

    out = tmp_path / "k.safetensors"
    monkeypatch.setattr(supervised_loop, "save_trainer", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        quantization_aware_train(small_policy(), _config(), sl_shards, out)
    monkeypatch.setattr(supervised_loop, "save_trainer", save)
    assert out.with_suffix(".trainer.pt").exists() and not out.exists()
    with pytest.raises(ValueError, match="another quantization-aware training"):
        quantization_aware_train(small_policy(), _config(bits=4), sl_shards, out)
    again = quantization_aware_train(small_policy(), _config(), sl_shards, out)
    assert again.report.steps == 150
    expected = whole.quantized.net.state_dict()
    for name, tensor in again.quantized.net.state_dict().items():
        torch.testing.assert_close(tensor, expected[name], rtol=0, atol=0)
