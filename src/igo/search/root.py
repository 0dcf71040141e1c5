"""What a search needs from its root GameState: kernel parameters and the replay context."""

from __future__ import annotations

import numpy as np

from igo.go.board import clear_ko, play, stone_hash
from igo.go.state import GameState
from igo.search.config import SearchConfig
from igo.search.gumbel import GumbelRoot, gumbel_root
from igo.search.leaves import RootContext
from igo.search.rollout.patterns import pattern_geometry
from igo.search.rollout.tables import RolloutTables, no_tables
from igo.search.simulate import (
    SUPERKO_NONE,
    SUPERKO_POSITIONAL,
    SUPERKO_SITUATIONAL,
    position_key,
)
from igo.search.tree import KernelParams

_SUPERKO = {
    "simple": SUPERKO_NONE,
    "positional": SUPERKO_POSITIONAL,
    "situational": SUPERKO_SITUATIONAL,
}
_NO_CAP = 1 << 62


def kernel_params(state: GameState, config: SearchConfig, history_length: int) -> KernelParams:
    """The compiled kernels' scalars for a search from ``state``."""
    rules = state.rules
    n = state.num_points
    komi = rules.komi
    if rules.scoring == "area":
        komi += rules.handicap_bonus(state.num_handicap)
    moves_left = _NO_CAP if state.move_cap is None else state.move_cap - len(state.moves)
    return KernelParams(
        num_points=n,
        c_puct=float(config.c_puct),
        c_base=float(config.c_base) if config.c_base is not None else 0.0,
        fpu_reduction=float(config.fpu_reduction),
        fpu_value=float(config.fpu_value) if config.fpu_value is not None else float("nan"),
        virtual_loss=int(config.virtual_loss),
        rollout_weight=float(config.rollout_weight),
        prior_threshold=int(config.prior_threshold),
        rollout_cap=int(config.rollout_cap if config.rollout_cap is not None else 4 * n + 100),
        komi=float(komi),
        multi_suicide=bool(rules.multi_stone_suicide),
        superko=_SUPERKO[rules.ko],
        moves_left=int(moves_left),
        history_length=int(history_length),
    )


def replay_game(
    state: GameState, superko: int, history_length: int
) -> tuple[np.ndarray, np.ndarray]:
    """Replay ``state``'s game from its starting position.

    Returns:
        (sorted superko keys of every position so far, int64 [M]; stones of the position and the
        ``history_length`` - 1 before it, int8 [H, P], rows from before the start all 0, as
        ``igo.encode.zero_planes``).
    """
    g = state.geometry
    n = state.num_points
    history = np.zeros((history_length, n), dtype=np.int8)
    if superko == SUPERKO_NONE and history_length <= 1:
        history[:1] = state.board_vector[:n]
        return np.zeros(0, dtype=np.int64), history
    start = state.start_position()
    work = start.board_vector.copy()
    keys = [position_key(stone_hash(work), int(start.to_play), superko)]
    stones = [work[:n].astype(np.int8)]
    for color, point in state.moves:
        if point == n:
            clear_ko(work)
        else:
            play(work, g.neighbours, g.zobrist, point, int(color))
        keys.append(position_key(stone_hash(work), 3 - int(color), superko))
        stones.append(work[:n].astype(np.int8))
        if len(stones) > max(history_length, 1):
            stones.pop(0)
    for i in range(min(history_length, len(stones))):
        history[i] = stones[len(stones) - 1 - i]
    return np.unique(np.array(keys, dtype=np.int64)), history


def root_context(
    state: GameState,
    params: KernelParams,
    rollout: RolloutTables | None = None,
    gumbel: GumbelRoot | None = None,
) -> RootContext:
    """The root's board, superko keys and stone history (see ``replay_game``), the rollout
    policy (None: uniform rollouts) with what it needs: the pattern geometry and last move, and
    the Gumbel root state (None: PUCT at the root)."""
    g = state.geometry
    keys, history = replay_game(state, params.superko, params.history_length)
    last = int(state.moves[-1][1]) if state.moves else -1
    return RootContext(
        board=state.board_vector.copy(),
        keys=keys,
        history=history,
        neighbours=g.neighbours,
        diagonals=g.diagonals,
        zobrist=g.zobrist,
        rollout=no_tables() if rollout is None else rollout,
        diamond=pattern_geometry(state.size).diamond,
        last_move=last if last < state.num_points else -1,
        gumbel=gumbel_root(state.num_points + 1) if gumbel is None else gumbel,
    )
