"""The carried run state (``igo.train.zero.carry``): a run carried, its run folder deleted, and
the same run resumed from the carry alone, with the same generation numbering and a learning
curve without a gap; a corrupt, incomplete or foreign carry is one line."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from igo.data.replay_buffer import list_games
from igo.run_dir import ZeroRunDir
from igo.train.zero.carry import MANIFEST, CarryError, carried_generation, pack_games
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS, ZeroConfig
from igo.train.zero.loop_state import load_state

HANG_GUARD_S = 900.0
"""A hang guard, not a speed claim."""

# Two generations of eight 5x5 games and 20 steps each, every candidate accepted.
SMOKE = {"generations": 2, "checkpoint_every": 10, "gate.mode": "none"} | {
    "selfplay.games_per_generation": 8,
    "selfplay.parallel_games": 8,
    "selfplay.search.num_simulations": 8,
    "train.steps_per_generation": 20,
}


def carried(tmp_path: Path, **overrides: object) -> ZeroConfig:
    values = {"run_dir": str(tmp_path / "run"), "carry_dir": str(tmp_path / "carry"), **SMOKE}
    return ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), values | overrides)


def generations_logged(run: ZeroRunDir) -> list[int]:
    with (run.logs / "generations.csv").open() as f:
        return [int(row["generation"]) for row in csv.DictReader(f)]


@pytest.fixture(scope="module")
def finished_carry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-generation run with a carry; the carry folder, kept for the tests (copied)."""
    tmp = tmp_path_factory.mktemp("carried")
    run_zero(carried(tmp), progress=False)
    return tmp / "carry"


def fresh_copy(carry: Path, tmp_path: Path) -> Path:
    shutil.copytree(carry, tmp_path / "carry")
    return tmp_path / "carry"


def test_run_resumes_from_the_carry_alone(
    finished_carry: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh_copy(finished_carry, tmp_path)
    assert carried_generation(tmp_path / "carry") == 2
    config = carried(tmp_path, generations=3)
    run = ZeroRunDir(config.run_dir)
    assert not run.root.exists()  # a new machine: no run folder at all
    state = run_zero(config, progress=False)
    told = capsys.readouterr().err
    assert "restored from the carry" in told and "generation 2, 16 games" in told
    assert "igo zero: self-play in " in told and "; training in " in told  # and why
    # The same generation numbering, the steps continued, the curve without a gap.
    assert (state.generation, state.train_steps) == (3, 3 * 20)
    assert [h["generation"] for h in state.history] == [0, 1, 2]
    assert generations_logged(run) == [0, 1, 2]
    with (run.logs / "train.csv").open() as f:
        assert [int(r["step"]) for r in csv.DictReader(f)] == list(range(1, 61))
    # Two stretches: generations 0-2 on the first "machine", 2-3 on this one.
    spans = [(s["from_generation"], s["to_generation"]) for s in state.stretches]
    assert spans == [(0, 2), (2, 3)]
    # The replay was refilled from the carried games (8 games of each of 2 generations), and
    # generation 2's own 8 were played on top.
    assert len(list_games(run.replay)) == 16 + 8
    # The carry moved on to generation 3, one snapshot only.
    assert carried_generation(tmp_path / "carry") == 3
    assert [p.name for p in (tmp_path / "carry").glob("gen-*")] == ["gen-000003"]


def test_carry_holds_its_files_and_bound(finished_carry: Path) -> None:
    manifest = json.loads((finished_carry / MANIFEST).read_text())
    assert manifest["generation"] == 2 and manifest["games"] == 16
    names = set(manifest["files"])
    assert {"config.toml", "state.json", "best.safetensors", "trainer.safetensors"} <= names
    assert {"generations.csv", "train.csv", "stretches.csv", "games.npz"} <= names
    stretches = (finished_carry / manifest["snapshot"] / "stretches.csv").read_text()
    assert stretches.splitlines()[0].startswith("stretch,host,started,ended")


def test_game_sample_keeps_the_newest_games_under_the_bound(tmp_path: Path) -> None:
    run = ZeroRunDir(tmp_path / "run")
    config = carried(tmp_path, generations=1)
    run_zero(config, progress=False)
    sizes = [
        (run.replay_dir(e.generation) / e.info.name).stat().st_size for e in list_games(run.replay)
    ]
    everything, count = pack_games(run, sum(sizes))
    assert count == len(sizes) == 8
    _, three = pack_games(run, sum(sizes[-3:]))
    assert three == 3  # the newest three, not any three
    assert pack_games(run, 0)[1] == 0
    assert len(everything) > sum(sizes)


def igo_zero(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "igo", "zero", "--preset", "tiny", "--no-progress", *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=tmp_path, timeout=HANG_GUARD_S
    )


@pytest.mark.parametrize("damage", ["corrupt", "missing", "manifest", "stray"])
def test_bad_carry_is_one_line(finished_carry: Path, tmp_path: Path, damage: str) -> None:
    carry = fresh_copy(finished_carry, tmp_path)
    snapshot = carry / json.loads((carry / MANIFEST).read_text())["snapshot"]
    if damage == "corrupt":
        data = bytearray((snapshot / "trainer.safetensors").read_bytes())
        data[-1] ^= 0xFF
        (snapshot / "trainer.safetensors").write_bytes(bytes(data))
    elif damage == "missing":
        (snapshot / "games.npz").unlink()
    elif damage == "manifest":
        (carry / MANIFEST).write_text("{not json")
    else:  # a folder with files but no carry in it
        shutil.rmtree(carry)
        carry.mkdir()
        (carry / "notes.txt").write_text("mine")
    result = igo_zero(tmp_path, "--run-dir", "run", "--carry", "carry")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("igo zero: error: carry "), result.stderr
    assert "Traceback" not in result.stderr
    assert load_state(ZeroRunDir(tmp_path / "run").state_path) is None


def test_carry_ahead_of_the_run_folder_is_refused(finished_carry: Path, tmp_path: Path) -> None:
    fresh_copy(finished_carry, tmp_path)
    run_zero(carried(tmp_path / "elsewhere", generations=1), progress=False)
    shutil.move(tmp_path / "elsewhere" / "run", tmp_path / "run")  # a run folder at gen 1
    with pytest.raises(CarryError, match="ahead of"):
        run_zero(carried(tmp_path), progress=False)
