"""The parameter server on a local Ray cluster (``igo.train.parameter_server``,
``igo.train.parameter_server_ray``): one asynchronous worker with staleness 0 takes the
one-process SL stage's steps; synchronous with 2 workers equals one process on their
concatenated batches; a slow worker's stale gradients are dropped; a killed run resumes from its
checkpoint; the CLI refuses bad input with one line."""

from __future__ import annotations

import csv
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

# The SL stage's tests' shards (16 random 5x5 games, a quarter held out), fixture and all.
from test_sl_policy_stage import shards_fixture  # noqa: F401

from igo.cli.main import main
from igo.encode.alphago import NUM_PLANES
from igo.nn.net import PolicyNet
from igo.train.alphago.sl_policy_stage import SlConfig, cross_entropy, sl_moves, train_sl_policy
from igo.train.alphago.supervised_data import (
    Symmetries,
    load_examples,
    planes_from_examples,
    select,
)
from igo.train.alphago.supervised_loop import (
    StageData,
    draw_minibatch,
    stage_net,
    train_config_of,
)
from igo.train.parameter_server import (
    ParameterServer,
    PsConfig,
    PsWorker,
    ps_stats_path,
    worker_rng,
)
from igo.train.parameter_server_ray import drive, start, train_sl_policy_ps
from igo.train.trainer import make_optimizer
from igo.train.training_config import learning_rate_at

ray = pytest.importorskip("ray")

SIZE = 5
CPU = torch.device("cpu")
TINY = SlConfig(
    blocks=2, channels=8, steps=6, batch_size=8, learning_rate=0.05, lr_drop_at=0.5,
    checkpoint_every=3, eval_positions=64, torch_threads=1, seed=3,
)  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _cluster() -> Iterator[None]:
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield
    ray.shutdown()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _net(path: Path) -> dict[str, torch.Tensor]:
    return load_file(path)


def _assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6, msg=key)


def test_one_async_worker_takes_the_one_process_steps(shards: Path, tmp_path: Path) -> None:
    # Batch norm included: the worker's running statistics come back with its gradient.
    one = tmp_path / "one.safetensors"
    train_sl_policy(shards, one, TINY)
    ps = PsConfig(mode="async", workers=1, max_staleness=0)
    report = train_sl_policy_ps(shards, tmp_path / "ps.safetensors", TINY, ps)
    assert report.steps == TINY.steps
    _assert_same(_net(tmp_path / "ps.safetensors"), _net(one))
    stats = json.loads(ps_stats_path(tmp_path / "ps.safetensors").read_text())
    assert stats["applied"] == TINY.steps and stats["dropped"] == 0
    assert stats["staleness_histogram"] == {"0": TINY.steps}


def _concatenated_batches(shards: Path, config: SlConfig, workers: int) -> dict[str, torch.Tensor]:
    """One process's SGD on the concatenation of each worker's minibatch, update by update."""
    train = load_examples(shards, "sl", "train")
    assert train is not None
    datas, rngs = [], []
    for i in range(workers):
        mine = select(train, np.arange(i, train["move"].shape[0], workers))
        planes = planes_from_examples(mine, value_plane=False)
        datas.append(StageData(planes, sl_moves(mine, str(shards)), moves=True))
        rngs.append(worker_rng(config.seed, i, 0))
    net = stage_net(config, SIZE, PolicyNet, NUM_PLANES, "policy")
    optimizer = make_optimizer(net, train_config_of(config))
    symmetries = Symmetries.of(SIZE)
    for step in range(0, config.steps, workers):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(train_config_of(config), step, config.steps)
        batches = [
            draw_minibatch(d, symmetries, r, config.batch_size, CPU)
            for d, r in zip(datas, rngs, strict=True)
        ]
        x = torch.cat([b[0] for b in batches])
        y = torch.cat([b[1] for b in batches])
        optimizer.zero_grad()
        cross_entropy(net, x, y).backward()  # type: ignore[no-untyped-call]
        optimizer.step()
    return net.state_dict()


def test_sync_two_workers_equal_one_process_on_the_concatenated_batch(
    shards: Path, tmp_path: Path
) -> None:
    # Layer norm: no batch statistics, so the mean of the two gradients is the joint batch's.
    config = replace(TINY, norm="layer")
    out = tmp_path / "ps.safetensors"
    train_sl_policy_ps(shards, out, config, PsConfig(mode="sync", workers=2))
    _assert_same(_net(out), _concatenated_batches(shards, config, 2))
    stats = json.loads(ps_stats_path(out).read_text())
    assert stats["applied"] == config.steps and stats["staleness_max"] == 0


def _server(shards: Path, out: Path, config: SlConfig, ps: PsConfig) -> ParameterServer:
    return ParameterServer(str(shards), str(out), SIZE, config, ps, str(out.parent / "logs"))


def test_the_server_drops_gradients_older_than_the_bound(shards: Path, tmp_path: Path) -> None:
    ps = PsConfig(mode="async", workers=2, max_staleness=1)
    server = _server(shards, tmp_path / "ps.safetensors", TINY, ps)
    workers = [PsWorker(str(shards), i, TINY, ps) for i in range(2)]
    version, weights, _ = server.pull()
    old = workers[1].gradient(version, weights)  # computed on the weights of step 0
    for _ in range(2):
        assert server.push(workers[0].gradient(*server.pull()[:2]))
    assert server.trainer.step == 2
    before = {k: v.clone() for k, v in server.trainer.net.state_dict().items()}
    assert server.push(old)  # staleness 2 > 1: dropped, the weights unchanged
    _assert_same(server.trainer.net.state_dict(), before)
    assert server.push(workers[1].gradient(*server.pull()[:2]))
    stats = server.stats()
    assert stats["dropped"] == 1 and stats["applied"] == 3 and stats["staleness_max"] == 0
    rows = _rows(tmp_path / "logs" / "heldout.csv")
    assert [r["step"] for r in rows] == ["3"]  # the checkpoint every 3 gradients applied


def test_the_server_resumes_from_its_trainer_checkpoint(shards: Path, tmp_path: Path) -> None:
    ps = PsConfig(mode="sync", workers=1)
    out = tmp_path / "ps.safetensors"
    server = _server(shards, out, TINY, ps)
    worker = PsWorker(str(shards), 0, TINY, ps)
    for _ in range(4):  # a checkpoint at 3, then one more step and a "kill"
        server.push(worker.gradient(*server.pull()[:2]))
    saved = {k: v.clone() for k, v in server.trainer.net.state_dict().items()}
    assert out.with_suffix(".trainer.pt").exists()
    again = _server(shards, out, TINY, ps)
    assert again.trainer.step == 3 and again.stats()["resumed_at"] == 3
    while again.push(worker.gradient(*again.pull()[:2])):
        pass
    report = again.finish(100)
    assert report["steps"] == TINY.steps and out.exists()
    assert not out.with_suffix(".trainer.pt").exists()
    assert any(not torch.equal(v, _net(out)[k]) for k, v in saved.items())


@pytest.mark.slow
def test_a_slow_workers_stale_gradients_are_dropped_on_ray(shards: Path, tmp_path: Path) -> None:
    config = replace(TINY, steps=300, checkpoint_every=300)
    ps = PsConfig(mode="async", workers=2, max_staleness=1, worker_cpus=0.5)
    # Worker 1 waits 1 s before each push: worker 0 applies many gradients meanwhile.
    server, workers, _ = start(shards, tmp_path / "ps.safetensors", config, ps, delays=(0.0, 1.0))
    drive(server, workers, ps)
    stats = ray.get(server.stats.remote())
    assert stats["applied"] == 300 and stats["dropped"] >= 1
    assert stats["staleness_max"] <= 1
    for actor in [server, *workers]:
        ray.kill(actor)


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_last_checkpoint(shards: Path, tmp_path: Path) -> None:
    config = replace(TINY, steps=30, checkpoint_every=5)
    out, logs = tmp_path / "ps.safetensors", tmp_path / "logs"
    ps = PsConfig(mode="async", workers=1)
    server, workers, _ = start(shards, out, config, ps, logs, delays=(0.2,))
    running = workers[0].run.remote(server)
    trainer = out.with_suffix(".trainer.pt")
    deadline = time.monotonic() + 120
    while not trainer.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    for actor in [server, *workers]:
        ray.kill(actor)  # the server dies mid-run, the worker with it
    with pytest.raises(ray.exceptions.RayActorError):
        ray.get(running)
    assert trainer.exists() and not out.exists()
    report = train_sl_policy_ps(shards, out, config, ps, log_dir=logs)
    stats = json.loads(ps_stats_path(out).read_text())
    assert report.steps == 30 and 5 <= stats["resumed_at"] < 30
    assert stats["resumed_at"] % 5 == 0 and stats["applied"] == 30 - stats["resumed_at"]
    steps = [int(r["step"]) for r in _rows(logs / "train.csv")]
    assert steps == sorted(set(steps)) and steps[-1] == 30
    assert not trainer.exists()


def test_an_actors_own_error_reaches_the_caller(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()  # a folder without shards: the workers refuse it
    with pytest.raises(ValueError, match="no training examples of kind 'sl'"):
        train_sl_policy_ps(tmp_path / "empty", tmp_path / "ps.safetensors", TINY, PsConfig())


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--ps-workers", "0"], "workers must be at least 1"),
        (["--ps-staleness", "-1"], "max_staleness must be >= 0"),
        (["--ray", "127.0.0.1:1"], "no Ray cluster answers there"),
        (["--ray", "nowhere"], "not an address"),
    ],
)
def test_cli_refuses_bad_input_with_one_line(
    flags: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["alphago", "--preset", "tiny", "--run-dir", str(tmp_path / "run"), *flags])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "run").exists()


def test_cli_without_ray_names_the_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    code = main(
        ["alphago", "--preset", "tiny", "--run-dir", str(tmp_path / "run"), "--ps-workers", "2"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "'distributed' extra" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("device", "message"), [("tpu", "unknown device 'tpu'"), ("cuda:7", "device 'cuda:7'")]
)
def test_cli_refuses_a_bad_device_with_one_line(
    device: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if device.startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    code = main(
        ["alphago", "--preset", "tiny", "--run-dir", str(tmp_path / "r"), "--device", device]
    )
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("stage", "function"),
    [
        ("sl", "igo.train.alphago.sl_policy_stage.train_sl_policy"),
        ("rl", "igo.train.alphago.rl_policy_stage.train_rl_policy"),
        ("value_data", "igo.selfplay.value_data.generate_value_data"),
        ("value", "igo.train.alphago.value_net_stage.train_value_net"),
    ],
)
def test_the_pipeline_gives_its_device_to_every_trainer(
    stage: str, function: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from igo.run_dir import AlphaGoRunDir
    from igo.train.alphago.pipeline import STAGE_FUNCTIONS, AlphaGoRun
    from igo.train.alphago.pipeline_config import ALPHAGO_CONFIGS

    seen: list[str] = []

    class _Report:
        def to_dict(self) -> dict[str, float]:
            return {}

    def record(*args: object, device: str = "unset", **kwargs: object) -> _Report:
        seen.append(device)
        return _Report()

    monkeypatch.setattr(function, record)
    config = ALPHAGO_CONFIGS.load_preset("tiny")
    run = AlphaGoRun(config, AlphaGoRunDir(tmp_path), progress=False, device="cpu")
    STAGE_FUNCTIONS[stage](run)
    assert seen == ["cpu"]
