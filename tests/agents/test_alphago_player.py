"""The ``alphago`` player (Lee-mode search over an ``igo alphago`` run's parts or the shipped
ones) and the ``rollout`` player (the rollout policy alone)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from igo.agents import create_player
from igo.agents.alphago_player import RolloutPlayer, alphago_parts
from igo.agents.gtp import GoEngine
from igo.agents.gtp.conformance import GtpSession
from igo.agents.mcts_player import MctsPlayer
from igo.agents.nets import ALPHAGO_WEIGHTS, MissingWeightsError
from igo.agents.sized_player import SizedPlayer
from igo.go.coords import from_gtp
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.run_dir import AlphaGoRunDir
from igo.search.rollout.policy import RolloutPolicy

SIZE = 5
HANG_GUARD_S = 600.0
"""A hang guard, not a speed claim: a fresh engine process imports torch and may compile kernels
for minutes on a loaded machine (speed is measured by ``igo bench``, docs/benchmarks.md)."""


@pytest.fixture(name="run_dir")
def run_dir_fixture(
    tmp_path: Path,
    alphago_policy_checkpoint: str,
    alphago_value_checkpoint: str,
    rollout_policy_file: str,
) -> Path:
    """A folder laid out as an ``igo alphago`` run: tiny 5x5 nets, pattern-free policies."""
    run = AlphaGoRunDir(tmp_path)
    for target, source in (
        (run.sl_policy, alphago_policy_checkpoint),
        (run.value_net, alphago_value_checkpoint),
    ):
        shutil.copy(source, target)
        shutil.copy(Path(source).with_suffix(".json"), target.with_suffix(".json"))
    shutil.copy(rollout_policy_file, run.rollout_policy)
    RolloutPolicy("tree", np.zeros(0, np.int64)).save(run.tree_policy)
    return tmp_path


def test_missing_shipped_parts_say_how_to_train_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("igo.agents.alphago_player.shipped_weights", lambda name: tmp_path / name)
    with pytest.raises(MissingWeightsError) as err:
        create_player("alphago")
    message = str(err.value)
    assert "igo alphago --preset 9x9" in message and "--run-dir" in message
    assert all(name in message for name in ALPHAGO_WEIGHTS.values())


def test_missing_run_files_are_named(run_dir: Path) -> None:
    AlphaGoRunDir(run_dir).value_net.with_suffix(".json").unlink()
    with pytest.raises(MissingWeightsError, match=r"lacks .*value\.json"):
        create_player("alphago", run_dir=str(run_dir))


def test_run_dir_parts_and_defaults(run_dir: Path) -> None:
    parts = alphago_parts(run_dir)
    assert parts.policy == str(run_dir / "sl-policy.safetensors")
    assert parts.tree_policy == str(run_dir / "tree.npz")
    sized = create_player("alphago", run_dir=str(run_dir), seed=0)
    assert isinstance(sized, SizedPlayer) and sized.name == "alphago"
    assert sized.board_sizes is None and sized.start_size == SIZE  # its policy net resizes
    player = sized.player_for(SIZE)
    assert isinstance(player, MctsPlayer) and player.name == "alphago"
    assert player.visits == 800 and player.board_sizes == (SIZE,)
    assert player.config.mode == "lee" and player.config.lee_lambda == 0.5
    assert player.config.c_puct == 5.0
    elsewhere = sized.player_for(SIZE + 2)  # no value net: rollouts alone
    assert elsewhere.config.lee_lambda == 1.0 and elsewhere.setup.lee.value is None
    assert elsewhere.visits == 800 and elsewhere.board_sizes is None


def test_alphago_player_genmoves_over_gtp(run_dir: Path) -> None:
    player = create_player("alphago", run_dir=str(run_dir), visits=16, lee_lambda=1.0, seed=0)
    gtp = GtpSession(GoEngine(player, size=SIZE))
    gtp.ok("play b C3")
    reply = gtp.ok("genmove w")
    state = GameState.new(SIZE)
    state.play(from_gtp("C3", SIZE))
    assert state.legal_mask()[from_gtp(reply, SIZE)]


def test_igo_gtp_takes_player_alphago_with_run_dir(run_dir: Path) -> None:
    argv = [sys.executable, "-m", "igo", "gtp", "--player", "alphago", "--run-dir", str(run_dir)]
    argv += ["--visits", "8", "--size", str(SIZE)]
    commands = "genmove b\nquit\n"
    done = subprocess.run(
        argv, input=commands, capture_output=True, text=True, timeout=HANG_GUARD_S
    )
    assert done.returncode == 0, done.stderr
    reply = done.stdout.split("\n\n")[0]
    assert reply.startswith("= ") and from_gtp(reply[2:], SIZE) < SIZE * SIZE


def test_rollout_player_plays_sensible_moves(rollout_policy_file: str) -> None:
    player = create_player("rollout", rollout_checkpoint=rollout_policy_file, seed=0)
    assert isinstance(player, RolloutPlayer) and player.board_sizes is None
    state = GameState.new(7)
    player.reset(state)
    for _ in range(6):
        move = player.genmove(state, None)
        assert isinstance(move, int) and move in sensible_moves(state)
        state.play(move)
    sampled = create_player("rollout", rollout_checkpoint=rollout_policy_file, temperature=1.0)
    assert sampled.genmove(state, None) in sensible_moves(state)


def test_rollout_player_needs_a_policy(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--rollout-checkpoint"):
        create_player("rollout")
    with pytest.raises(MissingWeightsError):
        create_player("rollout", rollout_checkpoint=str(tmp_path / "none.npz"))
