"""Run folders (``igo.run_dir``): both layouts, the lock, the clean-up after a kill, config.json."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from igo.run_dir import STAGE_OUTPUTS, AlphaGoRunDir, RunDirInUse, RunFolder, ZeroRunDir


def test_the_zero_layout_names_every_file(tmp_path: Path) -> None:
    run = ZeroRunDir(tmp_path)
    assert run.config_path == tmp_path / "config.json"
    assert run.model_path(3) == tmp_path / "models" / "gen-000003.safetensors"
    assert run.checkpoint_path(120) == tmp_path / "checkpoints" / "trainer-00000120.safetensors"
    assert run.replay_dir(3) == tmp_path / "replay" / "gen-000003"
    assert run.gate_sgf_dir(3) == tmp_path / "arena" / "sgf" / "gen-000003"
    assert run.curve_db == tmp_path / "arena" / "curve.sqlite"
    run.create()
    run.model_path(2).touch()
    run.model_path(0).touch()
    run.replay_dir(1).mkdir()
    assert (run.model_generations(), run.replay_generations()) == ([0, 2], [1])


def test_the_alphago_layout_names_every_stage_output(tmp_path: Path) -> None:
    run = AlphaGoRunDir(tmp_path)
    assert run.sl_policy == tmp_path / "sl-policy.safetensors"
    assert run.outputs("sl") == [run.sl_policy, tmp_path / "sl-policy.json"]
    assert run.outputs("value")[0] == run.value_net
    assert run.outputs("rollout") == [run.rollout_policy]
    assert run.outputs("tree") == [run.tree_policy]
    assert run.outputs("rl")[0] == run.rl_policy
    assert run.outputs("evaluate") == [run.report]
    assert list(STAGE_OUTPUTS)[0] == "records" and list(STAGE_OUTPUTS)[-1] == "evaluate"


def test_config_json_round_trip(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    assert folder.saved_config() is None
    folder.save_config({"seed": 1, "train": {"steps": 2}}, "1.2.3")
    assert folder.saved_config() == {"seed": 1, "train": {"steps": 2}}
    assert '"package_version": "1.2.3"' in folder.config_path.read_text()


def test_hold_locks_the_folder_and_removes_a_killed_runs_temp_files(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    stale = tmp_path / "models" / ".gen-000001.safetensors.abc123.tmp"
    stale.write_bytes(b"half")
    kept = tmp_path / "models" / "gen-000001.safetensors"
    kept.write_bytes(b"whole")
    with ZeroRunDir(tmp_path).hold("igo zero"):
        assert not stale.exists() and kept.exists()
        with pytest.raises(RunDirInUse, match="in use by another igo zero process"):
            AlphaGoRunDir(tmp_path).hold("igo zero")
    AlphaGoRunDir(tmp_path).hold("igo alphago").close()  # released with its handle


def test_run_folders_do_not_import_torch() -> None:
    code = "import sys, igo.run_dir; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
