"""Distilling a Zero net (``igo.compress.distill_zero``): sl examples read as Zero planes, the
loss by hand, the teacher's targets turning with the board, a student moving towards its
teacher, and ``igo compress distill`` writing a Zero student that plays, on sl shards or a
replay folder or both (bad pairings and data: one line).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_refusal import assert_refused
from zero_replay import write_replay

from igo.agents.conformance import check_player
from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights
from igo.agents.player import create_player
from igo.cli.main import main
from igo.compress.distill import DistillConfig, Teacher, distill
from igo.compress.distill_recipe import build_student
from igo.compress.distill_zero import (
    ILLEGAL,
    open_moves,
    split_targets,
    teacher_labels,
    zero_examples,
    zero_kd_loss,
    zero_stage_data,
)
from igo.compress.positions import load_positions, replay_split, zero_planes_of_examples
from igo.data.records import iter_games
from igo.encode.symmetry import apply_planes, apply_policy
from igo.encode.zero_planes import encode_zero
from igo.go.coords import Color
from igo.go.state import GameState
from igo.nn.checkpoint import load_checkpoint
from igo.nn.net import Net
from igo.train.alphago.supervised_data import load_examples
from igo.train.alphago.supervised_loop import StageConfig

TEACHER = str(shipped_weights())
TINY = {"blocks": 1, "channels": 8}


def _teacher() -> Net:
    return load_checkpoint(TEACHER)


@pytest.mark.parametrize("history", [1, 2, 8])
def test_sl_examples_read_as_zero_planes_are_encode_zeros(sl_shards: Path, history: int) -> None:
    game = next(iter_games(sl_shards, "heldout"))
    planes = zero_planes_of_examples(game.arrays, history)
    state, expected = GameState.new(9), []
    for move, color in zip(game.arrays["move"], game.arrays["to_play"], strict=True):
        expected.append(encode_zero(state, history))
        state.play(int(move), Color(int(color)))
    assert planes.dtype == np.uint8 and len(expected) > 20
    np.testing.assert_array_equal(planes, np.stack(expected))


def test_the_zero_loss_is_both_heads_hintons_by_hand() -> None:
    t, w, r, c = 2.0, 0.75, 0.25, 0.5
    s, p = [1.0, 0.0, -1.0], [0.5, 0.25, 0.25]  # p: the teacher's soft policy at T
    q = [math.exp(x / t) for x in s]
    q = [x / sum(q) for x in q]
    kl = sum(pi * math.log(pi / qi) for pi, qi in zip(p, q, strict=True))
    ce = -math.log(math.exp(s[1]) / sum(math.exp(x) for x in s))  # move 1 was played
    v, v_teacher, z = 0.5, 0.25, -1.0
    value = (1 - r) * (v - v_teacher) ** 2 + r * (v - z) ** 2
    expected = w * t**2 * kl + (1 - w) * ce + c * value
    config = DistillConfig(temperature=t, soft_weight=w, result_weight=r, value_weight=c)
    got = zero_kd_loss(
        (torch.tensor([s]), torch.tensor([v])),
        (torch.tensor([p]), torch.tensor([v_teacher])),
        torch.tensor([1]),
        torch.tensor([z]),
        config,
    )
    assert float(got) == pytest.approx(expected, rel=1e-6)


def test_the_teachers_targets_turn_with_the_board(sl_shards: Path) -> None:
    train = load_examples(sl_shards, "sl", "train")
    assert train is not None
    planes = zero_planes_of_examples(train, 8)[:32]
    some = {key: value[:32] for key, value in train.items()}
    probs, values = teacher_labels(Teacher([_teacher()], torch.device("cpu")), planes, 1.0)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    occupied = ~open_moves(torch.from_numpy(planes).float()).numpy()
    assert probs[occupied].max() == 0.0  # the teacher's mass is on the open moves only
    data = zero_stage_data(planes, some, (probs, values))
    for k in (0, 3, 5):
        turned = torch.from_numpy(apply_planes(data.planes, k).astype(np.float32))
        x, (soft, value), z = split_targets(turned)
        np.testing.assert_array_equal(x.numpy(), apply_planes(planes, k))
        np.testing.assert_allclose(soft.numpy(), apply_policy(probs, k, 9), atol=2e-3)
        np.testing.assert_allclose(value.numpy(), values, atol=2e-3)
        np.testing.assert_array_equal(z.numpy(), some["result"])


def test_a_zero_student_moves_towards_its_teacher(sl_shards: Path, tmp_path: Path) -> None:
    teacher = _teacher()
    before = {k: v.clone() for k, v in teacher.state_dict().items()}
    student = build_student("resnet_b6c64", teacher.config, seed=3, overrides=TINY)
    held = load_positions(sl_shards, teacher.config, 128, split="train")
    x = torch.from_numpy(held.planes)

    def gap(net: Net) -> tuple[float, float]:
        """KL(teacher || net) over the open moves and the values' mean squared difference."""
        with torch.no_grad():
            (tp, tv), (sp, sv) = teacher.eval()(x), net.eval()(x)
            open_ = open_moves(x)
            log_p = tp.masked_fill(~open_, ILLEGAL).log_softmax(1)
            log_q = sp.masked_fill(~open_, ILLEGAL).log_softmax(1)
            kl = (log_p.exp() * (log_p - log_q)).sum(1).mean()
            return float(kl), float(((sv - tv) ** 2).mean())

    training = StageConfig(
        steps=40, batch_size=32, checkpoint_every=20, eval_positions=64, torch_threads=1
    )
    config = DistillConfig(training=training, temperature=1.0, soft_weight=1.0)
    start = gap(student)
    trained, report = distill(student, teacher, sl_shards, config, out=tmp_path / "z.safetensors")
    end = gap(trained)
    assert end[0] < 0.8 * start[0] and end[1] < 0.8 * start[1], (start, end)
    assert report.steps == 40 and report.teacher["agree"] == 1.0 and 0 < report.student["agree"]
    for name, tensor in teacher.state_dict().items():
        assert torch.equal(tensor, before[name]), name


def _argv(data: Path, out: Path, *extra: str) -> list[str]:
    return [
        "compress", "distill", "--teacher", TEACHER, "--student", "resnet_b6c64",
        "--blocks", "1", "--channels", "8", "--data", str(data), "--out", str(out),
        "--steps", "4", "--batch-size", "8", "--checkpoint-every", "2", "--eval-positions", "32",
        "--threads", "1", "--result-weight", "0.5", *extra,
    ]  # fmt: skip


def test_a_distilled_zero_student_plays(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "zs.safetensors"
    assert main(_argv(sl_shards, out)) == 0
    printed = capsys.readouterr().out
    assert "teacher 73.35 M" in printed and "top move is the teacher's" in printed
    lines = (tmp_path / "zs.logs" / "heldout.csv").read_text().splitlines()
    assert lines[0].split(",") == ["step", "top1", "top5", "loss", "agree", "mse", "mse_teacher"]
    rows = [[float(x) for x in line.split(",")] for line in lines[1:]]
    first_best = max(rows, key=lambda row: row[4])  # the first save of the highest agreement
    best = json.loads(out.with_suffix(".best.json").read_text())["extra"]["best"]
    assert (best["step"], best["agree"]) == (first_best[0], pytest.approx(first_best[4], 1e-5))
    assert f"best held-out save: step {first_best[0]:.0f}" in printed
    check_player(create_player("mcts", checkpoint=str(out), visits=8, seed=1), sizes=(9,))


def test_a_zero_student_distils_on_replay_games_and_sl_shards_together(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both folders' training positions train; the first folder's held-out games measure."""
    replay = write_replay(tmp_path / "replay")
    out = tmp_path / "zr.safetensors"
    argv = _argv(replay, out, "--data", str(sl_shards))
    assert main(argv) == 0
    teacher = _teacher()
    games = replay_split(replay, teacher.config, "train")
    sl_train = load_examples(sl_shards, "sl", "train")
    assert sl_train is not None
    count = len(games) + len(sl_train["move"])
    assert len(games) == 88 and f"on {count:,} positions" in capsys.readouterr().out
    held = load_positions(replay, teacher.config, 32)
    with torch.no_grad():
        values = teacher.eval()(torch.from_numpy(held.planes))[1].numpy()
    report = json.loads(out.with_suffix(".report.json").read_text())
    assert report["teacher"]["mse"] == pytest.approx(np.mean((values - held.results) ** 2), 1e-4)


def test_replay_positions_train_as_played_with_the_searchs_move(tmp_path: Path) -> None:
    teacher = _teacher()
    replay = write_replay(tmp_path / "replay", games=3, moves=5)
    planes, moves, results = zero_examples(replay, teacher.config)
    games = replay_split(replay, teacher.config, "train")
    assert planes.dtype == np.uint8 and np.array_equal(planes, games.planes)
    assert np.array_equal(moves, games.moves) and np.array_equal(results, games.results)
    assert planes.shape == (15, 17, 9, 9) and set(results) == {-1.0, 1.0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--data", "nosuch"), "--data nosuch: no such folder"),
        (("--student", str(shipped_weights(ALPHAGO_WEIGHTS["policy"]))), "does not match"),
        (("--hints", "middle"), "FitNets hints are for AlphaGo students"),
        (("--value-weight", "-1"), "value_weight must be >= 0"),
    ],
)
def test_a_bad_zero_pairing_is_one_line(
    sl_shards: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, ...],
    message: str,
) -> None:
    argv = _argv(sl_shards, tmp_path / "s.safetensors")
    if change[0] == "--student":
        at = argv.index("--student")
        argv[at + 1] = change[1]
        del argv[at + 2 : at + 6]  # a checkpoint takes no --blocks / --channels
    else:
        argv += change
    assert_refused(argv, message, capsys, tmp_path / "s.safetensors")
