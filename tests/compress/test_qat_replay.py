"""Quantization-aware training of a Zero net on a Zero run's replay folder: a net with pooled
heads trains on every size of a mixed replay (minibatches of each size) and its 3-bit outputs move
towards its fp32 ones at both sizes; a killed run resumes to the same weights; ``igo compress
quantize --qat-steps --data REPLAY`` end to end; a fixed-heads net and a replay of another size,
or an empty replay, are one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_qat_zero import killed_at_first_save, rounded

from igo.cli.main import main
from igo.compress.distill_zero import masked
from igo.compress.positions import load_positions_by_size
from igo.compress.prune_recipe import RetrainConfig
from igo.compress.qat import QatConfig, ZeroQatReport, quantization_aware_train
from igo.compress.quantize import WeightOnlyConfig
from igo.nn.checkpoint import save_checkpoint
from igo.nn.net import Net
from igo.train.alphago import supervised_loop
from mixed_sizes import BAD_REPLAYS, REPLAY, SIZES, bad_replay, pooled_net


def _gaps(net: Net, student: Net) -> dict[int, tuple[float, float]]:
    """Each size's (KL from ``net``'s policy to ``student``'s over the open moves, value MSE
    between them) on the replay's held-out positions."""
    held = load_positions_by_size(REPLAY, net.config, 400, split="heldout", each=True)
    gaps = {}
    for n, positions in held.items():
        x = torch.from_numpy(positions.planes)
        with torch.no_grad():
            (p, v), (q, w) = net.eval()(x), student.eval()(x)
        log_p, log_q = F.log_softmax(masked(p, x), dim=1), F.log_softmax(masked(q, x), dim=1)
        kl = float((log_p.exp() * (log_p - log_q)).sum(dim=1).mean())
        gaps[n] = (kl, float(((v - w) ** 2).mean()))
    return gaps


def test_qat_trains_on_every_size_and_moves_both_towards_fp32(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = pooled_net()
    before = _gaps(net, rounded(net, 3))
    drawn: list[int] = []
    draw = supervised_loop.draw_minibatch

    def recording(data: supervised_loop.StageData, *args: object) -> object:
        drawn.append(int(data.planes.shape[-1]))
        return draw(data, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(supervised_loop, "draw_minibatch", recording)
    config = QatConfig(WeightOnlyConfig(3), RetrainConfig(60, 0.005, batch_size=32))
    result = quantization_aware_train(net, config, REPLAY, tmp_path / "z3.safetensors")
    assert set(drawn) == set(SIZES) and min(drawn.count(n) for n in SIZES) >= 10
    after = _gaps(net, result.quantized.net)
    for n in SIZES:
        assert after[n][0] < 0.7 * before[n][0] and after[n][1] < before[n][1], (n, before, after)
    report = result.report
    assert isinstance(report, ZeroQatReport) and report.steps == 60
    assert set(report.by_size) == {"9x9", "13x13"}
    assert sum(s["train_positions"] for s in report.by_size.values()) == report.train_positions
    assert all(s["rounded"]["agree"] <= 1 for s in report.by_size.values())


def test_a_killed_training_on_two_sizes_resumes_to_the_same_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = QatConfig(WeightOnlyConfig(3), RetrainConfig(120, 0.005, batch_size=16))
    whole = quantization_aware_train(pooled_net(), config, REPLAY, tmp_path / "w.safetensors")
    out = tmp_path / "k.safetensors"
    killed_at_first_save(
        monkeypatch, lambda: quantization_aware_train(pooled_net(), config, REPLAY, out)
    )
    assert out.with_suffix(".trainer.pt").exists() and not out.exists()  # killed at step 100
    again = quantization_aware_train(pooled_net(), config, REPLAY, out)
    assert again.report.steps == 120  # the size of each minibatch drawn as in one go, too
    expected = whole.quantized.net.state_dict()
    for name, tensor in again.quantized.net.state_dict().items():
        torch.testing.assert_close(tensor, expected[name], rtol=0, atol=0)


def test_the_cli_trains_on_a_replay_and_reports_each_size(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = tmp_path / "net.safetensors", tmp_path / "net-w4.safetensors"
    save_checkpoint(pooled_net(), source)
    argv = ["compress", "quantize", "--from", str(source), "--out", str(out), "--method", "w4"]
    argv += ["--qat-steps", "4", "--batch-size", "16", "--data", str(REPLAY)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "w4 after 4 steps of QAT: wrote" in printed
    assert "9x9 policy on" in printed and "13x13 policy on" in printed
    assert np.isfinite(ZeroQatReport(**_report(out)).rounded["mse_teacher"])


def _report(out: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads(out.with_suffix(".report.json").read_text())
    return loaded


@pytest.mark.parametrize("case", list(BAD_REPLAYS))
def test_bad_replays_are_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (source, replay), out = bad_replay(case, tmp_path), tmp_path / "o.safetensors"
    argv = ["compress", "quantize", "--from", str(source), "--out", str(out), "--method", "w3"]
    assert main([*argv, "--qat-steps", "3", "--data", str(replay)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and BAD_REPLAYS[case] in err[0] and "Traceback" not in err[0], err
    assert not out.exists()
