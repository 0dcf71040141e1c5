"""``igo compress quantize --qat-steps`` end to end on the shipped policy net and real positions:
the checkpoint plays, a finished run is read back, and bad input is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_refusal import assert_refused

from igo.agents.conformance import check_player
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights
from igo.agents.player import create_player
from igo.cli.main import main

POLICY = str(shipped_weights(ALPHAGO_WEIGHTS["policy"]))


def test_qat_trains_writes_a_low_bit_checkpoint_and_plays(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w2.safetensors"
    argv = ["compress", "quantize", "--from", POLICY, "--out", str(out), "--method", "w2"]
    argv += ["--qat-steps", "4", "--data", str(sl_shards), "--batch-size", "16"]
    argv += ["--positions", "64"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "w2 after 4 steps of QAT: wrote" in printed and "top-1 on the moves played" in printed
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["weight_bits"] == 2
    assert info["extra"]["compress"] == {
        "method": "w2", "source": POLICY, "bits": 2, "qat_steps": 4
    }  # fmt: skip
    assert info["extra"]["retrain"]["steps"] == 4
    check_player(create_player("policy", checkpoint=str(out), seed=5), sizes=(9,))
    written = out.stat().st_mtime_ns
    assert main(argv) == 0  # finished: read back, not trained again
    assert out.stat().st_mtime_ns == written
    capsys.readouterr()
    assert main([*argv[:-4], "--qat-steps", "5", "--positions", "64"]) == 2
    assert "already holds another compression" in capsys.readouterr().err


BAD = [
    (["--method", "int8", "--calibration", "."], "a wN method, not int8"),
    (["--method", "bf16"], "a wN method, not bf16"),
    (["--method", "w3", "--data", "no-such-folder"], "no such folder (sl shards or a Zero run"),
    (["--method", "w3", "--qat-steps", "-1"], "--qat-steps must be >= 0"),
    (["--method", "w7"], "unknown method 'w7'"),
]


@pytest.mark.parametrize(("argv", "message"), BAD)
def test_bad_input_is_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o.safetensors"
    if "--qat-steps" not in argv:
        argv = [*argv, "--qat-steps", "3"]
    if "--data" not in argv:
        argv = [*argv, "--data", str(tmp_path)]
    argv = ["compress", "quantize", "--from", POLICY, "--out", str(out), *argv]
    assert_refused(argv, message, capsys, out)


def test_qat_needs_data_and_a_policy_net(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compress", "quantize", "--out", str(tmp_path / "o.safetensors"), "--method", "w4"]
    assert main([*argv, "--from", POLICY, "--qat-steps", "3"]) == 2
    assert "give --data FOLDER" in capsys.readouterr().err
    assert main([*argv, "--from", POLICY, "--data", str(sl_shards)]) == 2
    assert "--data is what --qat-steps trains on" in capsys.readouterr().err
    value = str(shipped_weights(ALPHAGO_WEIGHTS["value"]))  # Zero nets: test_qat_zero.py
    assert main([*argv, "--from", value, "--qat-steps", "3", "--data", str(sl_shards)]) == 2
    refused = capsys.readouterr().err
    assert "trains AlphaGo policy nets (48 planes) and Zero nets" in refused
    assert "quantize it with --method w4 without --qat-steps" in refused  # not prune's advice
    assert main([*argv, "--from", POLICY, "--qat-steps", "3", "--data", str(tmp_path)]) == 2
    assert "no sl shards" in capsys.readouterr().err
