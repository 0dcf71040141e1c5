"""Rollout-policy training: SGD on the log-likelihood beats the uniform policy on held-out games.

The games come from a known "teacher" policy (it likes the 8 points around the previous move and
saving strings from atari), so the trained weights must find those features.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from igo.data.records import ImportConfig, import_records
from igo.go.coords import Color
from igo.go.result import GameResult
from igo.go.state import GameState
from igo.io.sgf import record_from_state, save_sgf
from igo.search.rollout.patterns import NEIGHBOUR, NUM_FIXED, SAVE_ATARI
from igo.search.rollout.policy import RolloutPolicy, game_context
from igo.train.alphago.rollout_policy_stage import RolloutTrainConfig, train_from_shards


def _teacher() -> RolloutPolicy:
    weights = np.zeros(NUM_FIXED)
    weights[NEIGHBOUR : NEIGHBOUR + 8] = 2.5
    weights[SAVE_ATARI] = 3.0
    return RolloutPolicy("rollout", np.zeros(0, dtype=np.int64), weights)


def _teacher_games(folder: Path, games: int, size: int = 7) -> None:
    teacher = _teacher()
    rng = np.random.default_rng(0)
    for i in range(games):
        state = GameState.new(size)
        while not state.is_over() and len(state.moves) < 2 * size * size:
            last, last2, captured = game_context(state)
            probs = teacher.move_probabilities(
                state.board_vector, int(state.to_play), last, last2, captured
            )
            state.play(int(rng.choice(probs.shape[0], p=probs / probs.sum())))
        save_sgf(record_from_state(state, GameResult(Color.BLACK, "resign")), folder / f"{i}.sgf")


@pytest.fixture(scope="module", name="shards")
def shards_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("teacher")
    (root / "games").mkdir()
    _teacher_games(root / "games", 24)
    import_records([root / "games"], root / "shards", ImportConfig(heldout=0.25))
    return root / "shards"


@pytest.mark.parametrize("kind", ["rollout", "tree"])
def test_training_beats_uniform_on_heldout_games(shards: Path, tmp_path: Path, kind: str) -> None:
    out = tmp_path / f"{kind}.npz"
    config = RolloutTrainConfig(kind=kind, min_count=2, epochs=3, learning_rate=0.1)
    report = train_from_shards(shards, out, config)
    assert report.positions["train"] > 300 and report.positions["heldout"] > 50
    gain = report.log_likelihood["heldout"] - report.uniform_log_likelihood["heldout"]
    assert gain > 0.3  # nats per move better than uniform over the sensible moves
    assert report.accuracy["heldout"] > 0.1
    assert report.vocabulary["3x3"] > 0 and report.vocabulary["response"] > 0
    assert (report.vocabulary["12-point"] > 0) == (kind == "tree")
    policy = RolloutPolicy.load(out)
    assert policy.kind == kind
    assert policy.weights[NEIGHBOUR : NEIGHBOUR + 8].mean() > 0.5  # the teacher's preference
    assert "heldout" in report.describe()
