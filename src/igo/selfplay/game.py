"""One game in progress inside a batched game loop: its position, what it has recorded, its end.

Both game loops (self-play in ``runner.py``, network against network in ``net_match.py``) keep
one ``LiveGame`` per slot (``game_slots.py``), feed each search result to ``record`` / ``play``,
and turn a finished game into a result and an SGF with ``final_result`` and ``game_sgf``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from igo.go.coords import Color
from igo.go.result import GameResult
from igo.go.scoring import (
    area_owners,
    area_score,
    final_score,
    final_status,
    passing_loses,
    passing_wins,
)
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.io.sgf import record_from_state, write_sgf
from igo.search.result import SearchResult
from igo.selfplay.record import RESIGN_MOVE
from igo.selfplay.selfplay_config import Scoring, SelfPlayConfig


@dataclass
class LiveGame:
    """A game being played in one slot of a batched loop."""

    state: GameState
    """The position now."""
    index: int
    """The game's number among those this loop started."""
    resign_allowed: bool = True
    """Whether the side to move may resign (False: played out, to measure false resignations)."""
    stones: list[np.ndarray] = field(default_factory=list)
    to_play: list[int] = field(default_factory=list)
    moves: list[int] = field(default_factory=list)
    policies: list[np.ndarray | None] = field(default_factory=list)
    root_values: list[float] = field(default_factory=list)

    def record(self, result: SearchResult) -> None:
        """Remember the position searched and the search's targets (before the move)."""
        self.stones.append(self.state.stones())
        self.to_play.append(int(self.state.to_play))
        self.policies.append(result.policy.astype(np.float32) if result.full_search else None)
        self.root_values.append(float(result.root_value))

    def play(self, result: SearchResult, resign_threshold: float) -> int:
        """Play the search's move, or resign if allowed and the root value is below the
        threshold; returns the move (``RESIGN_MOVE`` for a resignation)."""
        if self.resign_allowed and result.root_value < resign_threshold:
            self.state.resign()
            move = RESIGN_MOVE
        else:
            move = int(result.move)
            self.state.play(move)
        self.moves.append(move)
        return move

    def policy_array(self) -> np.ndarray:
        """float32 [T, P + 1]: the recorded policies, zeros where the search was cheap."""
        width = self.state.num_points + 1
        out = np.zeros((len(self.policies), width), dtype=np.float32)
        for row, policy in enumerate(self.policies):
            if policy is not None:
                out[row] = policy
        return out


def final_result(state: GameState, scoring: Scoring, seed: int = 0) -> GameResult:
    """The result of a finished game: the resignation, or the count (``final_count``)."""
    return final_count(state, scoring, seed).result


@dataclass(frozen=True)
class FinalCount:
    """How a finished game was decided, and who owned what at the end (the aux targets)."""

    result: GameResult
    """The resignation, or the count."""
    owner: np.ndarray | None
    """int8 [P]: each point's owner at the count, +1 black, -1 white, 0 neither (dead stones
    removed as the count removed them); None after a resignation (nothing was counted)."""
    black_lead: float
    """Black's score minus white's at the count (komi and bonus in); NaN after a resignation."""


def final_count(state: GameState, scoring: Scoring, seed: int = 0) -> FinalCount:
    """The result of a finished game with the count's ownership.

    Tromp-Taylor scoring (the paper's) counts every stone on the board as alive; ``estimate``
    removes the stones random playouts find dead first (``igo.go.scoring.final_status``), and
    the ownership is the area of the stones left, so it agrees with the count point for point.
    """
    if state.resigned is not None:
        return FinalCount(GameResult(state.resigned.opponent, "resign"), None, math.nan)
    stones = state.stones()
    if scoring == "estimate":
        dead = final_status(state, 64, seed)
        result = final_score(state, dead, 64, seed)
        stones = np.where(dead, 0, stones).astype(np.int8)
    else:
        result = tromp_taylor_result(state)
    lead = (result.black_score or 0.0) - (result.white_score or 0.0)
    return FinalCount(result, area_owners(stones, state.size), lead)


def tromp_taylor_result(state: GameState) -> GameResult:
    """The Tromp-Taylor count of the position as it stands (every stone alive)."""
    black, white = area_score(state.stones(), state.size)
    bonus = state.rules.handicap_bonus(state.num_handicap)
    return GameResult.by_score(float(black), float(white) + state.rules.komi + bonus)


def training_target(result: SearchResult, config: SelfPlayConfig) -> SearchResult:
    """``result`` with the policy target ``config.policy_target`` asks for: its visit policy, or
    the improved policy of Gumbel AlphaZero (``SearchResult.improved_policy``)."""
    if config.policy_target == "visits":
        return result
    return replace(result, policy=result.improved_policy.astype(result.policy.dtype))


def endgame_rules(result: SearchResult, state: GameState, config: SelfPlayConfig) -> SearchResult:
    """``result`` (its move and policy target) under the end-of-game rules the players keep
    (``igo.agents``), so self-play teaches the network what they play.

    - Where the opponent has just passed and the self-play count (``final_result`` by
      ``config.scoring``) wins for the side to move, the move is a pass and so is the target
      (``igo.go.scoring.passing_wins``): playing on inside one's own area gains nothing, and a
      net that learns to do it fills its own groups' eyes once its opponent passes.
    - Unless ``config.pass_when_losing``: no pass while the same count, taken after the pass,
      loses (``no_losing_pass``). With ``scoring = "estimate"`` that is the count with dead
      stones estimated, as the players keep it (``igo.agents.move_rules``): a Tromp-Taylor
      guard let white pass on a near-empty board where komi put it ahead, the count called its
      lone stone dead, black passed back and won B+74, and the net learned the early pass.
    - Never a move into one's own true eye (``no_own_eye_fill``).
    """
    count = partial(final_result, scoring=config.scoring)
    if passing_wins(state, count):
        policy = np.zeros_like(result.policy)
        policy[state.num_points] = 1.0
        return replace(result, move=state.num_points, policy=policy)
    if not config.pass_when_losing:
        result = no_losing_pass(result, state, count)
    return no_own_eye_fill(result, state)


def no_losing_pass(
    result: SearchResult,
    state: GameState,
    count: Callable[[GameState], GameResult] | None = None,
) -> SearchResult:
    """``result`` without a pass while the side to move would lose the count by passing
    (``count``, taken after the pass; default: Tromp-Taylor, every stone alive).

    Passing when the opponent may pass back and end the game on a lost count is giving up. A
    net whose value head has come to see every position as lost for one side then passes every
    move with that side, its games end early with the other side winning, and the next nets learn
    it ever more surely (the 9x9 run's generations 8-9: white passed from move 12, black won
    99-100%). Leela Zero likewise passes only when the count does not lose. So while the count
    (``passing_loses``) loses for the side to move, pass leaves the policy
    target, and a chosen pass becomes the most visited other legal move (the highest prior if
    none was visited); a pass that is the only legal move stays.
    """
    n = state.num_points
    if result.policy[n] == 0 and result.move != n:
        return result
    if not passing_loses(state, count):
        return result
    allowed = result.legal_mask.copy()
    allowed[n] = False
    return _restricted(result, allowed) if allowed.any() else result


def no_own_eye_fill(result: SearchResult, state: GameState) -> SearchResult:
    """``result`` with no move into one of the side to move's own true eyes, chosen or in the
    policy target (the players' rule: ``igo.go.sensible``); a chosen eye fill becomes the most
    visited sensible move, or pass."""
    n = state.num_points
    allowed = np.zeros(n + 1, dtype=bool)
    allowed[sensible_moves(state)] = True
    allowed[n] = True
    if allowed[int(result.move)] and not np.any(result.policy[~allowed]):
        return result
    return _restricted(result, allowed)


def _restricted(result: SearchResult, allowed: np.ndarray) -> SearchResult:
    """``result`` with its policy target and move kept to ``allowed`` [P + 1]: a move outside it
    becomes the most visited allowed one (the highest prior if none was visited)."""
    policy = np.where(allowed, result.policy.astype(np.float64), 0.0)
    move = int(result.move)
    if not allowed[move]:
        visits = np.where(allowed, result.visit_counts, -1)
        scores = visits if visits.max() > 0 else np.where(allowed, result.priors, -1.0)
        move = int(np.argmax(scores))
    if policy.sum() <= 0:
        policy[move] = 1.0
    return replace(result, move=move, policy=(policy / policy.sum()).astype(result.policy.dtype))


def winner_code(result: GameResult) -> int:
    """1 black, 2 white, 0 no winner."""
    return 0 if result.winner is None else int(result.winner)


def game_sgf(state: GameState, result: GameResult, black: str, white: str, comment: str) -> str:
    """The game as SGF text with player names and a root comment."""
    metadata = {"PB": black, "PW": white, "C": comment}
    return write_sgf(record_from_state(state, result, metadata))


def color_name(color: Color) -> str:
    """``black`` or ``white``."""
    return "black" if color == Color.BLACK else "white"
