"""The value-network data generator (``igo.selfplay.value_data``) on 5x5 with tiny random nets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from igo.data.records import game_positions
from igo.data.shards import iter_shards, read_manifest
from igo.go.rules import rules_from_name
from igo.go.state import GameState
from igo.io.sgf import record_from_state
from igo.nn.checkpoint import save_checkpoint
from igo.nn.registry import create_net
from igo.selfplay import policy_games, value_data
from igo.selfplay.policy_games import RANDOM, PolicyGame
from igo.selfplay.value_data import (
    KIND,
    RL,
    SL,
    ValueDataConfig,
    default_max_u,
    generate_value_data,
)

SIZE = 5
SL_COLUMNS = {"stones", "to_play", "move", "recent", "ko", "result", "size", "komi", "ply"}
SL_COLUMNS |= {"game", "source", "source_game"}


@pytest.fixture(scope="module")
def nets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("nets")
    paths = []
    for seed, name in ((1, "sl"), (2, "rl")):
        torch.manual_seed(seed)
        net = create_net("alphago_policy_l13c192", board_size=SIZE, blocks=1, channels=4)
        save_checkpoint(net, folder / f"{name}.safetensors")
        paths.append(folder / f"{name}.safetensors")
    return paths[0], paths[1]


def small(**overrides: Any) -> ValueDataConfig:
    base: dict[str, Any] = {"games": 40, "games_per_shard": 20, "parallel_games": 20}
    return ValueDataConfig(**{**base, "torch_threads": 1, "heldout": 0.25, **overrides})


def rows(folder: Path, split: str | None = None) -> dict[str, np.ndarray]:
    parts = [arrays for _, arrays in iter_shards(folder, KIND, split)]
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def test_one_position_per_game_with_u_uniform(nets: tuple[Path, Path], tmp_path: Path) -> None:
    limit = 8
    config = small(games=400, games_per_shard=200, parallel_games=200, max_u=limit)
    report = generate_value_data(*nets, tmp_path, config)
    data = rows(tmp_path)
    assert set(data) == SL_COLUMNS
    assert report.positions + report.heldout_positions + report.discarded == 400
    assert report.positions + report.heldout_positions == len(data["ply"])
    assert len(set(data["source_game"].tolist())) == len(data["ply"])  # one position per game
    assert report.discarded < 10  # 5x5 games outlast U <= 8
    counts = np.bincount(data["ply"], minlength=limit + 1)
    assert counts[0] == 0 and counts[limit + 1 :].sum() == 0
    expected = len(data["ply"]) / limit
    assert np.all(np.abs(counts[1:] - expected) < 0.4 * expected)  # 50 each, sd ~7
    assert set(data["result"].tolist()) <= {-1, 0, 1} and abs(data["result"].mean()) < 0.5
    assert np.all(data["move"] == -1) and np.all(data["source"] == 0)
    assert np.all(data["size"] == SIZE) and np.all(data["komi"] == 7.0)
    held = rows(tmp_path, "heldout")
    assert 0.15 * 400 < len(held["ply"]) < 0.35 * 400  # heldout = 0.25 of the games
    saved = json.loads((tmp_path / "report.json").read_text())
    assert saved["positions"] == report.positions


class Spy:
    """Wraps ``play_policy_games`` to keep each batch's mover, capture plies and games."""

    def __init__(self) -> None:
        self.batches: list[tuple[Any, list[int], list[PolicyGame]]] = []
        self.original = policy_games.play_policy_games

    def __call__(self, policies: Any, count: int, mover: Any, *args: Any, **kw: Any) -> Any:
        games = self.original(policies, count, mover, *args, **kw)
        self.batches.append((mover, list(kw["capture_plies"]), games))
        return games


def test_the_position_is_the_one_after_the_random_move(
    nets: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy()
    monkeypatch.setattr(value_data, "play_policy_games", spy)
    generate_value_data(*nets, tmp_path, small(games=30, games_per_shard=30, parallel_games=30))
    ((mover, us, games),) = spy.batches
    data = rows(tmp_path)
    by_game = {int(g): i for i, g in enumerate(data["source_game"])}
    rules = rules_from_name("chinese", 7.0)
    checked = 0
    for game, u in zip(games, us, strict=True):
        assert 1 <= u <= default_max_u(SIZE)
        whose = [mover(game.index, ply) for ply in range(u + 3)]
        assert whose == [SL] * (u - 1) + [RANDOM] + [RL] * 3  # moves 1..U-1, U, U+1..
        if game.index not in by_game:
            assert len(game.moves) < u or game.moves[u - 1] == SIZE * SIZE
            continue
        row = by_game[game.index]
        state = GameState(SIZE, rules)
        for move in game.moves[:u]:
            state.play(move)
        np.testing.assert_array_equal(data["stones"][row], state.stones())
        assert data["to_play"][row] == int(state.to_play) and data["ply"][row] == u
        assert data["result"][row] == game.outcome_for(state.to_play)
        if u < len(game.moves):  # the same columns as an sl shard's row at ply U
            final = GameState(SIZE, rules)
            for move in game.moves:
                final.play(move)
            sl = game_positions(record_from_state(final, game.result))
            for key in ("stones", "to_play", "recent", "ko", "result", "size", "komi", "ply"):
                np.testing.assert_array_equal(data[key][row], sl[key][u], err_msg=key)
            checked += 1
    assert checked > 20


def test_games_ending_before_u_are_discarded(nets: tuple[Path, Path], tmp_path: Path) -> None:
    report = generate_value_data(*nets, tmp_path, small(games=20, max_u=70))
    assert report.discarded > 0
    assert report.positions + report.heldout_positions + report.discarded == 20


def test_a_rerun_redoes_only_the_missing_chunk(
    nets: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = small(games=50, games_per_shard=20, parallel_games=8)
    first = generate_value_data(*nets, tmp_path / "a", config)
    before = rows(tmp_path / "a")
    manifest = tmp_path / "a" / "manifest.json"
    body = json.loads(manifest.read_text())
    assert body["shards"][-1]["extra"]["chunk"] == "2"
    body["shards"] = body["shards"][:-1]  # killed before the last shard was listed
    manifest.write_text(json.dumps(body))
    played: list[int] = []
    original = value_data._play_chunk

    def counted(chunk: int, *args: Any) -> Any:
        played.append(chunk)
        return original(chunk, *args)

    monkeypatch.setattr(value_data, "_play_chunk", counted)
    again = generate_value_data(*nets, tmp_path / "a", config)
    assert played == [2]
    assert len(read_manifest(tmp_path / "a")) == len(body["shards"]) + 1
    after = rows(tmp_path / "a")
    for key in before:
        np.testing.assert_array_equal(before[key], after[key])
    assert again.positions == first.positions and again.discarded == first.discarded
    # and a run that never stopped holds the same games
    generate_value_data(*nets, tmp_path / "b", config)
    straight = rows(tmp_path / "b")
    for key in before:
        np.testing.assert_array_equal(before[key], straight[key])


def test_bad_settings_are_rejected() -> None:
    with pytest.raises(ValueError):
        ValueDataConfig(games=0)
    with pytest.raises(ValueError):
        ValueDataConfig(max_u=0)
    with pytest.raises(ValueError):
        ValueDataConfig(heldout=1.0)
    assert default_max_u(19) == 289 and default_max_u(9) == 65
