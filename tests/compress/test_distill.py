"""Distillation (``igo.compress.distill``): the KD loss by hand, a frozen teacher, the loss going
down on real positions, FitNets' stage 1 touching only the student's lower part, and resuming."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import torch

import igo.train.alphago.supervised_loop as loop
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights
from igo.compress.distill import (
    DistillConfig,
    Teacher,
    distill,
    hints_trainer_path,
    kd_loss,
    kd_loss_fn,
)
from igo.compress.distill_recipe import build_student
from igo.compress.hints import forward_to, middle_layer
from igo.compress.positions import load_positions
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import Net
from igo.train.alphago.supervised_loop import StageConfig
from igo.train.trainer import load_trainer

SMALL = {"blocks": 3, "channels": 8, "norm": "batch"}


def _teacher(kind: str = "policy") -> Net:
    return load_checkpoint(shipped_weights(ALPHAGO_WEIGHTS[kind]))


def _config(steps: int = 6, hint_steps: int = 0, every: int = 2, **kw: Any) -> DistillConfig:
    training = StageConfig(
        steps=steps, batch_size=16, checkpoint_every=every, eval_positions=64, torch_threads=1
    )
    return DistillConfig(training=training, hint_steps=hint_steps, **kw)


def _student(teacher: Net, name: str = "alphago_policy_l13c192") -> Net:
    return build_student(name, teacher.config, seed=3, overrides=SMALL)


def test_kd_loss_is_hintons_by_hand() -> None:
    s, t, temperature, w = [1.0, 0.0], [0.0, 1.0], 2.0, 0.25
    p = [math.exp(x / temperature) for x in t]
    p = [x / sum(p) for x in p]
    q = [math.exp(x / temperature) for x in s]
    q = [x / sum(q) for x in q]
    kl = sum(pi * math.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    ce = math.log(1.0 + math.exp(-1.0))  # -log softmax([1, 0])[0]: move 0 was played
    expected = w * temperature**2 * kl + (1.0 - w) * ce
    got = kd_loss(torch.tensor([s]), torch.tensor([p]), torch.tensor([0]), temperature, w)
    assert float(got) == pytest.approx(expected, rel=1e-6)
    only_hard = kd_loss(torch.tensor([s]), torch.tensor([p]), torch.tensor([0]), temperature, 0.0)
    assert float(only_hard) == pytest.approx(ce, rel=1e-6)


def test_an_ensemble_averages_its_members_soft_policies() -> None:
    a, b = _teacher(), _teacher()
    with torch.no_grad():
        for param in b.parameters():
            param.mul_(0.5)
    x = torch.rand(4, 48, 9, 9).round()
    ensemble = Teacher([a, b], torch.device("cpu"))
    one, two = Teacher([a], torch.device("cpu")), Teacher([b], torch.device("cpu"))
    mean = (one.soft_policy(x, 3.0) + two.soft_policy(x, 3.0)) / 2
    torch.testing.assert_close(ensemble.soft_policy(x, 3.0), mean)
    assert torch.allclose(ensemble.soft_policy(x, 3.0).sum(dim=1), torch.ones(4))


def test_distilling_lowers_the_kd_loss_and_leaves_the_teacher_alone(
    sl_shards: Path, tmp_path: Path
) -> None:
    teacher = _teacher()
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    student = _student(teacher)
    config = _config(steps=40, every=40)
    held = load_positions(sl_shards, teacher.config, 128)
    x, moves = torch.from_numpy(held.planes), torch.from_numpy(held.moves)
    loss = kd_loss_fn(Teacher([teacher], torch.device("cpu")), config, policy=True)

    def kd(net: Net) -> float:
        net.eval()
        with torch.no_grad():
            return float(loss(net, x, moves))

    start = kd(student)
    trained, report = distill(student, teacher, sl_shards, config, out=tmp_path / "s.safetensors")
    assert kd(trained) < 0.8 * start
    assert report.steps == 40 and 0.0 < report.teacher["top1"] <= 1.0
    for name, tensor in teacher.state_dict().items():
        assert torch.equal(tensor, before[name]), name
    assert all(not p.requires_grad for p in teacher.parameters())


def test_a_value_student_learns_the_teachers_values(sl_shards: Path, tmp_path: Path) -> None:
    teacher = _teacher("value")
    student = _student(teacher, "alphago_value_l14c192")
    config = _config(steps=30, every=30, result_weight=0.0)
    config = replace(config, training=replace(config.training, learning_rate=0.01))
    held = load_positions(sl_shards, teacher.config, 128, split="train")
    x = torch.from_numpy(held.planes)
    with torch.no_grad():
        target = teacher.eval()(x)
        start = float(((student.eval()(x) - target) ** 2).mean())
    trained, report = distill(student, teacher, sl_shards, config, out=tmp_path / "v.safetensors")
    with torch.no_grad():
        end = float(((trained(x) - target) ** 2).mean())
    assert end < 0.85 * start and "mse" in report.student


def _interrupt_at(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Make the loop stop (as a kill would) before step ``step + 1``."""
    real = loop._step

    def step_or_stop(trainer: Any, *args: Any) -> float:
        if trainer.step == step:
            raise KeyboardInterrupt
        return real(trainer, *args)

    monkeypatch.setattr(loop, "_step", step_or_stop)


def test_the_hint_stage_trains_only_the_lower_part_and_the_regressor(
    sl_shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    teacher = _teacher()
    student = _student(teacher)
    initial = {k: v.clone() for k, v in student.state_dict().items()}
    guided = middle_layer(student)  # body.layers.1 of 3
    assert guided == "body.layers.1"
    out = tmp_path / "h.safetensors"
    _interrupt_at(monkeypatch, 4)  # the first KD step: stage 1 (4 steps) is done and saved
    with pytest.raises(KeyboardInterrupt):
        distill(student, teacher, sl_shards, _config(8, hint_steps=4), out=out)
    reg = torch.nn.Conv2d(8, 64, 1)
    reg_before = {k: v.clone() for k, v in reg.state_dict().items()}
    trainer = load_trainer(
        hints_trainer_path(out),
        loop.train_config_of(_config().training),
        torch.device("cpu"),
        {"regressor": reg},
    )
    assert trainer.step == 4
    lower = ("body.layers.0.", "body.layers.1.")
    for name, tensor in trainer.net.state_dict().items():
        if not name.endswith(("weight", "bias")):
            continue  # batch-norm statistics are buffers, not trained
        changed = not torch.equal(tensor, initial[name])
        assert changed == name.startswith(lower), name
    assert not torch.equal(reg.weight, reg_before["weight"])
    x = torch.rand(2, 48, 9, 9)
    assert forward_to(trainer.net, guided, x).shape == (2, 8, 9, 9)


@pytest.mark.parametrize("stop", [2, 5])  # inside the hint stage, inside KD
def test_a_resumed_run_ends_where_an_uninterrupted_one_does(
    sl_shards: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: int
) -> None:
    teacher = _teacher()
    config = _config(8, hint_steps=3, every=2)
    whole, _ = distill(
        _student(teacher), teacher, sl_shards, config, out=tmp_path / "a.safetensors"
    )
    out = tmp_path / "b.safetensors"
    with monkeypatch.context() as patch:
        _interrupt_at(patch, stop)
        with pytest.raises(KeyboardInterrupt):
            distill(_student(teacher), teacher, sl_shards, config, out=out, log_dir=tmp_path / "l")
    resumed, report = distill(
        _student(teacher), teacher, sl_shards, config, out=out, log_dir=tmp_path / "l"
    )
    assert report.steps == 8 and not hints_trainer_path(out).exists()
    for name, tensor in whole.state_dict().items():
        torch.testing.assert_close(resumed.state_dict()[name], tensor, rtol=0, atol=0)
    curve = (tmp_path / "l" / "heldout.csv").read_text().splitlines()
    assert [row.split(",")[0] for row in curve[1:]] == ["2", "3", "4", "6", "8"]


@pytest.mark.parametrize("body", ["mobilenet_b10c96", "resnet_b6c64", "alphago_policy_l13c192"])
def test_any_registry_body_distills_with_hints(sl_shards: Path, tmp_path: Path, body: str) -> None:
    teacher = _teacher()
    student = _student(teacher, body)
    config = _config(4, hint_steps=2, every=4)
    trained, report = distill(student, teacher, sl_shards, config, out=tmp_path / "s.safetensors")
    assert report.steps == 4 and type(load_checkpoint(tmp_path / "s.safetensors")) is type(trained)


def test_configs_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="hint_steps"):
        _config(steps=4, hint_steps=4)
    with pytest.raises(ValueError, match="temperature"):
        _config(temperature=0.0)
    with pytest.raises(ValueError, match="soft_weight"):
        _config(soft_weight=1.5)
