"""``igo zero --ray``: self-play on Ray actors, on a local cluster of 2 CPUs (``ray.init``).

The fault tests of issue 15: an actor killed mid-game loses no finished game and duplicates
none, the learner goes on with a replacement actor; a learner killed and started again resumes
from its last checkpoint; and the run folder resumes without Ray.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from igo.cli.main import main
from igo.data.replay_buffer import list_games
from igo.data.shards import read_manifest
from igo.run_dir import ZeroRunDir
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS, ZeroConfig
from igo.train.zero.loop_state import load_state

ray = pytest.importorskip("ray")

HANG_GUARD_S = 900.0
"""A hang guard, not a speed claim (a loaded machine starts Ray in 10-30 s)."""

# Four waves of games per actor (8 owed, 2 at a time), so that a kill after an actor's first
# game lands mid-game, with games still owed.
SMALL = {
    "generations": 1,
    "checkpoint_every": 10,
    "selfplay.games_per_generation": 16,
    "selfplay.parallel_games": 2,
    "selfplay.search.num_simulations": 8,
    "train.steps_per_generation": 20,
    "gate.num_games": 4,
    "gate.parallel_games": 4,
    "gate.search.num_simulations": 8,
}


def small(tmp_path: Path, **extra: object) -> ZeroConfig:
    overrides = {"run_dir": str(tmp_path / "run"), **SMALL, **extra}
    return ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), overrides)


@pytest.fixture(scope="module")
def cluster() -> Iterator[ModuleType]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def game_ids(run_dir: Path) -> list[str]:
    return [e.info.extra["game_id"] for e in list_games(ZeroRunDir(run_dir).replay)]


def test_killed_actor_loses_and_repeats_no_game(cluster: ModuleType, tmp_path: Path) -> None:
    from igo.train.zero.ray_learner import RayZeroLoop
    from igo.train.zero.ray_selfplay import ActorPool

    config = small(tmp_path)
    pool = ActorPool(cluster, 2, torch_threads=1)
    first = f"{pool.session}.0"
    killed: list[int] = []

    def hook(event: str) -> None:  # kill actor 0 right after its first game reached the learner
        if event == "game" and not killed and pool.delivered.get(first, 0) >= 1:
            killed.append(pool.delivered[first])
            cluster.kill(pool.actors[0])

    loop = RayZeroLoop(config, False, hook, pool)
    try:
        state = loop.run()
    finally:
        loop.close()
        pool.close()
    assert killed and pool.replaced >= 1 and pool.started >= 3
    ids = game_ids(Path(config.run_dir))
    assert len(ids) == len(set(ids)) == 16  # every game once, none lost, none doubled
    run = ZeroRunDir(config.run_dir)
    assert len(read_manifest(run.replay_dir(0))) == 16
    assert all((run.replay_dir(0) / f"game-{i:06d}.npz").is_file() for i in range(16))
    # Every game an actor finished reached the replay: its counters run 1..n without a gap.
    for actor, count in pool.delivered.items():
        mine = sorted(int(i.rpartition("/")[2]) for i in ids if i.startswith(actor + "/"))
        assert mine == list(range(1, count + 1)), actor
    assert pool.delivered[first] < 8  # killed with games still owed, played by its successor
    assert state.generation == 1 and state.train_steps == 20

    # The folder is an ordinary run folder: the next generation without Ray.
    state = run_zero(small(tmp_path, generations=2), progress=False)
    assert state.generation == 2 and state.train_steps == 40
    assert len(read_manifest(run.replay_dir(1))) == 16


def test_duplicate_game_ids_are_written_once(cluster: ModuleType, tmp_path: Path) -> None:
    from igo.train.zero.ray_learner import RayZeroLoop
    from igo.train.zero.ray_selfplay import ActorPool

    config = small(tmp_path, **{"selfplay.games_per_generation": 6})
    pool = ActorPool(cluster, 1, torch_threads=1)
    real_games = pool.games

    def twice(*args, **kwargs):  # type: ignore[no-untyped-def]
        for item in real_games(*args, **kwargs):  # each game delivered twice, as on a retry
            yield item
            yield item

    pool.games = twice  # type: ignore[method-assign]
    loop = RayZeroLoop(config, False, lambda event: None, pool)
    try:
        loop.run()
    finally:
        loop.close()
        pool.close()
    ids = game_ids(Path(config.run_dir))
    assert len(ids) == len(set(ids)) == 6


def igo_command(run_dir: Path) -> list[str]:
    return [
        sys.executable, "-m", "igo", "zero", "--preset", "tiny", "--ray", "auto", "--actors",
        "2", "--run-dir", str(run_dir), "--games-per-generation", "24", "--generations", "2",
        "--visits", "8", "--no-progress",
    ]  # fmt: skip


@pytest.mark.slow
def test_killed_learner_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3] / "src")}
    proc = subprocess.Popen(igo_command(run_dir), env=env, start_new_session=True)
    state_path = ZeroRunDir(run_dir).state_path
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline and proc.poll() is None:
        state = load_state(state_path) if state_path.exists() else None
        if state is not None and state.train_steps >= 20:  # a checkpoint taken mid-generation
            break
        time.sleep(0.5)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the learner and the local cluster it started
    proc.wait()
    killed_at = load_state(state_path)
    assert killed_at is not None
    done = subprocess.run(
        igo_command(run_dir), env=env, capture_output=True, text=True, timeout=HANG_GUARD_S
    )
    assert done.returncode == 0, done.stderr
    state = load_state(state_path)
    assert state is not None and state.generation == 2 and state.train_steps == 120
    ids = game_ids(run_dir)
    assert len(ids) == len(set(ids)) == 48
    steps = [
        int(row.split(",")[0]) for row in (run_dir / "logs" / "train.csv").read_text().split()[1:]
    ]
    assert steps == sorted(set(steps)) and steps[-1] == 120  # no step logged twice
    assert json.loads((run_dir / "config.json").read_text())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ray", "auto", "--actors", "0"], "--actors 0: at least one actor"),
        (["--actors", "2"], "--actors needs --ray"),
        (["--ray", "nohost"], "expected auto or host:port"),
        (["--ray", "127.0.0.1:1"], "no Ray head answers there"),
    ],
)
def test_bad_ray_input_is_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    assert main(["zero", "--preset", "tiny", "--run-dir", str(run_dir), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not run_dir.exists()


def test_ray_missing_or_under_torchrun_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["zero", "--preset", "tiny", "--run-dir", str(tmp_path / "run"), "--ray", "auto"]
    monkeypatch.setitem(sys.modules, "ray", None)  # None in sys.modules: ImportError
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "needs ray, from igo's optional 'distributed' extra" in err and err.count("\n") == 1
    monkeypatch.undo()
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.setenv(name, "0")
    assert main(argv) == 2
    assert "start it without torchrun" in capsys.readouterr().err


def test_zero_without_ray_does_not_import_it() -> None:
    code = (
        "import sys, igo.cli.zero, igo.train.zero.loop; "
        "from igo.cli.main import build_parser; build_parser(); "
        "assert 'ray' not in sys.modules, 'ray imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
