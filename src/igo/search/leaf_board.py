"""A leaf's position inside the search: its board replayed from the root, its legal moves, its
value by area, and its rollout.

A leaf's board is not stored in the tree: ``replay`` rebuilds it from the root's board vector
with the path's moves played by ``igo.go.board.play``. Legality inside the tree is exact: simple
ko comes from the board kernels, and positional or situational superko is checked against the
keys of every earlier position of the game (the root's history, sorted) and of the path
(``position_key``). A leaf where the game is over (two passes, or the move cap) is scored by
Tromp-Taylor area with komi whatever the rules' scoring (territory rules included); a Lee rollout
plays uniformly random moves that fill no own eye (``igo.go.playout``), or samples them from the
search's rollout policy when it has one (``rollout.playout``), and is scored alike. ``simulate``
runs these steps on the leaves it selects, and re-exports them.
"""

from __future__ import annotations

import numpy as np

from igo.go.board import OK, check, clear_ko, hash_after, play, stone_hash
from igo.go.jit import inline, njit
from igo.go.playout import area_owner, run_playout
from igo.search.leaves import RootContext
from igo.search.rollout.playout import policy_playout
from igo.search.tree import KernelParams, TreeArrays

SUPERKO_NONE, SUPERKO_POSITIONAL, SUPERKO_SITUATIONAL = 0, 1, 2
# XOR-ed into a position key when white is to move, for situational superko inside the search.
_WHITE_TO_MOVE_KEY = 0x2B992DDFA23249D6


@inline
def position_key(stone_hash: int, to_play: int, superko: int) -> int:
    """The key superko compares: the stones, and the side to move if situational."""
    if superko == SUPERKO_SITUATIONAL and to_play == 2:
        return stone_hash ^ _WHITE_TO_MOVE_KEY
    return stone_hash


@njit
def replay(
    t: TreeArrays,
    leaf: int,
    root: RootContext,
    prm: KernelParams,
    board: np.ndarray,
    history: np.ndarray,
    path: np.ndarray,
    path_keys: np.ndarray,
) -> None:
    """Rebuild ``leaf``'s board into ``board`` [L] from the root, its stone history into
    ``history`` [H, P], and the superko key after each ply into ``path_keys`` [depth]
    (``path`` [depth] is scratch)."""
    n = prm.num_points
    depth = t.depth[leaf]
    node = leaf
    for i in range(depth - 1, -1, -1):
        path[i] = t.move[node]
        node = t.parent[node]
    board[:] = root.board
    neighbours, zobrist = root.neighbours, root.zobrist
    for h in range(depth, prm.history_length):
        history[h, :] = root.history[h - depth]
    color = t.to_play[0]
    for j in range(depth):
        p = path[j]
        if p == n:
            clear_ko(board)
        else:
            play(board, neighbours, zobrist, p, color)
        color = 3 - color
        path_keys[j] = position_key(stone_hash(board), color, prm.superko)
        if depth - 1 - j < prm.history_length:
            for q in range(n):
                history[depth - 1 - j, q] = board[q]


@njit
def legal_moves(
    board: np.ndarray,
    color: int,
    root: RootContext,
    prm: KernelParams,
    path_keys: np.ndarray,
    legal: np.ndarray,
) -> None:
    """Fill ``legal`` [P + 1] with ``color``'s legal moves (superko included); pass is legal."""
    n = prm.num_points
    neighbours = root.neighbours
    # A literal suicide flag lets numba specialise and inline ``check`` (about 4x faster).
    if prm.multi_suicide:
        for p in range(n):
            legal[p] = check(board, neighbours, p, color, True) == OK
    else:
        for p in range(n):
            legal[p] = check(board, neighbours, p, color, False) == OK
    legal[n] = True
    if prm.superko == SUPERKO_NONE:
        return
    keys, zobrist = root.keys, root.zobrist
    for p in range(n):
        if not legal[p]:
            continue
        key = position_key(hash_after(board, neighbours, zobrist, p, color), 3 - color, prm.superko)
        i = np.searchsorted(keys, key)
        if i < keys.shape[0] and keys[i] == key:
            legal[p] = False
        for j in range(path_keys.shape[0]):
            if path_keys[j] == key:
                legal[p] = False


@njit
def area_value(
    board: np.ndarray, color: int, root: RootContext, prm: KernelParams, owner: np.ndarray
) -> float:
    """+1 / -1 / 0: ``color`` wins / loses / draws by Tromp-Taylor area with komi."""
    n = prm.num_points
    area_owner(board[:n], root.neighbours, owner)
    score = -prm.komi
    for p in range(n):
        if owner[p] == 1:
            score += 1.0
        elif owner[p] == 2:
            score -= 1.0
    black = 1.0 if score > 0 else (-1.0 if score < 0 else 0.0)
    return black if color == 1 else -black


@njit
def rollout(
    work: np.ndarray, root: RootContext, color: int, last: int, prm: KernelParams, rng: np.ndarray
) -> None:
    """Play ``work`` out from ``color`` to move after ``last``: with the rollout policy when the
    search has one (``igo.search.rollout.playout``), else uniformly random moves."""
    if root.rollout.exp_weights.shape[0] == 0:
        run_playout(
            work, root.neighbours, root.diagonals, root.zobrist, color, prm.rollout_cap, rng
        )
    else:
        policy_playout(
            work,
            root.neighbours,
            root.diamond,
            root.zobrist,
            root.rollout,
            color,
            last,
            prm.rollout_cap,
            rng,
        )
