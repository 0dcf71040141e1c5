"""Game records: compact arrays, atomic shards, text packing, value targets."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from igo.data.shards import read_manifest
from igo.selfplay.record import (
    GameData,
    game_extra,
    pack_text,
    read_game_arrays,
    unpack_text,
    write_game,
)


def _game(num: int = 5, winner: int = 1, sgf: str = "(;GM[1]SZ[5];B[aa])") -> GameData:
    to_play = (np.arange(num) % 2 + 1).astype(np.int8)
    policy = np.zeros((num, 26), np.float32)
    policy[::2, 3] = 1.0
    return GameData(
        stones=np.zeros((num, 25), np.int8),
        to_play=to_play,
        moves=np.arange(num, dtype=np.int16),
        policy=policy,
        full=np.arange(num) % 2 == 0,
        root_value=np.linspace(-0.5, 0.5, num).astype(np.float32),
        winner=winner,
        result="B+R",
        resign_allowed=False,
        resign_threshold=-0.9,
        sgf=sgf,
        generation=3,
        network=2,
    )


@pytest.mark.parametrize("text", ["", "a", "(;GM[1]C[héllo 碁])" * 7])
@pytest.mark.parametrize("rows", [1, 3, 40])
def test_text_packs_across_rows(text: str, rows: int) -> None:
    packed = pack_text(text, rows)
    assert packed.shape[0] == rows and packed.dtype == np.uint8
    assert unpack_text(packed) == text


def test_write_and_read_back(tmp_path: Path) -> None:
    game = _game()
    info = write_game(tmp_path, 7, game)
    assert info.name == "game-000007.npz" and read_manifest(tmp_path) == [info]
    arrays = read_game_arrays(tmp_path / info.name, info.sha256)
    assert set(arrays) == {"stones", "to_play", "move", "policy", "full", "root_value", "z", "sgf"}
    np.testing.assert_array_equal(arrays["z"], [1, -1, 1, -1, 1])
    assert unpack_text(arrays["sgf"]) == game.sgf
    assert info.extra["generation"] == "3" and info.extra["network"] == "2"
    assert info.extra["targets"] == "3" and info.extra["resign_allowed"] == "0"


def test_value_targets_and_winner_low() -> None:
    game = _game(winner=2)
    np.testing.assert_array_equal(game.z, [-1, 1, -1, 1, -1])
    # White moved at rows 1 and 3: values -0.25 and 0.25.
    assert game.winner_min_value() == pytest.approx(-0.25)
    draw = _game(winner=0)
    assert not draw.z.any() and math.isinf(draw.winner_min_value())
    assert game_extra(draw)["winner_min_value"] == "inf"


def test_rows_must_agree() -> None:
    game = _game()
    with pytest.raises(ValueError, match="rows"):
        GameData(**{**game.__dict__, "to_play": game.to_play[:3]})
    with pytest.raises(ValueError, match="at least one"):
        _game(num=0)
