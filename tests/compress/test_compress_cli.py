"""``igo compress quantize`` end to end: the checkpoints it writes play through GTP's players and
pass the player conformance suite; a missing extra is one error line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from igo.agents.conformance import check_player
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights, zero_weights
from igo.agents.player import create_player
from igo.cli.main import main

pytest.importorskip("onnxruntime")


def test_int8_policy_checkpoint_plays(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "policy-int8.onnx"
    source = shipped_weights(ALPHAGO_WEIGHTS["policy"])
    argv = ["compress", "quantize", "--from", str(source), "--out", str(out), "--method", "int8"]
    assert main([*argv, "--calibration", str(sl_shards), "--positions", "128"]) == 0
    printed = capsys.readouterr().out
    assert "top-1 agreement with the original" in printed and out.with_suffix(".json").is_file()
    check_player(create_player("policy", checkpoint=str(out), seed=1), sizes=(9,))


def test_low_bit_zero_checkpoint_plays_in_a_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "zero-w6.safetensors"
    argv = ["--from", str(zero_weights()), "--out", str(out), "--method", "w6"]
    assert main(["compress", "quantize", *argv]) == 0
    assert "w6: wrote" in capsys.readouterr().out
    assert out.stat().st_size < zero_weights().stat().st_size / 4
    check_player(create_player("mcts", checkpoint=str(out), visits=8, seed=2), sizes=(9,))


def test_onnx_backend_plays(tmp_path: Path) -> None:
    player = create_player("zero", backend="onnx", visits=8, seed=3)
    check_player(player, sizes=(9,))
    with pytest.raises(ValueError, match="backend must be one of torch, onnx"):
        create_player("zero", backend="tflite")


def test_a_missing_extra_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime.quantization", None)  # import fails
    out = tmp_path / "n.onnx"
    source = shipped_weights(ALPHAGO_WEIGHTS["policy"])
    argv = ["--from", str(source), "--out", str(out), "--method", "int8", "--calibration", "x"]
    assert main(["compress", "quantize", *argv]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'compress' extra" in err[0] and "pip install onnxruntime" in err[0]
    assert not out.exists()


def test_the_help_names_every_registered_method() -> None:
    from igo.cli.compress import METHODS_HELP
    from igo.compress import list_methods

    named = {word.strip(" ,") for word in METHODS_HELP.replace("(", " ").split()}
    assert set(list_methods()) <= named
