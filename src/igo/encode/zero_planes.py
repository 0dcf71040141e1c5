"""AlphaGo Zero (2017) input planes: the stones of the last H positions and the colour to play.

Silver et al., Nature 550 (2017), Methods "Neural network architecture": the input is
``[X_t, X_{t-1}, ..., Y_t, Y_{t-1}, ..., C]`` where X are the stones of the side to play *now*,
Y the opponent's, and C the colour to play (the board alone cannot show it, and komi makes the
colours unequal). With the paper's H = 8 that is 17 planes; any H >= 1 and board size work.

| planes      | content                                                                     |
|-------------|-----------------------------------------------------------------------------|
| 0 .. H-1    | X_{t-k} at plane k: stones of the side to play, k moves ago                 |
| H .. 2H-1   | Y_{t-k} at plane H+k: stones of the opponent of the side to play, k moves ago |
| 2H          | C: all 1 if black is to play, all 0 if white                                |

A pass is a move, so after a pass X_{t-1} equals X_t. Positions from before the game's starting
position (its setup or handicap) are all-zero planes, as the paper zero-fills the first moves.

Three ways in: ``encode_zero(state)`` replays the game once in a compiled loop (under a
microsecond a move at 19x19); a caller that follows a game move by move keeps a ``ZeroHistory``
and pushes each new position instead, which costs one copy of the stones per move; and
``zero_planes_batch`` encodes a whole batch from stone histories already at hand (the search's
leaves, the replay buffer's rows) in a few NumPy operations.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from igo.encode.batch import stack_encoded
from igo.go.board import color_of, n_of, stones_of
from igo.go.board import play as play_stone
from igo.go.coords import Color
from igo.go.jit import njit
from igo.go.state import GameState

DEFAULT_HISTORY = 8
"""Positions the AlphaGo Zero paper feeds its network (17 planes)."""


def num_zero_planes(history: int = DEFAULT_HISTORY) -> int:
    """Planes of a Zero encoding with ``history`` positions: 2 * history + 1."""
    return 2 * history + 1


@njit
def _replay(
    start: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    points: np.ndarray,
    colors: np.ndarray,
    out: np.ndarray,
) -> None:
    """Play ``points`` / ``colors`` from the board vector ``start`` (left unchanged); ``out[k]``
    [H, P] gets the stones k moves before the end, for k < H (earlier rows are left alone)."""
    s = start.copy()
    n = n_of(s)
    history = out.shape[0]
    num_moves = points.shape[0]
    for i in range(num_moves + 1):
        ago = num_moves - i
        if ago < history:
            for p in range(n):
                out[ago, p] = color_of(s, n, p)
        if i < num_moves and points[i] < n:
            play_stone(s, nbr, zob, points[i], colors[i])


def history_stones(state: GameState, history: int = DEFAULT_HISTORY) -> np.ndarray:
    """int8 [H, P]: row k holds the stones (0 empty, 1 black, 2 white) k moves ago; rows from
    before the starting position are all 0."""
    if history < 1:
        raise ValueError(f"history must be at least 1, not {history}")
    stones = np.zeros((history, state.num_points), dtype=np.int8)
    moves = state.moves
    if history == 1 or not moves:
        stones[0] = state.stones()
        return stones
    played = np.array([(int(color), int(point)) for color, point in moves], dtype=np.int64)
    g = state.geometry
    _replay(
        state.start_position().board_vector,
        g.neighbours,
        g.zobrist,
        np.ascontiguousarray(played[:, 1]),
        np.ascontiguousarray(played[:, 0]),
        stones,
    )
    return stones


def planes_from_stones(stones: np.ndarray, to_play: Color) -> np.ndarray:
    """Zero planes from a stack of positions.

    Args:
        stones: int8 [H, P] (or [H, N, N]), newest first; 0 empty, 1 black, 2 white.
        to_play: the side to play in the newest position.

    Returns:
        float32 [2H+1, N, N] (see the module table).
    """
    history = stones.shape[0]
    size = int(round(np.sqrt(stones[0].size)))
    flat = stones.reshape(history, size * size)
    out = np.empty((2 * history + 1, size * size), dtype=np.float32)
    np.equal(flat, int(to_play), out=out[:history], casting="unsafe")
    np.equal(flat, int(Color(to_play).opponent), out=out[history:-1], casting="unsafe")
    out[-1] = 1.0 if to_play == Color.BLACK else 0.0
    return out.reshape(2 * history + 1, size, size)


def zero_planes_batch(history: np.ndarray, to_play: np.ndarray, size: int) -> np.ndarray:
    """AlphaGo Zero planes for a batch.

    Args:
        history: int8 [B, H, P] stones of the last H positions, newest first (0/1/2).
        to_play: [B] the side to move (1 black, 2 white).
        size: board size N (P = N * N).

    Returns:
        float32 [B, 2H + 1, N, N]: own stones x H, opponent stones x H, 1 if black is to play.
    """
    batch, depth, _ = history.shape
    me = to_play.astype(np.int8).reshape(batch, 1, 1)
    out = np.empty((batch, 2 * depth + 1, size * size), dtype=np.float32)
    out[:, :depth] = history == me
    out[:, depth:-1] = history == (3 - me)
    out[:, -1] = (to_play == 1).reshape(batch, 1)
    return out.reshape(batch, 2 * depth + 1, size, size)


def encode_zero(state: GameState, history: int = DEFAULT_HISTORY) -> np.ndarray:
    """AlphaGo Zero planes of ``state`` with its side to play.

    Args:
        state: the position and the moves that led to it (replayed from its start position).
        history: H, the positions encoded (8 in the paper).

    Returns:
        float32 [2H+1, N, N] (see the module table).
    """
    return planes_from_stones(history_stones(state, history), state.to_play)


def encode_zero_batch(states: Sequence[GameState], history: int = DEFAULT_HISTORY) -> np.ndarray:
    """``encode_zero`` of each state, stacked: float32 [B, 2H+1, N, N].

    Raises:
        ValueError: if ``states`` is empty or mixes board sizes.
    """
    return stack_encoded(states, lambda state: encode_zero(state, history))


class ZeroHistory:
    """The last H positions of one game, kept as the game goes: O(P) per move, no replay.

    Push the position after every move (passes included) and ask for planes at any time::

        hist = ZeroHistory.from_state(state)
        state.play(point); hist.push(state)
        planes = hist.encode(state.to_play)
    """

    def __init__(self, size: int, history: int = DEFAULT_HISTORY) -> None:
        if history < 1:
            raise ValueError(f"history must be at least 1, not {history}")
        self.size = size
        self.history = history
        self._stones = np.zeros((history, size * size), dtype=np.int8)
        self._newest = history - 1  # ring index of the newest position
        self._count = 0

    @staticmethod
    def from_state(state: GameState, history: int = DEFAULT_HISTORY) -> ZeroHistory:
        """A history holding ``state`` and the positions before it (one replay)."""
        hist = ZeroHistory(state.size, history)
        stones = history_stones(state, history)
        # Ring slot (newest - k) % H holds the position k moves ago; with newest = 0 that is -k.
        hist._stones = np.ascontiguousarray(stones[(-np.arange(history)) % history])
        hist._newest = 0
        hist._count = min(len(state.moves) + 1, history)
        return hist

    @property
    def num_positions(self) -> int:
        """Positions held (at most H)."""
        return self._count

    def push(self, state: GameState) -> None:
        """Record ``state``'s stones as the newest position.

        Raises:
            ValueError: if the board size differs.
        """
        if state.size != self.size:
            raise ValueError(f"a {state.size}x{state.size} position in a {self.size} history")
        self._newest = (self._newest + 1) % self.history
        self._stones[self._newest] = stones_of(state.board_vector, state.num_points)
        self._count = min(self._count + 1, self.history)

    def stones(self) -> np.ndarray:
        """int8 [H, P], newest first; rows not yet filled are all 0."""
        order = (self._newest - np.arange(self.history)) % self.history
        stones = self._stones[order]
        stones[self._count :] = 0
        return stones

    def encode(self, to_play: Color) -> np.ndarray:
        """float32 [2H+1, N, N]: the Zero planes with ``to_play`` to move in the newest position."""
        return planes_from_stones(self.stones(), to_play)

    def copy(self) -> ZeroHistory:
        """An independent copy (for search trees that branch)."""
        other = ZeroHistory(self.size, self.history)
        other._stones = self._stones.copy()
        other._newest, other._count = self._newest, self._count
        return other
