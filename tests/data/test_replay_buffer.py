"""The replay buffer: window, planes rebuilt from stones, symmetries, bad files skipped."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from igo.data.replay_buffer import ReplayBuffer, list_games, window_size
from igo.encode.symmetry import apply_planes, apply_policy
from igo.encode.zero_planes import planes_from_stones
from igo.go.coords import Color
from igo.selfplay.record import GameData, write_game

SIZE = 3
POINTS = SIZE * SIZE


def _game(first_stone: int, num: int = 4, winner: int = 1) -> GameData:
    """A game whose row t has stones at points first_stone .. first_stone + t - 1 (black)."""
    stones = np.zeros((num, POINTS), np.int8)
    for t in range(num):
        stones[t, first_stone : first_stone + t] = 1
    policy = np.zeros((num, POINTS + 1), np.float32)
    policy[np.arange(num), (first_stone + np.arange(num)) % POINTS] = 1.0
    return GameData(
        stones=stones,
        to_play=(np.arange(num) % 2 + 1).astype(np.int8),
        moves=np.zeros(num, np.int16),
        policy=policy,
        full=np.ones(num, bool),
        root_value=np.zeros(num, np.float32),
        winner=winner,
        result="B+1",
        resign_allowed=True,
        resign_threshold=-0.9,
        sgf="(;)",
    )


def test_window_size_fixed_and_growing() -> None:
    assert window_size(10, 100, 1000, 0.0) == 100
    assert window_size(50_000, 100, 1000, 0.0) == 100
    assert window_size(50, 100, 1000, 0.75) == 100
    grown = [window_size(n, 100, 10**6, 0.75) for n in (200, 1000, 10_000)]
    assert 100 < grown[0] < grown[1] < grown[2] < 10_000
    assert window_size(10**7, 100, 5000, 0.75) == 5000


def test_samples_rebuild_history_planes(tmp_path: Path) -> None:
    write_game(tmp_path / "gen-000000", 0, _game(0))
    write_game(tmp_path / "gen-000001", 0, _game(5, winner=2))
    buffer = ReplayBuffer(tmp_path, SIZE, history=3)
    buffer.refresh(10)
    assert buffer.num_games == 2 and buffer.num_samples == 8
    rng = np.random.default_rng(0)
    for _ in range(20):
        batch = buffer.sample(1, rng)
        planes, policy, value = batch.planes[0], batch.policy[0], batch.value[0]
        # Find the position (and symmetry) the sample came from; its target must match.
        found = False
        for first, winner in ((0, 1), (5, 2)):
            game = _game(first, winner=winner)
            for t in range(4):
                history = np.stack(
                    [game.stones[t - k] if t - k >= 0 else 0 * game.stones[0] for k in range(3)]
                )
                expected = planes_from_stones(history, Color(int(game.to_play[t])))
                for k in range(8):
                    if np.array_equal(planes, apply_planes(expected, k)) and np.array_equal(
                        policy, apply_policy(game.policy[t], k, SIZE)
                    ):
                        found = True
                        assert value == game.z[t]
        assert found


def test_window_keeps_the_newest_games(tmp_path: Path) -> None:
    for gen in range(3):
        for i in range(2):
            write_game(tmp_path / f"gen-{gen:06d}", i, _game(gen))
    buffer = ReplayBuffer(tmp_path, SIZE, history=2)
    buffer.refresh(3)
    assert buffer.num_games == 3
    assert buffer._order == [(1, "game-000001.npz"), (2, "game-000000.npz"), (2, "game-000001.npz")]
    buffer.refresh(100)
    assert buffer.num_games == 6


def test_bad_files_are_skipped_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "gen-000000"
    for i in range(4):
        write_game(folder, i, _game(i % 3))
    data = (folder / "game-000001.npz").read_bytes()
    (folder / "game-000001.npz").write_bytes(data[: len(data) // 2])  # truncated
    (folder / "game-000002.npz").write_bytes(b"garbage" * 20)  # corrupt
    nan_game = _game(0)
    nan_game.root_value[1] = np.nan
    write_game(folder, 4, nan_game)  # NaN inside
    (folder / "game-000003.npz").unlink()  # listed but gone
    (tmp_path / "gen-000001").mkdir()
    (tmp_path / "gen-000001" / "manifest.json").write_text("{not json")
    buffer = ReplayBuffer(tmp_path, SIZE, history=2)
    buffer.refresh(100)
    assert buffer.num_games == 1
    err = capsys.readouterr().err
    assert err.count("skipping replay file") == 4 and "skipping replay folder" in err
    buffer.sample(8, np.random.default_rng(0))
    buffer.refresh(100)  # bad files are not read again
    assert "skipping replay file" not in capsys.readouterr().err


def test_empty_buffer_says_so(tmp_path: Path) -> None:
    buffer = ReplayBuffer(tmp_path, SIZE)
    buffer.refresh(10)
    assert list_games(tmp_path) == [] and buffer.num_samples == 0
    with pytest.raises(ValueError, match="no training positions"):
        buffer.sample(4, np.random.default_rng(0))


def test_importing_the_buffer_imports_no_torch() -> None:
    """The buffer is NumPy only (its Zero planes come from ``igo.encode``): a data loader or a
    self-play worker that reads the replay needs no torch for it."""
    script = "import sys, igo.data.replay_buffer\nassert 'torch' not in sys.modules\n"
    out = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr


def test_positions_are_read_as_played(tmp_path: Path) -> None:
    write_game(tmp_path / "gen-000000", 0, _game(0, winner=2))
    buffer = ReplayBuffer(tmp_path, SIZE, history=3)
    buffer.refresh(10)
    batch = buffer.positions(np.arange(4))
    game = _game(0, winner=2)
    for t in range(4):
        history = np.stack([game.stones[max(t - k, 0)] * (t - k >= 0) for k in range(3)])
        expected = planes_from_stones(history, Color(int(game.to_play[t])))
        np.testing.assert_array_equal(batch.planes[t], expected)
        np.testing.assert_array_equal(batch.policy[t], game.policy[t])
        assert batch.value[t] == game.z[t]
    # igo compress measures nets on Zero planes on these (the most visited move as the move).
    from igo.compress.positions import load_positions
    from igo.nn.registry import net_config

    config = net_config("resnet_b6c64").replace(board_size=SIZE, in_planes=7)
    found = load_positions(tmp_path, config, limit=10)
    assert len(found) == 4 and sorted(found.moves) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="no 4x4 replay positions"):
        load_positions(tmp_path, config.replace(board_size=4), limit=10)


def _counted(owner: np.ndarray, lead: float) -> GameData:
    """One position, black to move, stones at the black points of ``owner``."""
    game = _game(0, num=1)
    stones = np.where(owner > 0, 1, 0).astype(np.int8)[None]
    return replace(game, stones=stones, owner=owner.astype(np.int8), black_lead=lead)


def test_ownership_and_score_targets_turn_with_the_board(tmp_path: Path) -> None:
    """A counted game's targets come back from the side to move's view, the ownership under
    the same symmetry as the planes; an older game (no targets) is masked off."""
    owner = np.array([1, 1, -1, 1, -1, -1, 0, 1, -1])
    write_game(tmp_path / "gen-000000", 0, _counted(owner, 3.5))
    write_game(tmp_path / "gen-000000", 1, _game(0, num=1))  # resigned or version 1: none
    buffer = ReplayBuffer(tmp_path, SIZE, history=1)
    buffer.refresh(10)
    batch = buffer.sample(64, np.random.default_rng(0))
    counted = batch.aux
    assert counted.any() and not counted.all()
    assert (batch.score[counted] == 3.5).all() and (batch.score[~counted] == 0).all()
    assert (batch.ownership[~counted] == 0).all()
    # Black to move: plane 0 holds black's stones, which are exactly the points black owns.
    mine = batch.ownership[counted] == 1
    assert (mine == (batch.planes[counted, 0] == 1)).all()
    assert sorted(np.unique(batch.ownership[counted])) == [-1, 0, 1]


def test_targets_are_from_the_side_to_move() -> None:
    game = replace(_game(0, num=2), owner=np.ones(POINTS, np.int8), black_lead=-2.0)
    targets = game.aux_targets()
    assert (targets["ownership"][0] == 1).all() and (targets["ownership"][1] == -1).all()
    assert list(targets["score"]) == [-2.0, 2.0]
    assert replace(game, owner=None).aux_targets() == {}


def test_compress_positions_split_replay_games(tmp_path: Path) -> None:
    """int8 calibrates on the "train" split and is measured on "heldout": in a replay folder the
    two are disjoint sets of games (every tenth game held out), not the same positions twice."""
    from igo.compress.positions import load_positions
    from igo.nn.registry import net_config

    for index in range(20):  # games 9 and 19 (held out) are 5 moves long, the others 4
        write_game(
            tmp_path / "gen-000000", index, _game(index % 4, num=5 if index % 10 == 9 else 4)
        )
    buffer = ReplayBuffer(tmp_path, SIZE, history=3)
    buffer.refresh(100)
    games = buffer.sample_games()
    assert games.tolist() == [g for g in range(20) for _ in range(5 if g % 10 == 9 else 4)]
    config = net_config("resnet_b6c64").replace(board_size=SIZE, in_planes=7)
    held = load_positions(tmp_path, config, limit=1000, split="heldout")
    train = load_positions(tmp_path, config, limit=1000, split="train")
    assert (len(held), len(train)) == (2 * 5, 18 * 4)
    # Too few games for a held-out one: the other split, as for sl shards.
    few = tmp_path / "few"
    for index in range(3):
        write_game(few / "gen-000000", index, _game(index))
    assert len(load_positions(few, config, limit=1000, split="heldout")) == 12
