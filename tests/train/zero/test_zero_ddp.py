"""The Zero loop under torchrun (2 processes, gloo, CPU): rank 0 plays and gates, every rank trains
its half of each replay minibatch, and the run ends with the weights of one process with the same
global batch, also when the 2 processes resume a run 1 process stopped mid-training; rank 0 alone
writes; a batch that does not split over the ranks is refused with one clear message."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file

from igo.run_dir import ZeroRunDir
from igo.train.zero.loop import run_zero
from igo.train.zero.loop_config import ZERO_CONFIGS, ZeroConfig
from igo.train.zero.loop_state import load_state
from torchrun_launch import torchrun

# The tiny preset cut to one generation of 8 games; layer norm, which has no batch statistics, so
# the ranks' halves give the one-process batch's gradients exactly.
SETTINGS: dict[str, Any] = {
    "generations": 1,
    "checkpoint_every": 10,
    "keep_checkpoints": 3,
    "net_overrides": {"blocks": 2, "channels": 16, "value_hidden": 32, "norm": "layer"},
    "selfplay.games_per_generation": 8,
    "selfplay.parallel_games": 8,
    "selfplay.search.num_simulations": 8,
    "train.steps_per_generation": 20,
    "train.batch_size": 16,
    "train.min_samples": 16,
    "gate.num_games": 2,
    "gate.parallel_games": 2,
    "gate.search.num_simulations": 4,
}

WORKER = textwrap.dedent(
    """
    import json, sys
    import torch
    from igo.train import distributed
    from igo.train.zero.loop import run_zero
    from igo.train.zero.loop_config import ZERO_CONFIGS, ConfigError

    class Stop(Exception):
        pass

    def hook(event):  # rank 0 stops once the generation has trained (its gate is not tested)
        if event == "phase":
            raise Stop()

    overrides, answer = json.loads(sys.argv[1]), sys.argv[2]
    torch.set_num_threads(1)
    config = ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), overrides)
    with distributed.process_group() as ranks:
        refused, steps = "", -1
        try:
            steps = run_zero(config, progress=False, hook=hook).train_steps
        except ConfigError as err:
            refused = str(err)
        except Stop:
            pass
        with open(f"{answer}.{ranks.rank}", "w") as handle:
            json.dump({"world": ranks.world_size, "refused": refused, "steps": steps}, handle)
    """
)


class Stop(Exception):
    """Stands for the process being killed at a hook point."""


def _config(run_dir: Path, **more: Any) -> ZeroConfig:
    overrides = {**SETTINGS, "run_dir": str(run_dir), **more}
    return ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), overrides)


def _stop_at(event: str):  # type: ignore[no-untyped-def]
    def hook(name: str) -> None:
        if name == event:
            raise Stop(event)

    return hook


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder whose generation 0 has played its games and waits to train."""
    run_dir = tmp_path_factory.mktemp("zero-ddp") / "played"
    torch.set_num_threads(1)
    with pytest.raises(Stop):
        run_zero(_config(run_dir), progress=False, hook=_stop_at("phase"))
    state = load_state(ZeroRunDir(run_dir).state_path)
    assert state is not None and state.phase == "train"
    return run_dir


def _copy(played: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(played, target)
    return target


def _torchrun(tmp_path: Path, run_dir: Path, **more: Any) -> list[dict[str, Any]]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    answer = tmp_path / "answer"
    torchrun([str(script), json.dumps({**SETTINGS, "run_dir": str(run_dir), **more}), str(answer)])
    return [json.loads(Path(f"{answer}.{rank}").read_text()) for rank in (0, 1)]


def _weights(path: Path, prefix: str = "net.") -> dict[str, torch.Tensor]:
    weights = {k: v for k, v in load_file(path).items() if k.startswith(prefix)}
    assert weights, path
    return weights


def _assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6, msg=key)


def _one_process(run_dir: Path) -> None:
    """Generation 0's training in one process (stopped before its gate)."""
    torch.set_num_threads(1)
    with pytest.raises(Stop):
        run_zero(_config(run_dir), progress=False, hook=_stop_at("phase"))


def test_two_processes_take_the_one_process_steps(played: Path, tmp_path: Path) -> None:
    one, two = _copy(played, tmp_path, "one"), _copy(played, tmp_path, "two")
    _one_process(one)
    answers = _torchrun(tmp_path, two)
    # Rank 0 stopped after training (as if killed); rank 1 returned with the steps it trained.
    assert [a["world"] for a in answers] == [2, 2] and answers[1]["steps"] == 20
    runs = ZeroRunDir(one), ZeroRunDir(two)
    before = _weights(ZeroRunDir(played).checkpoint_path(0))
    after = _weights(runs[0].checkpoint_path(20))
    assert any(not torch.equal(before[k], after[k]) for k in before)  # the steps moved it
    for step in (10, 20):
        _assert_same(after if step == 20 else _weights(runs[0].checkpoint_path(step)),
                     _weights(runs[1].checkpoint_path(step)))  # fmt: skip
    _assert_same(_weights(runs[0].model_path(1), ""), _weights(runs[1].model_path(1), ""))
    state = load_state(runs[1].state_path)
    assert state is not None and (state.phase, state.train_steps) == ("gate", 20)
    with open(runs[1].logs / "train.csv", newline="") as handle:  # rank 0 alone logs
        assert [int(row["step"]) for row in csv.DictReader(handle)] == list(range(1, 21))


def test_two_processes_resume_a_one_process_run(played: Path, tmp_path: Path) -> None:
    whole, resumed = _copy(played, tmp_path, "whole"), _copy(played, tmp_path, "resumed")
    _one_process(whole)
    with pytest.raises(Stop):  # one process stops after its checkpoint at step 10
        run_zero(_config(resumed), progress=False, hook=_stop_at("checkpoint"))
    _torchrun(tmp_path, resumed)
    _assert_same(
        _weights(ZeroRunDir(whole).checkpoint_path(20)),
        _weights(ZeroRunDir(resumed).checkpoint_path(20)),
    )


def test_a_batch_that_does_not_split_is_refused(tmp_path: Path) -> None:
    answers = _torchrun(tmp_path, tmp_path / "never", **{"train.batch_size": 15})
    for answer in answers:
        assert "batch_size 15 does not split over 2 processes" in answer["refused"]
    assert not (tmp_path / "never").exists()  # refused before the folder is made


def test_train_pipeline_trains_a_split_net_on_the_played_positions(
    played: Path, tmp_path: Path
) -> None:
    """``igo train-pipeline`` (model parallelism, igo.train.pipeline_training) end to end on
    this module's played generation: 2 stages under torchrun, a line per step, the whole net
    written by rank 0 and moved by the steps."""
    from igo.nn.checkpoint import load_checkpoint
    from igo.nn.registry import create_net

    out = tmp_path / "deep.safetensors"
    done = torchrun([
        "-m", "igo", "train-pipeline", "--zero-run", str(played), "--channels", "8",
        "--batch-size", "16", "--micro-batches", "4", "--steps", "3", "--out", str(out),
    ])  # fmt: skip
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == [
        "step 1", "step 2", "step 3", f"wrote {out}",
    ]  # fmt: skip
    trained = load_checkpoint(out)
    torch.manual_seed(0)
    fresh = create_net("resnet_b19c256", board_size=5, in_planes=17, channels=8, norm="layer")
    assert trained.config == fresh.config
    pairs = zip(trained.state_dict().values(), fresh.state_dict().values(), strict=True)
    moved = [not torch.equal(a, b) for a, b in pairs]
    assert all(moved[:2]) and moved[-1]  # the stem (stage 0) and the value head (stage 1)


def test_train_pipeline_outside_torchrun_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "igo", "train-pipeline", "--zero-run", "x"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "igo train-pipeline: error: it splits the net over processes: start it with torchrun "
        "--nproc_per_node 2 -m igo train-pipeline ..."
    ]


def test_a_refusal_on_rank_0_alone_lets_the_others_return(played: Path, tmp_path: Path) -> None:
    """Rank 0 alone checks the run folder's saved settings; refused there, it tells the others,
    which return instead of failing on a closed connection."""
    run_dir = _copy(played, tmp_path, "other")
    answers = _torchrun(tmp_path, run_dir, **{"selfplay.games_per_generation": 9})
    assert "was started with other settings" in answers[0]["refused"]
    assert answers[1] == {"world": 2, "refused": "", "steps": 0}
