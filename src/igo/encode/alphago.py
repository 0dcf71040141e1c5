"""AlphaGo (2016) input planes: the 48 features of Extended Data Table 2, plus the value net's 49th.

Silver et al., Nature 529 (2016), Extended Data Table 2. "Own" and "opponent" are relative to the
side to play. An "8-plane" feature is one-hot over 1..8, the last plane meaning "8 or more"
(capture size over 0..7, the last "7 or more"). Move features (capture size to sensibleness) are
set only on points where the side to play may legally play, superko included; elsewhere all
their planes are 0.

| planes | feature              | what a 1 means at a point                                      |
|--------|----------------------|----------------------------------------------------------------|
| 0      | stone colour: own    | a stone of the side to play                                    |
| 1      | stone colour: opp.   | a stone of the opponent                                        |
| 2      | stone colour: empty  | no stone                                                       |
| 3      | ones                 | always (marks the board inside the network's zero padding)    |
| 4-11   | turns since          | plane 4+k-1: the stone was played k moves ago (k=8: 8 or more, |
|        |                      | or placed before the game's first move); passes count as moves |
| 12-19  | liberties            | plane 12+k-1: the stone's string has k liberties (8: 8+)       |
| 20-27  | capture size         | plane 20+k: a move here captures k opponent stones (7: 7+)     |
| 28-35  | self-atari size      | plane 28+k-1: a move here leaves its string of k stones with   |
|        |                      | at most one liberty (8: 8+)                                    |
| 36-43  | liberties after move | plane 36+k-1: the string formed by a move here has k liberties |
|        |                      | after its captures (8: 8+)                                     |
| 44     | ladder capture       | a move here ataris an opponent string of two liberties and the |
|        |                      | ladder that follows captures it                                |
| 45     | ladder escape        | a move here (extending, or capturing a neighbour) saves an own |
|        |                      | string in atari from the ladder that follows                   |
| 46     | sensibleness         | a move here is legal and does not fill an own true eye         |
| 47     | zeros                | never                                                          |
| 48     | player colour        | value network only (``value_plane=True``): black is to play    |

A true eye (sensibleness) is the engine's ``board.is_eye``: all four neighbours are own stones,
and the opponent holds no diagonal point on the edge, at most one in the centre. Capture size,
self-atari size, liberties after move and the two ladder planes are computed by compiled kernels
on the engine's board vector (``features.py``, ``ladder.py``); a 19x19 middle-game position
encodes in about 0.1 ms (see ``benchmarks/bench_encode.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from igo.encode.batch import stack_encoded
from igo.encode.features import move_outcome, string_liberties
from igo.encode.ladder import (
    MAX_ANSWERS,
    NODE_BUDGET,
    defender_answers,
    ladder_capture_works,
    ladder_escape_works,
    levels_for,
    liberties_upto,
    new_workspace,
)
from igo.go.board import (
    EMPTY,
    OK,
    board_size_of,
    check,
    color_of,
    head_of,
    in_atari,
    is_eye,
    n_of,
)
from igo.go.coords import Color
from igo.go.jit import njit
from igo.go.state import GameState

NUM_PLANES = 48
"""Planes of the policy network's input."""
NUM_VALUE_PLANES = 49
"""Planes of the value network's input (one more: the colour to play)."""

OWN, OPPONENT, EMPTY_POINT, ONES = 0, 1, 2, 3
TURNS_SINCE, LIBERTIES, CAPTURE_SIZE, SELF_ATARI_SIZE, LIBERTIES_AFTER = 4, 12, 20, 28, 36
LADDER_CAPTURE, LADDER_ESCAPE, SENSIBLENESS, ZEROS, PLAYER_COLOR = 44, 45, 46, 47, 48

PLANE_NAMES: tuple[str, ...] = (
    ("own stones", "opponent stones", "empty", "ones")
    + tuple(f"turns since {k}" for k in range(1, 9))
    + tuple(f"liberties {k}" for k in range(1, 9))
    + tuple(f"capture size {k}" for k in range(8))
    + tuple(f"self-atari size {k}" for k in range(1, 9))
    + tuple(f"liberties after move {k}" for k in range(1, 9))
    + ("ladder capture", "ladder escape", "sensibleness", "zeros", "player colour")
)
"""A short name for each plane index (49 names; the policy input uses the first 48)."""

_OLDEST = 8  # "turns since" saturates here: the paper's last plane means "8 or more"


@njit
def _fill_board_planes(
    s: np.ndarray, nbr: np.ndarray, color: int, ages: np.ndarray, out: np.ndarray
) -> None:
    """Stone colour, ones, turns since and liberties (planes 0-19)."""
    n = n_of(s)
    libs = np.zeros(n, dtype=np.int64)
    string_liberties(s, nbr, libs)
    for p in range(n):
        out[ONES, p] = 1.0
        c = color_of(s, n, p)
        if c == EMPTY:
            out[EMPTY_POINT, p] = 1.0
            continue
        out[OWN if c == color else OPPONENT, p] = 1.0
        out[TURNS_SINCE + min(ages[p], _OLDEST) - 1, p] = 1.0
        if libs[p] > 0:
            out[LIBERTIES + min(libs[p], 8) - 1, p] = 1.0


@njit
def _fill_move_planes(
    s: np.ndarray, nbr: np.ndarray, diag: np.ndarray, color: int, legal: np.ndarray, out: np.ndarray
) -> None:
    """Capture size, self-atari size, liberties after move and sensibleness (planes 20-43, 46)."""
    n = n_of(s)
    mark = np.full(n, -1, dtype=np.int64)
    result = np.zeros(3, dtype=np.int64)
    for p in range(n):
        if not legal[p]:
            continue
        move_outcome(s, nbr, p, color, mark, p, result)
        captured, size, libs = result[0], result[1], result[2]
        out[CAPTURE_SIZE + min(captured, 7), p] = 1.0
        # A legal move left with no liberty is a multi-stone suicide: those stones are lost too.
        if libs <= 1:
            out[SELF_ATARI_SIZE + min(size, 8) - 1, p] = 1.0
        if libs >= 1:
            out[LIBERTIES_AFTER + min(libs, 8) - 1, p] = 1.0
        if not is_eye(s, nbr, diag, p, color):
            out[SENSIBLENESS, p] = 1.0


@njit
def _fill_ladder_planes(
    s: np.ndarray, nbr: np.ndarray, zob: np.ndarray, color: int, legal: np.ndarray, out: np.ndarray
) -> None:
    """Ladder capture and ladder escape (planes 44, 45): read only where a string has 1 or 2
    liberties, the only places a ladder can start."""
    n = n_of(s)
    answers = np.empty(MAX_ANSWERS, dtype=np.int64)
    budget = np.empty(1, dtype=np.int64)
    # The reader's workspace is allocated on the first string that needs reading.
    boards, meta = new_workspace(s, 0)
    for h in range(n):
        c = color_of(s, n, h)
        if c == EMPTY or head_of(s, n, h) != h:
            continue
        # Candidates: both liberties of an opponent string with two (each is an atari), and the
        # answers of an own string in atari (its liberty, or capturing a neighbour in atari).
        if c != color:
            num = 2 if liberties_upto(s, nbr, h, 3, answers) == 2 else 0
        else:
            num = max(defender_answers(s, nbr, h, answers), 0) if in_atari(s, n, h) else 0
        plane = LADDER_CAPTURE if c != color else LADDER_ESCAPE
        for j in range(num):
            m = answers[j]
            if not legal[m] or out[plane, m] != 0.0:
                continue
            if meta.shape[0] == 0:
                boards, meta = new_workspace(s, levels_for(board_size_of(s)))
            budget[0] = NODE_BUDGET
            if c != color:
                works = ladder_capture_works(s, nbr, zob, h, m, budget, boards, meta)
            else:
                works = ladder_escape_works(s, nbr, zob, h, m, budget, boards, meta)
            if works:
                out[plane, m] = 1.0


@njit
def fill_alphago_planes(
    s: np.ndarray,
    nbr: np.ndarray,
    diag: np.ndarray,
    zob: np.ndarray,
    color: int,
    multi_suicide: bool,
    allowed: np.ndarray,
    ages: np.ndarray,
    out: np.ndarray,
) -> None:
    """Write planes 0-47 for ``color`` to play into ``out``.

    Args:
        s: board vector (see ``igo.go.board``); read only.
        nbr: int64 [P, 4] neighbours; diag: int64 [P, 4] diagonals; zob: int64 [3, P] keys.
        color: the side to play, 1 black or 2 white.
        multi_suicide: whether the rules allow multi-stone suicide.
        allowed: bool [P]; False where a rule the board vector cannot see (superko) forbids a move.
        ages: int64 [P]; moves since the stone on each point was played (8 or more: 8).
        out: float32 [>= 48, P], zero on entry.
    """
    n = n_of(s)
    legal = np.zeros(n, dtype=np.bool_)
    for p in range(n):
        legal[p] = allowed[p] and check(s, nbr, p, color, multi_suicide) == OK
    _fill_board_planes(s, nbr, color, ages, out)
    _fill_move_planes(s, nbr, diag, color, legal, out)
    _fill_ladder_planes(s, nbr, zob, color, legal, out)


def _turns_since(state: GameState) -> np.ndarray:
    """int64 [P]: how many moves ago each point was last played, saturating at 8."""
    ages = np.full(state.num_points, _OLDEST, dtype=np.int64)
    # Only the last 7 moves can give an age below 8; the newest play on a point wins, which is
    # the one that put down any stone standing there now.
    recent = state.moves[-(_OLDEST - 1) :]
    for turns, (_, point) in enumerate(reversed(recent), start=1):
        if point < state.num_points and ages[point] == _OLDEST:
            ages[point] = turns
    return ages


def _superko_allowed(state: GameState) -> np.ndarray:
    """bool [P]: False where only superko forbids the move (the kernel checks the rest)."""
    if state.rules.ko == "simple" or state.is_over():
        return np.ones(state.num_points, dtype=np.bool_)
    return state.legal_mask()[: state.num_points]


def encode_alphago(state: GameState, value_plane: bool = False) -> np.ndarray:
    """AlphaGo's input planes for the position ``state`` with its side to play.

    Args:
        state: the position; only its stones, side to play, rules and last 7 moves are read.
        value_plane: add plane 48 (all 1 when black is to play), the value network's input.

    Returns:
        float32 [48, N, N], or [49, N, N] with ``value_plane``; see the module table.
    """
    num_planes = NUM_VALUE_PLANES if value_plane else NUM_PLANES
    out = np.zeros((num_planes, state.num_points), dtype=np.float32)
    g = state.geometry
    fill_alphago_planes(
        state.board_vector,
        g.neighbours,
        g.diagonals,
        g.zobrist,
        int(state.to_play),
        state.rules.multi_stone_suicide,
        _superko_allowed(state),
        _turns_since(state),
        out,
    )
    if value_plane and state.to_play == Color.BLACK:
        out[PLAYER_COLOR] = 1.0
    return out.reshape(num_planes, state.size, state.size)


def encode_alphago_batch(states: Sequence[GameState], value_plane: bool = False) -> np.ndarray:
    """``encode_alphago`` of each state, stacked: float32 [B, 48 or 49, N, N].

    Raises:
        ValueError: if ``states`` is empty or mixes board sizes.
    """
    return stack_encoded(states, lambda state: encode_alphago(state, value_plane))
