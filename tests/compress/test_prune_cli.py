"""``igo compress prune`` end to end on the shipped policy net and real positions, and its
one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from cli_refusal import assert_refused
from zero_replay import write_replay

from igo.agents.conformance import check_player
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights, zero_weights
from igo.agents.player import create_player
from igo.cli.main import main
from igo.nn.checkpoint import load_checkpoint

POLICY = str(shipped_weights(ALPHAGO_WEIGHTS["policy"]))


def test_magnitude_pruning_retrains_and_plays(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.safetensors"
    argv = ["--from", POLICY, "--out", str(out), "--alpha", "1.0", "--data", str(sl_shards)]
    argv += ["--retrain-steps", "3", "--batch-size", "16", "--positions", "64"]
    assert main(["compress", "prune", *argv]) == 0
    printed = capsys.readouterr().out
    assert "magnitude pruning, alpha 1.0: removed" in printed
    assert "body.layers.5.0.weight" in printed and "retrained 3 steps" in printed
    info = json.loads(out.with_suffix(".json").read_text())
    assert info["extra"]["compress"]["method"] == "prune-magnitude"
    assert info["extra"]["retrain"]["steps"] == 3
    fraction = info["extra"]["compress"]["fraction"]
    zeros = sum(int((p == 0).sum()) for n, p in load_checkpoint(out).state_dict().items()
                if n.endswith("weight") and p.dim() > 1)  # fmt: skip
    assert zeros == info["extra"]["compress"]["removed"] and 0.6 < fraction < 0.9
    check_player(create_player("policy", checkpoint=str(out), seed=5), sizes=(9,))


def test_structured_pruning_of_the_zero_net(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "z.safetensors"
    argv = ["--from", str(zero_weights()), "--out", str(out), "--structured", "--keep", "0.5"]
    assert main(["compress", "prune", *argv]) == 0
    assert "64 -> 32 channels" in capsys.readouterr().out
    net = load_checkpoint(out)
    assert getattr(net.config, "channels") == 32  # noqa: B009
    assert net(torch.zeros(1, 17, 9, 9))[0].shape == (1, 82)


def test_structured_pruning_of_the_zero_net_fine_tuned_on_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Zero net is fine-tuned on a replay folder's training games (Zero's loss), resumably,
    measured on its held-out games, and plays."""
    replay = write_replay(tmp_path / "replay")
    out = tmp_path / "z.safetensors"
    argv = ["--from", str(zero_weights()), "--out", str(out), "--structured", "--keep", "0.5"]
    argv += ["--data", str(replay), "--retrain-steps", "3", "--batch-size", "8"]
    assert main(["compress", "prune", *argv]) == 0
    printed = capsys.readouterr().out
    assert "64 -> 32 channels" in printed and "retrained 3 steps" in printed
    assert "on 8 held-out positions" in printed  # game 9 of the 12 is held out
    info = json.loads(out.with_suffix(".json").read_text())["extra"]["retrain"]
    assert info["steps"] == 3 and info["train_positions"] == 11 * 8
    tuned = load_checkpoint(out)
    untuned = tmp_path / "u.safetensors"
    assert main(["compress", "prune", *argv[:2], *argv[4:7], "--out", str(untuned)]) == 0
    before = load_checkpoint(untuned).state_dict()
    changed = [k for k, v in tuned.state_dict().items() if not torch.equal(v, before[k])]
    assert any(k.startswith("body.") for k in changed)
    check_player(create_player("mcts", checkpoint=str(out), visits=4, seed=5), sizes=(9,))


BAD = [
    (["--from", "missing.safetensors", "--alpha", "1"], "missing"),
    (["--from", POLICY, "--alpha", "-1"], "alpha must be"),
    (["--from", POLICY, "--alpha", "nan"], "alpha must be"),
    (["--from", POLICY, "--structured", "--keep", "0"], "keep must be"),
    (["--from", POLICY, "--alpha", "1", "--data", "no-such-folder"], "no such folder"),
    (["--from", POLICY, "--alpha", "1", "--retrain-steps", "5"], "give --data"),
    (["--from", POLICY, "--alpha", "1", "--retrain-steps", "-5"], "must be >= 0"),
    (["--from", POLICY, "--alpha", "1", "--keep", "0.5"], "--keep goes with --structured"),
    (["--from", str(zero_weights()), "--alpha", "1", "--retrain-steps", "5", "--data", "."],
     "no 9x9 replay positions"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "message"), BAD)
def test_bad_input_is_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o.safetensors"
    assert_refused(["compress", "prune", *argv, "--out", str(out)], message, capsys, out)


def test_an_onnx_output_and_an_empty_data_folder_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compress", "prune", "--from", POLICY, "--alpha", "1"]
    assert main([*argv, "--out", str(tmp_path / "o.onnx")]) == 2
    assert ".safetensors checkpoint" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "o.safetensors"), "--data", str(tmp_path)]) == 2
    assert "no sl shards" in capsys.readouterr().err


def test_a_finished_retraining_is_read_back_only_if_it_is_the_same(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p.safetensors"
    argv = ["compress", "prune", "--from", POLICY, "--out", str(out), "--data", str(sl_shards)]
    argv += ["--retrain-steps", "2", "--batch-size", "8", "--positions", "32"]
    assert main([*argv, "--alpha", "0.5"]) == 0
    written = out.stat().st_mtime_ns
    assert main([*argv, "--alpha", "0.5"]) == 0  # done: read back, not retrained
    assert out.stat().st_mtime_ns == written
    capsys.readouterr()
    assert main([*argv, "--alpha", "1.5"]) == 2
    assert "already holds another compression" in capsys.readouterr().err
