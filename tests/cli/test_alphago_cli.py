"""``igo alphago``: a bad preset, setting, stage or a missing engine is one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from igo.cli.alphago import _config
from igo.cli.main import build_parser, main
from igo.search.rollout import RolloutPolicy


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("igo alphago: error: ")
    return err[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--preset", "nope"], "unknown preset 'nope'; presets: 9x9, tiny"),
        (["--preset", "tiny", "--set", "nothing"], "--set takes section.key=value"),
        (["--preset", "tiny", "--set", "sl.bogus=1"], "unknown config key sl.bogus"),
        (["--preset", "tiny", "--set", "sl.steps=0"], "steps must be at least 1"),
        (["--preset", "tiny", "--until", "nope"], "unknown stage nope"),
        (["--preset", "tiny", "--stages", "sl,nope"], "unknown stage nope"),
    ],
)
def test_bad_settings_exit_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alphago", *args, "--run-dir", str(tmp_path), "--no-progress"]) == 2
    assert message in error_line(capsys)


def test_missing_gnugo_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("igo.eval.engines.find_program", lambda name: None)
    args = ["alphago", "--preset", "tiny", "--run-dir", str(tmp_path), "--until", "records"]
    assert main(args) == 2
    assert "stage records: GNU Go is not installed" in error_line(capsys)


def done_tree_stage(root: Path) -> None:
    """Make ``root`` a run whose tree stage is done (its file and its stages.json line)."""
    RolloutPolicy("tree", np.zeros(0, np.int64)).save(root / "tree.npz")
    stages = {"tree": {"seconds": 0.5, "report": {}}}
    (root / "stages.json").write_text(json.dumps({"stages": stages}))


def test_stages_skip_what_is_done_and_refuse_missing_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done_tree_stage(tmp_path)
    base = ["alphago", "--preset", "tiny", "--run-dir", str(tmp_path), "--no-progress"]
    assert main([*base, "--stages", "tree"]) == 0
    captured = capsys.readouterr()
    assert "igo alphago: tree: done before, skipped" in captured.err
    assert f"igo alphago: {tmp_path}: stages done: tree" in captured.out
    assert main([*base, "--stages", "rl"]) == 2
    assert "stage rl needs the sl stage's output" in error_line(capsys)


def test_changed_settings_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done_tree_stage(tmp_path)
    base = ["alphago", "--preset", "tiny", "--run-dir", str(tmp_path), "--stages", "tree"]
    assert main(base) == 0
    capsys.readouterr()
    assert main([*base, "--set", "value.steps=7"]) == 2
    assert "value.steps: now 7 (saved 20)" in error_line(capsys)
    assert main([*base, "--set", "evaluate.games=7", "--set", "sl.torch_threads=1"]) == 0


def test_config_file_then_set_then_run_dir(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text("seed = 5\n[sl]\nsteps = 9\nchannels = 4\n")
    parser = build_parser()
    args = parser.parse_args(
        ["alphago", "--preset", "tiny", "--config", str(extra), "--set", "sl.steps=11"]
        + ["--set", "evaluate.lambdas=[0, 1]", "--run-dir", str(tmp_path / "run")]
    )
    config = _config(args)
    assert (config.seed, config.sl.steps, config.sl.channels) == (5, 11, 4)
    assert config.evaluate.lambdas == (0, 1) and config.run_dir == str(tmp_path / "run")
