"""The replay buffer of a run on a mix of sizes: one window of games, batches of one size each."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from igo.data.replay_buffer import ReplayBuffer
from igo.selfplay.record import GameData, write_game


def _game(size: int, num: int, counted: bool = True) -> GameData:
    """A game of ``num`` positions on a ``size`` board, the stone count per row marking it."""
    points = size * size
    stones = np.zeros((num, points), np.int8)
    for t in range(num):
        stones[t, :t] = 1
    policy = np.zeros((num, points + 1), np.float32)
    policy[:, points] = 1.0
    owner = np.ones(points, np.int8) if counted else None
    return GameData(
        stones=stones,
        to_play=(np.arange(num) % 2 + 1).astype(np.int8),
        moves=np.full(num, points, np.int16),
        policy=policy,
        full=np.ones(num, bool),
        root_value=np.zeros(num, np.float32),
        winner=1,
        result="B+3",
        resign_allowed=True,
        resign_threshold=-0.9,
        sgf="(;)",
        owner=owner,
        black_lead=3.0 if counted else math.nan,
    )


def _mixed_replay(root: Path) -> None:
    """Generation 0: a 5x5 game of 4 positions and a 7x7 one of 12; generation 1: a 5x5 of 4."""
    write_game(root / "gen-000000", 0, _game(5, 4))
    write_game(root / "gen-000000", 1, _game(7, 12))
    write_game(root / "gen-000001", 0, _game(5, 4, counted=False))


def test_a_mixed_buffer_holds_every_size_and_counts_the_window_in_games(tmp_path: Path) -> None:
    _mixed_replay(tmp_path)
    buffer = ReplayBuffer(tmp_path, (5, 7), history=2)
    buffer.refresh(10)
    assert buffer.num_games == 3 and buffer.samples_by_size() == {5: 8, 7: 12}
    buffer.refresh(2)  # the newest two games, whatever their sizes
    assert buffer.num_games == 2 and buffer.samples_by_size() == {5: 4, 7: 12}
    buffer.refresh(1)
    assert buffer.samples_by_size() == {5: 4, 7: 0}


def test_batches_are_one_size_drawn_by_share_of_positions(tmp_path: Path) -> None:
    _mixed_replay(tmp_path)
    buffer = ReplayBuffer(tmp_path, (5, 7), history=2)
    buffer.refresh(10)
    rng = np.random.default_rng(0)
    sizes = []
    for _ in range(400):
        batch = buffer.sample(6, rng)
        n = batch.planes.shape[-1]
        assert batch.planes.shape == (6, 5, n, n) and batch.policy.shape == (6, n * n + 1)
        assert batch.ownership.shape == (6, n, n)
        stones = batch.planes[:, 0].sum(axis=(1, 2)) + batch.planes[:, 2].sum(axis=(1, 2))
        assert stones.max() <= (3 if n == 5 else 11)  # row t of a game holds t stones
        sizes.append(n)
    share = sizes.count(7) / len(sizes)
    assert abs(share - 12 / 20) < 0.08  # 12 of the window's 20 targets are 7x7
    assert set(sizes) == {5, 7}


def test_aux_targets_follow_each_game_of_each_size(tmp_path: Path) -> None:
    _mixed_replay(tmp_path)
    buffer = ReplayBuffer(tmp_path, (5, 7), history=2)
    buffer.refresh(10)
    rng = np.random.default_rng(1)
    seen = set()
    for _ in range(60):
        batch = buffer.sample(4, rng)
        n = batch.planes.shape[-1]
        for aux, owner, score in zip(batch.aux, batch.ownership, batch.score, strict=True):
            seen.add((n, bool(aux)))
            if aux:  # black owns everything by 3: +1 / +3 for black, -1 / -3 for white
                assert np.all(np.abs(owner) == 1) and abs(score) == 3.0
            else:
                assert np.all(owner == 0) and score == 0.0
    assert seen == {(5, True), (5, False), (7, True)}


def test_one_size_buffer_skips_other_sizes_and_samples_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _mixed_replay(tmp_path)
    only = ReplayBuffer(tmp_path, 5, history=2)
    only.refresh(10)
    assert "not a 5x5 game" in capsys.readouterr().err
    assert only.num_games == 2 and only.samples_by_size() == {5: 8}
    # With one size holding targets nothing more is drawn: the batches of a one-size buffer.
    write_game(tmp_path / "gen-000002", 0, _game(7, 3))
    both = ReplayBuffer(tmp_path, (5, 7), history=2)
    both.refresh(10)
    both.keep_samples(np.arange(both.num_samples) < 8)  # the 5x5 positions only
    for seed in range(5):
        a = only.sample(5, np.random.default_rng(seed))
        b = both.sample(5, np.random.default_rng(seed))
        assert np.array_equal(a.planes, b.planes) and np.array_equal(a.policy, b.policy)


def test_positions_and_splits_by_game_across_sizes(tmp_path: Path) -> None:
    _mixed_replay(tmp_path)
    buffer = ReplayBuffer(tmp_path, (5, 7), history=2)
    buffer.refresh(10)
    games = buffer.sample_games()
    assert games.shape == (20,) and sorted(set(games.tolist())) == [0, 1, 2]
    assert buffer.positions(np.arange(8)).planes.shape == (8, 5, 5, 5)
    assert buffer.positions(np.arange(8, 20)).planes.shape == (12, 5, 7, 7)
    with pytest.raises(ValueError, match="one board size"):
        buffer.positions(np.array([0, 19]))
    buffer.keep_samples(games != 2)  # drop the 7x7 game
    assert buffer.samples_by_size() == {5: 8, 7: 0}
    assert buffer.sample(3, np.random.default_rng(0)).planes.shape[-1] == 5
