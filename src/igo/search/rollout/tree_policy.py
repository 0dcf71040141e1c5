"""AlphaGo's tree policy behind the search's Evaluator protocol (Lee mode's ``tree_policy``).

New nodes below the expansion threshold take the tree policy's priors until the network's
arrive (Silver et al. 2016, Methods "Expansion"). The previous moves and their captures, which
the pattern features read, come from a GameState's game or from a leaf's stone history.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from igo.go.state import GameState
from igo.search.rollout.policy import RolloutPolicy, game_context

if TYPE_CHECKING:
    from igo.search.evaluator import Leaves


def _moves_from_history(history: np.ndarray, to_play: int) -> tuple[int, int, np.ndarray]:
    """(previous move, the one before, stones it captured) from stones [H >= 2, P], latest
    first; -1 where no single new stone explains the change (a pass, a setup)."""
    h0, h1 = history[0], history[1]
    new = np.flatnonzero((h1 == 0) & (h0 == 3 - to_play))
    last = int(new[0]) if new.shape[0] == 1 else -1
    captured = np.flatnonzero((h1 == to_play) & (h0 == 0)) if last >= 0 else np.zeros(0, int)
    last2 = -1
    if history.shape[0] >= 3:
        before = np.flatnonzero((history[2] == 0) & (h1 == to_play))
        last2 = int(before[0]) if before.shape[0] == 1 else -1
    return last, last2, captured.astype(np.int64)


class TreePolicyEvaluator:
    """The tree policy behind the search's Evaluator protocol: priors for new nodes before the
    network's arrive (Lee mode's ``tree_policy``), value 0."""

    history_length = 3
    """Stones of the position and the two before: the previous moves and their captures."""

    def __init__(self, policy: RolloutPolicy, pass_prior: float = 0.01) -> None:
        self.policy = policy
        self.pass_prior = pass_prior

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        """Priors [B, P + 1] and zero values [B] for GameStates."""
        rows = []
        for state in states:
            last, last2, captured = game_context(state)
            probs = self.policy.move_probabilities(
                state.board_vector, int(state.to_play), last, last2, captured, self.pass_prior
            )
            rows.append(probs.astype(np.float32))
        return np.stack(rows), np.zeros(len(rows))

    def evaluate_leaves(self, leaves: Leaves) -> tuple[np.ndarray, np.ndarray]:
        """As ``evaluate``, from the leaves' arrays (their states when history is short)."""
        if leaves.history.shape[1] < 2:
            return self.evaluate(leaves.states())
        rows = [
            self._priors(leaves.boards[i], int(leaves.to_play[i]), leaves.history[i])
            for i in range(len(leaves))
        ]
        return np.stack(rows), np.zeros(len(rows))

    def _priors(self, board: np.ndarray, to_play: int, history: np.ndarray) -> np.ndarray:
        last, last2, captured = _moves_from_history(history, to_play)
        return self.policy.move_probabilities(
            board, to_play, last, last2, captured, self.pass_prior
        ).astype(np.float32)
