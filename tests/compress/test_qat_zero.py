"""Quantization-aware training of Zero nets (``igo.compress.qat.train_zero``): the loss by hand,
training moves a tiny 3-bit net's outputs towards its own fp32 outputs (fixed and pooled heads), a
killed run resumes to the same weights, and ``igo compress quantize --qat-steps`` on the shipped
Zero net writes a checkpoint the ``zero`` player plays."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from igo.agents.conformance import check_player
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights, zero_weights
from igo.agents.player import create_player
from igo.cli.main import main
from igo.compress.distill_zero import masked
from igo.compress.positions import load_positions
from igo.compress.prune_recipe import RetrainConfig
from igo.compress.prune_train import qat_path
from igo.compress.qat import QatConfig, ZeroQatReport, quantization_aware_train, self_taught_loss
from igo.compress.quantize import WeightOnlyConfig
from igo.nn.lowbit import fake_quantize, is_quantized_weight
from igo.nn.net import Net
from igo.nn.registry import create_net
from igo.train.alphago import supervised_loop


def tiny_zero(heads: str = "fixed", shards: Path | None = None, seed: int = 0) -> Net:
    """A tiny Zero net; with ``shards``, made like a trained one: weights scaled up so that its
    policy is not flat, and its norms' statistics those of real positions (a fresh net's are 0
    and 1, which its train-mode forward would at once replace)."""
    torch.manual_seed(seed)
    net = create_net("resnet_b6c64", blocks=1, channels=8, heads=heads)
    if shards is not None:
        with torch.no_grad():
            for name, param in net.named_parameters():
                if is_quantized_weight(name, param):
                    param.mul_(2.0)
            for module in net.modules():
                if isinstance(module, torch.nn.BatchNorm2d | torch.nn.BatchNorm1d):
                    module.momentum = None  # a cumulative mean over the calls
            net.train()(torch.from_numpy(load_positions(shards, net.config, 400).planes).float())
    return net.eval()


def rounded(net: Net, bits: int) -> Net:
    """A copy of ``net`` with its conv / linear weights on the grid (not through the STE path)."""
    copied = copy.deepcopy(net)
    with torch.no_grad():
        for name, param in copied.named_parameters():
            if is_quantized_weight(name, param):
                param.copy_(fake_quantize(param, bits))
    return copied


def test_the_loss_is_kl_to_the_fp32_policy_plus_the_value_by_hand() -> None:
    net, teacher = tiny_zero(), tiny_zero(seed=1)  # a teacher unlike the net: a real gap
    torch.manual_seed(2)
    planes = (torch.rand(5, 17, 9, 9) < 0.2).float()
    planes[:, 8] = 0  # the opponent's stones apart from the mover's (plane 0)
    planes[:, 16] = 1
    moves = torch.zeros(5, dtype=torch.long)
    loss = self_taught_loss(teacher, 3)(net, planes, moves)
    with torch.no_grad():
        logits, v = rounded(net, 3)(planes)
        taught, value = teacher(planes)
    log_p = F.log_softmax(masked(taught, planes), dim=1)
    log_q = F.log_softmax(masked(logits, planes), dim=1)
    kl = (log_p.exp() * (log_p - log_q)).sum(dim=1).mean()
    expected = kl + ((v - value) ** 2).mean()  # the moves played and the results do not enter
    torch.testing.assert_close(loss, expected, rtol=1e-4, atol=1e-5)
    assert float(kl) > 0.001
    loss.backward()  # type: ignore[no-untyped-call]
    assert all(p.grad is not None for p in net.parameters() if p.requires_grad)


def _gap(net: Net, student: Net, shards: Path) -> tuple[float, float]:
    """(KL from ``net``'s policy to ``student``'s, value MSE between them) on held-out
    positions, over the open moves."""
    held = torch.from_numpy(load_positions(shards, net.config, 400).planes).float()
    with torch.no_grad():
        (p, v), (q, w) = net.eval()(held), student.eval()(held)
    log_p = F.log_softmax(masked(p, held), dim=1)
    log_q = F.log_softmax(masked(q, held), dim=1)
    kl = (log_p.exp() * (log_p - log_q)).sum(dim=1).mean()
    return float(kl), float(((v - w) ** 2).mean())


def _config(bits: int = 3, steps: int = 60) -> QatConfig:
    return QatConfig(
        WeightOnlyConfig(bits), RetrainConfig(steps=steps, learning_rate=0.005, batch_size=32)
    )


@pytest.mark.parametrize("heads", ["fixed", "pooled"])
def test_qat_moves_a_3_bit_net_towards_its_fp32_outputs(
    heads: str, sl_shards: Path, tmp_path: Path
) -> None:
    net = tiny_zero(heads, sl_shards)
    before = _gap(net, rounded(net, 3), sl_shards)
    out = tmp_path / "z3.safetensors"
    result = quantization_aware_train(net, _config(), sl_shards, out)
    after = _gap(net, result.quantized.net, sl_shards)
    assert after[0] < 0.6 * before[0] and after[1] < before[1]
    assert isinstance(result.report, ZeroQatReport) and result.report.steps == 60
    assert json.loads(out.with_suffix(".json").read_text())["weight_bits"] == 3
    weight = result.quantized.net.state_dict()["body.blocks.0.conv1.0.weight"]
    assert torch.equal(fake_quantize(weight, 3), weight)  # the export is on the grid
    assert not out.with_suffix(".trainer.pt").exists() and not qat_path(out).exists()
    assert _gap(net, rounded(net, 3), sl_shards) == before  # the net given is unchanged


def killed_at_first_save(monkeypatch: pytest.MonkeyPatch, train: Callable[[], object]) -> None:
    """Run ``train`` killed right after the trainer's first save (step 100), as a killed run."""
    save = supervised_loop.save_trainer

    def save_then_die(path: Path, trainer: object) -> None:
        save(path, trainer)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(supervised_loop, "save_trainer", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        train()
    monkeypatch.setattr(supervised_loop, "save_trainer", save)


def test_a_killed_zero_training_resumes_to_the_same_weights(
    sl_shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(steps=120)
    whole = quantization_aware_train(tiny_zero(), config, sl_shards, tmp_path / "w.safetensors")
    out = tmp_path / "k.safetensors"
    killed_at_first_save(
        monkeypatch, lambda: quantization_aware_train(tiny_zero(), config, sl_shards, out)
    )
    assert out.with_suffix(".trainer.pt").exists() and not out.exists()
    with pytest.raises(ValueError, match="another quantization-aware training"):
        quantization_aware_train(tiny_zero(), _config(bits=4, steps=120), sl_shards, out)
    again = quantization_aware_train(tiny_zero(), config, sl_shards, out)
    assert again.report.steps == 120
    expected = whole.quantized.net.state_dict()
    for name, tensor in again.quantized.net.state_dict().items():
        torch.testing.assert_close(tensor, expected[name], rtol=0, atol=0)


def test_the_cli_trains_the_shipped_zero_net_and_it_plays(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "zero-w3.safetensors"
    argv = ["compress", "quantize", "--from", str(zero_weights()), "--out", str(out)]
    argv += ["--method", "w3", "--qat-steps", "3", "--data", str(sl_shards), "--batch-size", "8"]
    argv += ["--positions", "64"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "w3 after 3 steps of QAT: wrote" in printed and "top-1 agreement" in printed
    report = json.loads(out.with_suffix(".report.json").read_text())
    assert report["steps"] == 3 and 0 <= report["rounded"]["agree"] <= 1
    assert np.isclose(report["fp32"]["agree"], 1.0)
    check_player(create_player("mcts", checkpoint=str(out), seed=5, visits=8), sizes=(9,))


def test_a_net_it_cannot_train_is_still_refused_in_one_line(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = str(shipped_weights(ALPHAGO_WEIGHTS["value"]))
    argv = ["compress", "quantize", "--from", value, "--out", str(tmp_path / "v.safetensors")]
    argv += ["--method", "w4", "--qat-steps", "3", "--data", str(sl_shards)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert "trains AlphaGo policy nets (48 planes) and Zero nets" in err[0]
    assert "quantize it with --method w4 without --qat-steps" in err[0]
