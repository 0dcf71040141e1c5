"""Ladder reading (shicho) for AlphaGo's "ladder capture" and "ladder escape" input planes.

A ladder is the forcing sequence the AlphaGo paper's Extended Data Table 2 names: the attacker
keeps the *prey* string in atari, and the prey's only answers are to extend at its last liberty
or to capture an attacker string that is itself in atari next to it. Reading stops when:

| after the defender's answer | outcome                                              |
|-----------------------------|------------------------------------------------------|
| 3 or more liberties         | escaped (the ladder fails)                           |
| 2 liberties                 | the attacker tries each liberty as the next atari    |
| 1 liberty (or no answer)    | captured on the next move                            |

The reader plays on copies of the engine's board vector with the engine's own ``play`` and
``check`` kernels, so captures, simple ko and suicide follow the rules engine exactly (superko is
ignored while reading, as every ladder reader does). The search is an explicit depth-first stack,
not recursion: numba cannot reliably load recursive functions from its on-disk cache. Each level
of the stack holds two boards (the defender's node and the position after its answer) in a
workspace allocated once per encoded position; pages are touched only as deep as a ladder runs.
Copying a board is the main cost (26 KB at 19x19), so moves whose outcome ``move_outcome`` can
tell without playing them are not played: the prey extending to three or more liberties (or one),
and with it every wrong-side atari. A ladder is narrow (two ataris and a few answers per level),
and a move budget bounds contrived positions: when it runs out, or the stack is full,
the prey counts as escaped, so a ladder capture is only ever claimed when read to the end.
"""

from __future__ import annotations

import numpy as np

from igo.encode.features import move_outcome
from igo.go.board import (
    EMPTY,
    OK,
    atari_liberty,
    check,
    color_of,
    head_of,
    in_atari,
    n_of,
    next_stone,
)
from igo.go.board import play as play_stone
from igo.go.jit import njit

MAX_ANSWERS = 32
"""Most defender answers read at one node (one extension plus captures); more counts as escaped."""

NODE_BUDGET = 4000
"""Most defender answers read for one candidate point; past it the prey counts as escaped."""

# Columns of the per-level bookkeeping array ``meta`` [levels, META_COLUMNS].
M_NUM, M_NEXT, M_ATARI, M_LIBS, M_ANSWERS = 0, 1, 2, 3, 6
META_COLUMNS = M_ANSWERS + MAX_ANSWERS
# States of ``meta[d, M_ATARI]``: 0 or 1 = the next of the two ataris to try after an answer that
# left two liberties; DONE = both tried and neither caught the prey; IDLE = try the next answer.
ATARI_DONE, ATARI_IDLE = 2, 3
# What playing one answer found.
ESCAPED, CAUGHT, GO_ON = 0, 1, 2


@njit
def liberties_upto(s: np.ndarray, nbr: np.ndarray, p: int, limit: int, out: np.ndarray) -> int:
    """Distinct liberties of the string through stone ``p``, counted up to ``limit``.

    Args:
        s: board vector (see ``igo.go.board``).
        nbr: int64 [P, 4] neighbour table.
        p: a stone of the string.
        limit: stop counting here (the ladder needs only 1, 2 or "3 or more").
        out: int64 [>= limit]; receives the liberty points found.

    Returns:
        min(liberties, limit).
    """
    n = n_of(s)
    h = head_of(s, n, p)
    count = 0
    r = h
    while True:
        for k in range(4):
            q = nbr[r, k]
            if q < 0 or color_of(s, n, q) != EMPTY:
                continue
            seen = False
            for i in range(count):
                seen = seen or out[i] == q
            if not seen:
                out[count] = q
                count += 1
                if count >= limit:
                    return count
        r = next_stone(s, n, r)
        if r == h:
            return count


@njit
def defender_answers(s: np.ndarray, nbr: np.ndarray, prey: int, out: np.ndarray) -> int:
    """The prey's ladder answers: its last liberty, then the liberty of every adjacent attacker
    string in atari (capturing it). The prey must be in atari.

    Returns:
        how many points went into ``out`` (int64 [MAX_ANSWERS]), or -1 if they did not fit.
    """
    n = n_of(s)
    attacker = 3 - color_of(s, n, prey)
    h = head_of(s, n, prey)
    # In atari every pseudo-liberty is the same point, so sum / count is that point.
    out[0] = atari_liberty(s, n, h)
    count = 1
    r = h
    while True:
        for k in range(4):
            q = nbr[r, k]
            if q < 0 or color_of(s, n, q) != attacker:
                continue
            hq = head_of(s, n, q)
            if not in_atari(s, n, hq):
                continue
            m = atari_liberty(s, n, hq)
            seen = False
            for i in range(count):
                seen = seen or out[i] == m
            if not seen:
                if count == out.shape[0]:
                    return -1
                out[count] = m
                count += 1
        r = next_stone(s, n, r)
        if r == h:
            return count


@njit
def levels_for(size: int) -> int:
    """Stack levels the reader gets on a ``size`` board: a ladder's prey gains a stone per level
    and crosses the board diagonally, about 2 * size levels; twice that leaves room to spare."""
    return 4 * size


@njit
def new_workspace(s: np.ndarray, levels: int) -> tuple[np.ndarray, np.ndarray]:
    """The reader's workspace for board vectors like ``s``.

    Returns:
        boards: int64 [2 * levels + 1, len(s)]: two boards per level, then one row of scratch
            marks for ``move_outcome`` whose last entry counts the tokens handed out.
        meta: int64 [levels, META_COLUMNS]: the bookkeeping of each level.
    """
    boards = np.empty((2 * levels + 1, s.shape[0]), dtype=np.int64)
    boards[-1, :] = -1
    boards[-1, -1] = 0
    meta = np.empty((levels, META_COLUMNS), dtype=np.int64)
    return boards, meta


@njit
def _liberties_after(
    board: np.ndarray, nbr: np.ndarray, move: int, color: int, marks: np.ndarray
) -> int:
    """Liberties of the string ``color`` forms by playing ``move``, told without playing it."""
    token = marks[-1]
    marks[-1] += 1
    result = np.empty(3, dtype=np.int64)
    move_outcome(board, nbr, move, color, marks, token, result)
    return int(result[2])


@njit
def _atari_fails(
    board: np.ndarray, nbr: np.ndarray, prey: int, x: int, y: int, marks: np.ndarray
) -> bool:
    """Whether the attacker's atari at ``x`` on the prey (liberties ``x`` and ``y``) surely fails
    without reading it: it captures nothing, so it only takes the liberty ``x``, and the prey
    extending at ``y`` then has three or more. This skips the wrong-side atari of every ladder
    without copying a board."""
    n = n_of(board)
    defender = color_of(board, n, prey)
    for k in range(4):
        q = nbr[x, k]
        if (
            q >= 0
            and color_of(board, n, q) == defender
            and in_atari(board, n, head_of(board, n, q))
        ):
            return False
    return _liberties_after(board, nbr, y, defender, marks) - 1 >= 3


@njit
def _open_node(node: np.ndarray, nbr: np.ndarray, prey: int, row: np.ndarray) -> None:
    """Start a defender node: list its answers in ``row`` (a ``meta`` row)."""
    row[M_NUM] = defender_answers(node, nbr, prey, row[M_ANSWERS:])
    row[M_NEXT] = 0
    row[M_ATARI] = ATARI_IDLE


@njit
def _play_answer(
    root: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    prey: int,
    only: int,
    boards: np.ndarray,
    row: np.ndarray,
    d: int,
    budget: np.ndarray,
) -> int:
    """Play the next answer of node ``d`` (``root`` at d = 0, else ``boards[2d]``) into
    ``boards[2d + 1]``: ESCAPED, CAUGHT (no answer left) or GO_ON (read on; ``row[M_ATARI]`` is 0
    when the attacker has two ataris to try)."""
    if row[M_NUM] < 0 or budget[0] <= 0:
        return ESCAPED
    if row[M_NEXT] >= row[M_NUM]:
        return CAUGHT
    m = row[M_ANSWERS + row[M_NEXT]]
    row[M_NEXT] += 1
    node = root if d == 0 else boards[2 * d]
    n = n_of(node)
    defender = color_of(node, n, prey)
    if (only >= 0 and m != only) or check(node, nbr, m, defender, False) != OK:
        return GO_ON
    budget[0] -= 1
    if row[M_NEXT] == 1:  # the prey's own liberty: the outcome is known without playing it
        num_libs = _liberties_after(node, nbr, m, defender, boards[-1])
        if num_libs != 2:
            return ESCAPED if num_libs >= 3 else GO_ON
    after = boards[2 * d + 1]
    after[:] = node
    play_stone(after, nbr, zob, m, defender)
    num_libs = liberties_upto(after, nbr, prey, 3, row[M_LIBS:M_ANSWERS])
    if num_libs >= 3:
        return ESCAPED
    if num_libs == 2:
        row[M_ATARI] = 0
    return GO_ON


@njit
def _play_atari(
    nbr: np.ndarray, zob: np.ndarray, prey: int, boards: np.ndarray, row: np.ndarray, d: int
) -> bool:
    """Play the attacker's next atari after node ``d``'s answer into ``boards[2d + 2]``; True if
    it leaves the prey in atari (a new defender node)."""
    j = row[M_ATARI]
    x, y = row[M_LIBS + j], row[M_LIBS + 1 - j]
    row[M_ATARI] = j + 1
    after = boards[2 * d + 1]
    n = n_of(after)
    attacker = 3 - color_of(after, n, prey)
    if check(after, nbr, x, attacker, False) != OK or _atari_fails(
        after, nbr, prey, x, y, boards[-1]
    ):
        return False
    child = boards[2 * d + 2]
    child[:] = after
    play_stone(child, nbr, zob, x, attacker)
    # An atari that captured next to the prey may have freed liberties: not a ladder move.
    return in_atari(child, n, head_of(child, n, prey))


@njit
def read(
    root: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    prey: int,
    only: int,
    budget: np.ndarray,
    boards: np.ndarray,
    meta: np.ndarray,
) -> bool:
    """Whether the prey, in atari in ``root`` with its side to move, escapes the ladder.

    Args:
        root: the board vector to read from; left unchanged.
        nbr: int64 [P, 4] neighbour table.
        zob: int64 [3, P] Zobrist keys (``play`` keeps the hash).
        prey: a stone of the string in atari.
        only: read just this first answer (a ladder-escape candidate), or -1 for every answer.
        budget: int64 [1], answers left to read; decremented here.
        boards, meta: the workspace of ``new_workspace``.

    Returns:
        True if some answer leaves 3+ liberties, or 2 that no atari can ladder; also True when
        the budget or the stack runs out.
    """
    d = 0
    _open_node(root, nbr, prey, meta[0])
    while True:
        row = meta[d]
        if row[M_ATARI] < ATARI_DONE:
            if _play_atari(nbr, zob, prey, boards, row, d) and d + 1 < meta.shape[0]:
                d += 1
                _open_node(boards[2 * d], nbr, prey, meta[d])
            continue
        if row[M_ATARI] == ATARI_DONE:
            escaped = True
        else:
            status = _play_answer(
                root, nbr, zob, prey, only if d == 0 else -1, boards, row, d, budget
            )
            if status == GO_ON:
                continue
            escaped = status == ESCAPED
        # Node d is decided; report to the answer above it.
        if d == 0:
            return escaped
        d -= 1
        if not escaped:
            meta[d, M_ATARI] = ATARI_IDLE  # that atari caught the answer: try the next answer


@njit
def ladder_capture_works(
    s: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    prey: int,
    move: int,
    budget: np.ndarray,
    boards: np.ndarray,
    meta: np.ndarray,
) -> bool:
    """Whether the attacker's ``move`` ataris the two-liberty prey and the ladder captures it."""
    n = n_of(s)
    attacker = 3 - color_of(s, n, prey)
    if check(s, nbr, move, attacker, False) != OK:
        return False
    libs = meta[0, M_LIBS:M_ANSWERS]
    liberties_upto(s, nbr, prey, 3, libs)
    if _atari_fails(s, nbr, prey, move, libs[1] if libs[0] == move else libs[0], boards[-1]):
        return False
    root = boards[0]
    root[:] = s
    play_stone(root, nbr, zob, move, attacker)
    if not in_atari(root, n, head_of(root, n, prey)):
        return False
    return not read(root, nbr, zob, prey, -1, budget, boards, meta)


@njit
def ladder_escape_works(
    s: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    prey: int,
    move: int,
    budget: np.ndarray,
    boards: np.ndarray,
    meta: np.ndarray,
) -> bool:
    """Whether the prey's side, playing ``move`` (one of its answers), gets the prey (in atari)
    out of the ladder."""
    return read(s, nbr, zob, prey, move, budget, boards, meta)
