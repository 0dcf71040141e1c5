"""Self-play's pass rule: no pass while the count loses (against the collapse into passing)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from igo.go.coords import Color
from igo.go.rules import rules_from_name
from igo.go.state import GameState
from igo.search.result import SearchResult
from igo.selfplay.game import (
    endgame_rules,
    final_count,
    no_losing_pass,
    no_own_eye_fill,
    training_target,
    tromp_taylor_result,
)
from igo.selfplay.selfplay_config import SelfPlayConfig

# Black owns the left three columns (15 points), white the right two (10): with komi 0.5 black
# wins the count, so black may pass and white may not.
BOARD = """
. . X O .
. . X O .
. . X O .
. . X O .
. . X O .
"""


def position(to_play: Color) -> GameState:
    return GameState.from_ascii(BOARD, rules_from_name("tromp-taylor", 0.5), to_play=to_play)


def result(state: GameState, visits: dict[int, int], move: int) -> SearchResult:
    n = state.num_points
    counts = np.zeros(n + 1)
    for m, v in visits.items():
        counts[m] = v
    legal = state.legal_mask()
    return SearchResult(
        visit_counts=counts,
        policy=(counts / counts.sum()).astype(np.float32),
        root_value=-0.9,
        move=move,
        principal_variation=(move,),
        q_values=np.zeros(n + 1),
        priors=np.where(legal, 1.0 / legal.sum(), 0.0),
        lcb=np.zeros(n + 1),
        legal_mask=legal,
        num_simulations=int(counts.sum()),
        full_search=True,
        improved_policy=np.zeros(n + 1),
    )


def test_count() -> None:
    count = tromp_taylor_result(position(Color.WHITE))
    assert count.winner == Color.BLACK


def test_the_losing_side_may_not_pass() -> None:
    state = position(Color.WHITE)
    n = state.num_points
    searched = result(state, {n: 30, 1: 10, 4: 5}, move=n)
    guarded = no_losing_pass(searched, state)
    assert guarded.move == 1  # the most visited other move
    assert guarded.policy[n] == 0 and np.isclose(guarded.policy.sum(), 1.0)
    assert np.isclose(guarded.policy[1], 10 / 15)
    # Every visit on pass: the highest prior instead, and the target becomes that move.
    only_pass = no_losing_pass(result(state, {n: 40}, move=n), state)
    assert only_pass.move != n and only_pass.policy[only_pass.move] == 1.0


def test_the_winning_side_may_pass() -> None:
    state = position(Color.BLACK)
    n = state.num_points
    searched = result(state, {n: 30, 1: 10}, move=n)
    assert no_losing_pass(searched, state) is searched


def test_the_winning_side_passes_back_and_learns_to() -> None:
    # White has just passed; black wins the count: black passes, and the target is a pass.
    state = position(Color.WHITE)
    state.pass_move()
    n = state.num_points
    searched = result(state, {1: 30, 5: 10, n: 2}, move=1)
    settled = endgame_rules(searched, state, SelfPlayConfig(board_size=5))
    assert settled.move == n
    assert settled.policy[n] == 1.0 and settled.policy.sum() == 1.0
    # Before white's pass, black plays on as searched.
    state.undo()
    state.play(n - 1)
    assert endgame_rules(searched, state, SelfPlayConfig(board_size=5)).move == 1


def test_the_losing_side_does_not_pass_back() -> None:
    # Black has just passed and wins the count: white may not pass (no_losing_pass).
    state = position(Color.BLACK)
    state.pass_move()
    n = state.num_points
    settled = endgame_rules(result(state, {n: 30, 4: 10}, move=n), state, SelfPlayConfig(5))
    assert settled.move == 4 and settled.policy[n] == 0


# Black's group has two one-point eyes (A5, C5): filling either is the only legal move but pass.
EYES = """
. X . X O
X X X X O
O O O O O
. O . O .
O . O . O
"""


def test_no_own_eye_fill_in_the_move_or_the_target() -> None:
    state = GameState.from_ascii(EYES, rules_from_name("tromp-taylor", 0.5))
    n = state.num_points
    eye = 0  # A5
    assert state.is_eye(eye, Color.BLACK)
    searched = result(state, {eye: 30, n: 10}, move=eye)
    settled = no_own_eye_fill(searched, state)
    assert settled.move == n
    assert settled.policy[eye] == 0 and settled.policy[n] == 1.0
    passing = result(state, {n: 10}, move=n)
    assert no_own_eye_fill(passing, state) is passing


def test_policy_target_is_visits_or_the_improved_policy() -> None:
    """``policy_target = "improved"`` trains on the search's improved policy (Gumbel AlphaZero),
    "visits" on the visit counts; the end-of-game rules then apply to either."""
    state = position(Color.BLACK)
    searched = result(state, {0: 3, 1: 1}, move=0)
    improved = np.zeros_like(searched.policy, dtype=np.float64)
    improved[1] = 0.75
    improved[0] = 0.25
    searched = replace(searched, improved_policy=improved)
    visits = training_target(searched, SelfPlayConfig(board_size=5))
    assert np.array_equal(visits.policy, searched.policy)
    target = training_target(searched, SelfPlayConfig(board_size=5, policy_target="improved"))
    assert target.policy.dtype == searched.policy.dtype
    assert target.policy[1] == pytest.approx(0.75) and target.move == searched.move
    with pytest.raises(ValueError, match="policy_target"):
        SelfPlayConfig(policy_target="counts")  # type: ignore[arg-type]


# A lone white stone inside black's area: dead by the estimate, alive for Tromp-Taylor.
DEAD_STONE = """
. . X O .
. O X O .
. . X O .
. . X O .
. . X O .
"""


@pytest.mark.parametrize("scoring", ["tromp-taylor", "estimate"])
def test_final_count_ownership_agrees_with_the_count(scoring: str) -> None:
    state = GameState.from_ascii(DEAD_STONE, rules_from_name("tromp-taylor", 0.5))
    count = final_count(state, scoring)  # type: ignore[arg-type]
    assert count.owner is not None
    board = count.owner.reshape(5, 5)
    assert (board[:, 2] == 1).all() and (board[:, 3:] == -1).all()
    # The stone at b4 counts as white's in Tromp-Taylor; the estimate removes it as dead, and
    # then black's region reaches only black. Elsewhere in black's left side: neutral in
    # Tromp-Taylor (the region touches both colours), black's once the stone is gone.
    if scoring == "tromp-taylor":
        assert board[1, 1] == -1 and (board[:, :2].flatten() != 1).all()
    else:
        assert (board[:, :3] == 1).all()
    assert count.result.black_score is not None and count.result.white_score is not None
    assert count.black_lead == count.result.black_score - count.result.white_score
    assert count.black_lead == pytest.approx(float(count.owner.sum()) - 0.5)


def test_a_resigned_game_has_no_count() -> None:
    state = position(Color.WHITE)
    state.resign()
    count = final_count(state, "tromp-taylor")
    assert count.owner is None and np.isnan(count.black_lead)
    assert count.result.winner == Color.BLACK


# The B+74 pattern (tests/agents/test_endgame.py has the record's position): white's lone stone
# in atari beside black's seven, white to play, komi 7. Tromp-Taylor has white ahead by 1; the
# count with dead stones estimated calls the stone dead (at every seed), so black would pass back
# and win by the whole board.
B74 = """
. . . . . . . . .
. . . . . . . . .
. . X . X X O X .
. . . . . . X . .
. . . . . . . . .
. . . . . . . . .
. . X . X . . . .
. . . . . . . . .
. . . . . . . . .
"""


@pytest.mark.parametrize(("scoring", "may_pass"), [("estimate", False), ("tromp-taylor", True)])
def test_self_play_guards_the_pass_with_its_own_count(scoring: str, may_pass: bool) -> None:
    state = GameState.from_ascii(B74, rules_from_name("chinese", 7.0), to_play=Color.WHITE)
    n = state.num_points
    searched = result(state, {n: 30, 40: 10}, move=n)
    config = SelfPlayConfig(board_size=9, rules="chinese", komi=7.0, scoring=scoring)  # type: ignore[arg-type]
    settled = endgame_rules(searched, state, config)
    assert bool(settled.move == n) == may_pass
    assert bool(settled.policy[n] > 0) == may_pass
