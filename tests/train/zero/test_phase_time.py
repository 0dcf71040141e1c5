"""The loop's accounts (``igo.train.zero.phase_time``): wall and CPU seconds of each phase, per
generation and over the run, through a resume, a carry and a state written before them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from igo.run_dir import ZeroRunDir
from igo.train.training_logs import CsvLog
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS, ZeroConfig
from igo.train.zero.loop_state import PHASES, ZeroState, load_state
from igo.train.zero.phase_time import PhaseClock, phase_columns

FIXTURE = Path(__file__).parent / "fixtures" / "kata-run-0.1.0"
SMOKE = {"checkpoint_every": 10, "gate.num_games": 2, "gate.parallel_games": 2} | {
    "selfplay.games_per_generation": 4,
    "selfplay.parallel_games": 4,
    "selfplay.search.num_simulations": 4,
    "gate.search.num_simulations": 4,
    "train.steps_per_generation": 10,
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_clock_charges_each_stretch_to_its_phase() -> None:
    wall, cpu = FakeClock(), FakeClock()
    clock, state = PhaseClock(wall, cpu), ZeroState()
    clock.charge(state)  # nothing started: nothing charged
    assert state.seconds == {}
    clock.start("selfplay", state)
    wall.now += 10.0
    cpu.now += 7.0
    with clock.phase_of("train", state):  # training while games arrive (Ray)
        wall.now += 3.0
        cpu.now += 2.5
    wall.now += 1.0
    clock.start("gate", state)
    wall.now += 4.0
    cpu.now += 0.5
    clock.charge(state)
    clock.charge(state)  # a second charge adds nothing
    assert state.seconds == {
        "selfplay.wall": 11.0,
        "selfplay.cpu": 7.0,
        "train.wall": 3.0,
        "train.cpu": 2.5,
        "gate.wall": 4.0,
        "gate.cpu": 0.5,
    }


def test_columns_split_the_run_totals_by_generation() -> None:
    state = ZeroState(seconds={"selfplay.wall": 50.0, "selfplay.cpu": 40.0, "train.cpu": 3600})
    first = phase_columns(state)
    assert first["time.selfplay.wall_s"] == 50.0 and first["run.train.cpu_s"] == 3600
    assert first["run.cpu_h"] == pytest.approx((40 + 3600) / 3600)
    state.history.append({"generation": 0, **first})
    state.seconds["selfplay.wall"] += 20.0
    state.seconds["gate.wall"] = 5.0
    second = phase_columns(state)
    assert second["time.selfplay.wall_s"] == 20.0 and second["run.selfplay.wall_s"] == 70.0
    assert second["time.train.cpu_s"] == 0.0 and second["time.gate.wall_s"] == 5.0
    # A generation logged before the accounting began: its totals count as 0.
    state.history[-1] = {"generation": 0, "selfplay.games": 4}
    assert phase_columns(state)["time.selfplay.wall_s"] == 70.0


def test_an_old_state_loads_and_counts_from_where_it_resumed(tmp_path: Path) -> None:
    old = json.loads((FIXTURE / "run" / "state.json").read_text())
    assert "seconds" not in old  # written by igo 0.1.0, before the accounting
    path = tmp_path / "state.json"
    path.write_text(json.dumps(old | {"generation": 3}))
    state = load_state(path)
    assert state is not None
    assert (state.seconds, state.seconds_since, state.generation) == ({}, 3, 3)


def timed(tmp_path: Path, generations: int, **more: object) -> ZeroConfig:
    values = {"run_dir": str(tmp_path / "run"), "generations": generations, **SMOKE, **more}
    return ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), values)


def csv_rows(run: ZeroRunDir) -> list[dict[str, str]]:
    with (run.logs / "generations.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_run_records_each_phase_over_stretches_and_a_carry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    carry = tmp_path / "carry"
    run_zero(timed(tmp_path, 1, carry_dir=str(carry)), progress=False)
    assert " CPU h so far" in capsys.readouterr().err  # the generation's log line
    shutil.rmtree(tmp_path / "run")  # a new machine: only the carry is left
    config = timed(tmp_path, 2, carry_dir=str(carry))
    state = run_zero(config, progress=False)
    run = ZeroRunDir(config.run_dir)
    first, second = state.history
    for entry in (first, second):
        for phase in PHASES:
            assert entry[f"time.{phase}.wall_s"] > 0, phase
            assert entry[f"time.{phase}.cpu_s"] > 0, phase
    for phase in PHASES:  # the second stretch added to the first's totals
        for kind in ("wall", "cpu"):
            key = f"{phase}.{kind}_s"
            assert second[f"run.{key}"] == pytest.approx(
                first[f"run.{key}"] + second[f"time.{key}"]
            )
    cpu = sum(second[f"run.{phase}.cpu_s"] for phase in PHASES)
    assert second["run.cpu_h"] == pytest.approx(cpu / 3600)
    rows = csv_rows(run)
    assert [int(r["generation"]) for r in rows] == [0, 1]
    assert float(rows[1]["run.cpu_h"]) == pytest.approx(second["run.cpu_h"], rel=1e-5)
    assert state.seconds_since == 0


def test_old_run_gains_the_columns_on_resume(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(FIXTURE / "run", run)
    preset = ZERO_CONFIGS.load_preset(str(FIXTURE / "kata-small.toml"))
    config = ZERO_CONFIGS.with_overrides(preset, {"run_dir": str(run), "generations": 2})
    state = run_zero(config, progress=False)
    assert state.seconds_since == 1 and state.seconds["train.cpu"] > 0
    rows = csv_rows(ZeroRunDir(run))
    assert [int(r["generation"]) for r in rows] == [0, 1]
    assert rows[0]["run.cpu_h"] == "" and float(rows[1]["run.cpu_h"]) > 0  # header widened
    assert rows[0]["selfplay.games"] == "2"  # the old row kept


def test_csv_log_widens_its_header_for_new_columns(tmp_path: Path) -> None:
    log = CsvLog(tmp_path / "g.csv", "generation", 10)
    log.append({"generation": 0, "a": 1})
    log.append({"generation": 1, "a": 2, "b": 3.5})
    log.close()
    again = CsvLog(tmp_path / "g.csv", "generation", 10)
    assert again.fields == ["generation", "a", "b"]
    text = (tmp_path / "g.csv").read_text().splitlines()
    assert text == ["generation,a,b", "0,1,", "1,2,3.5"]
