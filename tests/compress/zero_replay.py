"""``write_replay``: a small replay folder for the compression tests of Zero nets (``zero_replay``:
pytest puts this folder on the import path, as it has no ``__init__.py``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from igo.selfplay.record import GameData, write_game


def write_replay(folder: Path, games: int = 12, moves: int = 8) -> Path:
    """A replay folder of ``games`` short 9x9 games (stones along a diagonal, uniform targets)."""
    for index in range(games):
        stones = np.zeros((moves, 81), np.int8)
        for t in range(1, moves):
            stones[t] = stones[t - 1]
            stones[t, (index + 10 * t) % 81] = 1 if t % 2 else 2
        data = GameData(
            stones=stones, to_play=(np.arange(moves) % 2 + 1).astype(np.int8),
            moves=np.zeros(moves, np.int16), policy=np.full((moves, 82), 1 / 82, np.float32),
            full=np.ones(moves, bool), root_value=np.zeros(moves, np.float32),
            winner=1 + index % 2, result="B+1", resign_allowed=False, resign_threshold=-1.0,
            sgf="(;)",
        )  # fmt: skip
        write_game(folder / "gen-000000", index, data)
    return folder
