"""The RL policy stage (``igo.train.alphago.rl_policy_stage``): REINFORCE against a pool, on 5x5
tiny nets."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from igo.nn.checkpoint import load_checkpoint, save_checkpoint
from igo.nn.net import PolicyNet
from igo.nn.registry import create_net
from igo.nn.threads import torch_threads
from igo.train.alphago import rl_policy_stage
from igo.train.alphago.rl_policy_stage import (
    RlConfig,
    RlReport,
    policy_gradient_step,
    train_rl_policy,
)
from igo.train.trainer import Trainer

SIZE = 5


@pytest.fixture()
def sl_checkpoint(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    net = create_net("alphago_policy_l13c192", board_size=SIZE, blocks=1, channels=4)
    path = tmp_path / "sl.safetensors"
    save_checkpoint(net, path)
    return path


def small(**overrides: object) -> RlConfig:
    base: dict[str, object] = {
        "iterations": 3,
        "games_per_iteration": 6,
        "snapshot_every": 2,
        "learning_rate": 0.05,
        "eval_games": 6,
        "torch_threads": 1,
    }
    return RlConfig(**{**base, **overrides})  # type: ignore[arg-type]


def weights(path: Path) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in load_checkpoint(path).state_dict().items()}


def test_a_short_run_trains_saves_and_grows_the_pool(sl_checkpoint: Path, tmp_path: Path) -> None:
    out = tmp_path / "models" / "rl.safetensors"
    logs = tmp_path / "logs"
    with torch_threads(2):
        report = train_rl_policy(sl_checkpoint, out, small(), log_dir=logs)
        assert torch.get_num_threads() == 2  # the stage's own count (1) was restored
    assert report.iterations == 3 and report.games == 18 and report.eval_games == 6
    assert 0.0 <= report.win_rate_vs_sl <= 1.0
    net = load_checkpoint(out)
    assert isinstance(net, PolicyNet)
    before, after = weights(sl_checkpoint), weights(out)
    assert any(not torch.equal(before[k], after[k]) for k in before)
    pool = sorted(p.name for p in (tmp_path / "models" / "rl" / "pool").glob("*.safetensors"))
    assert pool == ["000000.safetensors", "000002.safetensors"]
    saved = json.loads((tmp_path / "models" / "rl.report.json").read_text())
    assert saved == report.to_dict()
    info = json.loads((tmp_path / "models" / "rl.json").read_text())
    assert info["extra"]["report"] == report.to_dict()
    assert any(logs.iterdir())
    # done: a rerun returns the saved report without training
    again = train_rl_policy(sl_checkpoint, out, small(iterations=50))
    assert again == RlReport(**{k: type(getattr(report, k))(v) for k, v in saved.items()})


def test_a_killed_run_resumes_where_it_stopped(
    sl_checkpoint: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played: list[int] = []
    original = rl_policy_stage._iteration
    original_eval = rl_policy_stage.evaluate_vs

    def counted(trainer: Trainer, *args: object) -> rl_policy_stage._Step:
        played.append(trainer.step)
        return original(trainer, *args)  # type: ignore[arg-type]

    def killed(*args: object) -> float:
        raise KeyboardInterrupt

    monkeypatch.setattr(rl_policy_stage, "_iteration", counted)
    monkeypatch.setattr(rl_policy_stage, "evaluate_vs", killed)
    out = tmp_path / "rl.safetensors"
    with pytest.raises(KeyboardInterrupt):
        train_rl_policy(sl_checkpoint, out, small(iterations=2))
    assert played == [0, 1] and not out.exists()
    monkeypatch.setattr(rl_policy_stage, "evaluate_vs", original_eval)
    report = train_rl_policy(sl_checkpoint, out, small(iterations=3))
    assert played == [0, 1, 2]
    assert report.iterations == 3
    # the same run uninterrupted ends with the same weights
    fresh = tmp_path / "fresh" / "rl.safetensors"
    train_rl_policy(sl_checkpoint, fresh, small(iterations=3))
    resumed, uninterrupted = weights(out), weights(fresh)
    assert all(torch.equal(resumed[k], uninterrupted[k]) for k in resumed)


def test_the_step_follows_the_reinforce_gradient() -> None:
    torch.manual_seed(3)
    net = create_net("alphago_policy_l13c192", board_size=SIZE, blocks=1, channels=4)
    by_hand = copy.deepcopy(net)
    rng = np.random.default_rng(0)
    planes = [(rng.random((4, 48, SIZE, SIZE)) < 0.5).astype(np.uint8) for _ in range(2)]
    for p in planes:
        p[:, 46] = 1  # every point sensible: the masked softmax leaves out only pass
    planes[1][3, 46] = 0  # ... but here no point is: pass alone, log p = 0
    moves = [np.array([0, 1, 2, 3]), np.array([4, 5, 6, SIZE * SIZE])]
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    loss = policy_gradient_step(net, optimizer, planes, moves, np.array([1.0, -1.0]))
    # by hand: -1/n sum_i w_i sum_t log p(a_t | s_t) under the softmax over the points
    by_hand.eval()
    x = torch.from_numpy(np.concatenate(planes[:1] + [planes[1][:3]]).astype(np.float32))
    log_p = torch.log_softmax(by_hand(x)[:, :-1], dim=1)
    picked = log_p[torch.arange(7), torch.tensor([0, 1, 2, 3, 4, 5, 6])]
    expected = -(picked[:4].sum() - picked[4:].sum()) / 2
    assert loss == pytest.approx(float(expected.detach()), rel=1e-5)
    expected.backward()  # type: ignore[no-untyped-call]
    with torch.no_grad():
        for theirs, mine in zip(by_hand.parameters(), net.parameters(), strict=True):
            assert theirs.grad is not None
            torch.testing.assert_close(mine, theirs - 0.1 * theirs.grad)


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValueError):
        RlConfig(iterations=0)
    with pytest.raises(ValueError):
        RlConfig(learning_rate=0.0)
