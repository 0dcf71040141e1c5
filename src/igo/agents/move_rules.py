"""What a search player plays after its search: the search's move, with the rules of the game's
end applied.

The search counts a finished game Tromp-Taylor (every stone alive) and a weak net's priors say
little about passes and eyes, so a search player (``igo.agents.mcts_player``) never plays these:

- a pass on an empty board: the most visited legal point instead (the pass ends nothing);
- a pass that loses (``igo.go.scoring.passing_loses``: by the game's count, dead stones
  estimated, as the opponent counts a pass back): the most visited sensible move instead (pass
  if none), or the opponent passes back and the game ends lost (the B+74 endings,
  docs/arena.md);
- a move into its own true eye: the same (it never helps, and a weak net that does it keeps
  games from ending).

A pass back where passing wins the game's count (``passing_wins``) comes before the search, in
the player. Self-play and the ``policy`` player keep the same rules their own way.
"""

from __future__ import annotations

import numpy as np

from igo.go.coords import Point
from igo.go.scoring import final_score, passing_loses
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.search.result import SearchResult


def checked_move(state: GameState, result: SearchResult) -> Point:
    """``result``'s move on ``state`` with the rules above applied."""
    move = int(result.move)
    if move == state.num_points and not np.any(state.stones()):
        visits = np.where(result.legal_mask[:-1], result.visit_counts[:-1] + 1, 0)
        if visits.any():
            priors = result.priors[:-1]
            move = int(np.lexsort((-priors, -visits))[0])
    elif move == state.num_points and passing_loses(state, final_score):
        move = sensible_instead(state, result.visit_counts, result.priors)
    elif move < state.num_points and state.is_eye(move, state.to_play):
        move = sensible_instead(state, result.visit_counts, result.priors)
    return move


def sensible_instead(state: GameState, visits: np.ndarray, priors: np.ndarray) -> Point:
    """The most visited sensible move (``igo.go.sensible``; the higher prior breaks ties), or
    pass if none: no move fills one's own true eye.

    Args:
        state: the position.
        visits: float or int [P + 1], the root's visit counts.
        priors: float [P + 1], the root's priors.
    """
    candidates = sensible_moves(state)
    if candidates.size == 0:
        return state.num_points
    order = np.lexsort((-priors[candidates], -visits[candidates]))
    return int(candidates[order[0]])
