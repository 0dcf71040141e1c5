"""One self-play game as a record: compact arrays, written atomically as one shard.

A game of T searched positions is stored as stones, not planes: the 17 input planes of position t
are rebuilt at training time from the stones of positions t, t-1, ..., t-7
(``igo.encode.zero_planes``), which makes a 9x9 game a few kilobytes instead of a megabyte. Each
game is one shard (``igo.data.shards``, kind ``zero_game``) in its generation's replay folder, so it
is checksummed and validated on read, and it counts only once the folder's manifest lists it.

| array         | dtype, shape | meaning                                                        |
|---------------|--------------|----------------------------------------------------------------|
| ``stones``    | int8 [T, P]  | the board before move t: 0 empty, 1 black, 2 white            |
| ``to_play``   | int8 [T]     | the side to move at t                                          |
| ``move``      | int16 [T]    | the move played (P = pass, -1 = resigned)                      |
| ``policy``    | float32 [T, P+1] | the search's visit distribution (0 where not a target)    |
| ``full``      | bool [T]     | a full search: its policy is a training target (KataGo's PCR)  |
| ``root_value``| float32 [T]  | the search's value of the position, from the side to move      |
| ``z``         | int8 [T]     | the game's result from the side to move: +1, -1 (0 drawn)      |
| ``sgf``       | uint8 [T, K] | the SGF text's UTF-8 bytes, zero-padded, laid across the rows  |
| ``ownership`` | int8 [T, P]  | version 2, counted games: each point's final owner from the    |
|               |              | side to move at t (+1 its, -1 the opponent's, 0 neither)       |
| ``score``     | float32 [T]  | version 2, counted games: the final margin for the side to move |

Record version 2 (``RECORD_VERSION``, in the manifest entry) adds the auxiliary targets of KataGo's
heads (Wu 2019): ownership and score, from the game's count with dead stones removed as the count
removed them (``igo.selfplay.game.final_count``). A resigned game was never counted and has
neither; version 1 games (written before) have neither either, and still load: the replay masks
their auxiliary loss off.

The manifest entry's ``extra`` holds the game-level facts: generation, the network that played,
winner, result, moves, whether resignation was allowed (and whether the game was played out to
calibrate the threshold), the threshold in force and the lowest value the winner saw (for the
false-resignation check), and, for games played on Ray, the game's id (``game_id``).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from igo.data.shards import ShardInfo, read_shard, write_shard

KIND = "zero_game"
RESIGN_MOVE = -1
RECORD_VERSION = 2
"""2: the ownership and score targets of counted games; 1 (no ``record_version``): none."""


@dataclass(frozen=True)
class GameData:
    """A finished self-play game (what a worker hands to the writer)."""

    stones: np.ndarray
    """int8 [T, P]: the board before each searched move."""
    to_play: np.ndarray
    """int8 [T]: the side to move."""
    moves: np.ndarray
    """int16 [T]: the move played (P: pass, -1: resigned)."""
    policy: np.ndarray
    """float32 [T, P + 1]: visit distributions (zeros where ``full`` is False)."""
    full: np.ndarray
    """bool [T]: full searches, whose policies are training targets."""
    root_value: np.ndarray
    """float32 [T]: root values from the side to move."""
    winner: int
    """1 black, 2 white, 0 none (a draw)."""
    result: str
    """The SGF RE value (``B+R``, ``W+3.5``...)."""
    resign_allowed: bool
    """False for the games played out to measure false resignations."""
    resign_threshold: float
    """The threshold in force when the game was played."""
    sgf: str
    """The game as SGF."""
    generation: int = 0
    """The loop generation the game belongs to."""
    network: int = 0
    """The generation of the network that played it."""
    calibration: bool = False
    """Played out to calibrate the network's resignation threshold before it may resign (so
    not a measure of that threshold's false resignations)."""
    owner: np.ndarray | None = None
    """int8 [P]: each point's owner at the final count, +1 black, -1 white, 0 neither; None if
    the game was not counted (resigned)."""
    black_lead: float = math.nan
    """Black's score minus white's at the final count; NaN if not counted."""

    def __post_init__(self) -> None:
        num = self.stones.shape[0]
        if num < 1:
            raise ValueError("a game record needs at least one position")
        for name in ("to_play", "moves", "policy", "full", "root_value"):
            if getattr(self, name).shape[0] != num:
                raise ValueError(f"GameData.{name} must have {num} rows")

    @property
    def num_positions(self) -> int:
        """T: searched positions."""
        return int(self.stones.shape[0])

    @property
    def resigned(self) -> bool:
        """Whether the game ended by resignation."""
        return bool(self.moves[-1] == RESIGN_MOVE)

    @property
    def z(self) -> np.ndarray:
        """int8 [T]: the result from each position's side to move (the value target)."""
        if self.winner == 0:
            return np.zeros(self.num_positions, dtype=np.int8)
        return np.where(self.to_play == self.winner, 1, -1).astype(np.int8)

    def winner_min_value(self) -> float:
        """The lowest root value the eventual winner saw (inf if none, or no winner): had it been
        under the threshold, the winner would have resigned a won game."""
        if self.winner == 0:
            return math.inf
        values = self.root_value[self.to_play == self.winner]
        return float(values.min()) if values.size else math.inf

    def aux_targets(self) -> dict[str, np.ndarray]:
        """The counted game's ownership (int8 [T, P]) and score (float32 [T]) from each
        position's side to move; empty if the game was not counted."""
        if self.owner is None or not math.isfinite(self.black_lead):
            return {}
        sign = np.where(self.to_play == 1, 1, -1).astype(np.int8)
        ownership: np.ndarray = (sign[:, None] * self.owner[None, :]).astype(np.int8)
        score: np.ndarray = (sign * self.black_lead).astype(np.float32)
        return {"ownership": ownership, "score": score}


def game_arrays(game: GameData) -> dict[str, np.ndarray]:
    """The arrays of a game's shard (see the module table)."""
    arrays: dict[str, np.ndarray] = {
        "stones": game.stones.astype(np.int8),
        "to_play": game.to_play.astype(np.int8),
        "move": game.moves.astype(np.int16),
        "policy": game.policy.astype(np.float32),
        "full": game.full.astype(np.bool_),
        "root_value": game.root_value.astype(np.float32),
        "z": game.z,
        "sgf": pack_text(game.sgf, game.num_positions),
    }
    return arrays | game.aux_targets()


def game_extra(game: GameData) -> dict[str, str]:
    """The game-level facts stored in its manifest entry."""
    low = game.winner_min_value()
    return {
        "generation": str(game.generation),
        "network": str(game.network),
        "winner": str(game.winner),
        "result": game.result,
        "positions": str(game.num_positions),
        "targets": str(int(game.full.sum())),
        "resigned": str(int(game.resigned)),
        "resign_allowed": str(int(game.resign_allowed)),
        "calibration": str(int(game.calibration)),
        "resign_threshold": repr(game.resign_threshold),
        "winner_min_value": repr(low),
        "record_version": str(RECORD_VERSION),
    }


def game_name(index: int) -> str:
    """The file name of game ``index`` in its generation folder."""
    return f"game-{index:06d}.npz"


def write_game(
    folder: str | os.PathLike[str], index: int, game: GameData, game_id: str | None = None
) -> ShardInfo:
    """Write ``game`` atomically as ``game-<index>.npz`` and list it in the folder's manifest
    (``game_id``: the game's id across workers, e.g. ``actor/counter`` on Ray, in its entry)."""
    extra = game_extra(game) | ({} if game_id is None else {"game_id": game_id})
    return write_shard(folder, game_name(index), game_arrays(game), KIND, extra=extra)


def read_game_arrays(
    path: str | os.PathLike[str], sha256: str | None = None
) -> dict[str, np.ndarray]:
    """A game's arrays, validated (``ShardError`` if truncated, corrupt or holding NaN)."""
    return read_shard(Path(path), KIND, sha256)


def pack_text(text: str, rows: int) -> np.ndarray:
    """uint8 [rows, K]: ``text``'s UTF-8 bytes, zero-padded and laid across ``rows`` rows (a
    shard's arrays all have one row per position)."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    width = max(1, -(-data.size // rows))
    out = np.zeros(rows * width, dtype=np.uint8)
    out[: data.size] = data
    return out.reshape(rows, width)


def unpack_text(packed: np.ndarray) -> str:
    """The text ``pack_text`` stored."""
    return bytes(packed.astype(np.uint8).tobytes()).rstrip(b"\0").decode("utf-8")
