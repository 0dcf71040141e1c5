"""Search sanity on ASCII positions, Lee mode with uniform random rollouts (lambda = 1).

Each position has one right answer that random rollouts alone cannot see at the root but the
tree finds: the komi is set so that the tactical point decides the game.
"""

from __future__ import annotations

import numpy as np

from igo.go.coords import Color, from_gtp
from igo.go.rules import Rules
from igo.go.state import GameState
from igo.search import SearchConfig, SearchResult, UniformEvaluator, run_search
from search_fakes import FakeEvaluator

RACE = """
. X O X .
X X O X .
O O O X .
. X X X .
. . . . .
"""
ROLLOUTS = SearchConfig(
    num_simulations=2000,
    mode="lee",
    lee_lambda=1.0,
    expand_threshold=0,
    dirichlet_epsilon=0.0,
    temperature_moves=0,
)


def _search(
    text: str,
    komi: float,
    to_play: Color = Color.BLACK,
    opponent_passed: bool = False,
    config: SearchConfig = ROLLOUTS,
) -> tuple[GameState, SearchResult]:
    state = GameState.from_ascii(
        text, rules=Rules(komi=komi), to_play=to_play.opponent if opponent_passed else to_play
    )
    if opponent_passed:
        state.pass_move()
    return state, run_search(state, UniformEvaluator(), config, rng=0)


def test_wins_the_capturing_race_with_the_only_capture() -> None:
    """Black's corner string and white's string are both in atari; A2 captures five stones.
    Losing the race leaves white a living corner worth more than the komi of 10.5."""
    state, result = _search(RACE, komi=10.5)
    assert result.move == from_gtp("A2", 5)
    assert result.visit_counts[result.move] > 0.6 * result.visit_counts.sum()


def test_saves_the_string_in_atari() -> None:
    """Black's four stones on row 3 are in atari; A4 connects them to the living top group."""
    state, result = _search(
        """
        . X . X . .
        X X X X . .
        . O O O O .
        X X X X O .
        O O O O O .
        . . . . . .
        """,
        komi=-10.5,
    )
    assert result.move == from_gtp("A4", 6)
    assert result.visit_counts[result.move] > 0.6 * result.visit_counts.sum()


def test_does_not_fill_its_own_eye() -> None:
    """Filling A5 or C5 would let white capture the whole black group."""
    state, result = _search(
        """
        . X . X O
        X X X X O
        O O O O O
        . . . . .
        . . . . .
        """,
        komi=-7.5,
    )
    eyes = [from_gtp("A5", 5), from_gtp("C5", 5)]
    assert all(state.is_eye(p, Color.BLACK) for p in eyes)
    assert result.move not in eyes
    assert result.visit_counts[eyes].sum() < 0.05 * result.visit_counts.sum()


def test_passes_when_the_game_is_won_and_played_out() -> None:
    """White passed; only black's own eyes are left; passing ends the game with black ahead."""
    state, result = _search(
        """
        . X . X X
        X X X X X
        O O O O O
        O . O O O
        O O O . O
        """,
        komi=-7.5,
        opponent_passed=True,
        config=SearchConfig(
            num_simulations=400,
            mode="lee",
            lee_lambda=1.0,
            expand_threshold=0,
            dirichlet_epsilon=0.0,
            temperature_moves=0,
        ),
    )
    pass_move = state.num_points
    assert result.move == pass_move
    # the pass child is terminal: an exact Tromp-Taylor win
    assert result.q_values[pass_move] == 1.0
    assert np.flatnonzero(result.legal_mask).tolist() == [0, 2, pass_move]


def test_zero_mode_with_a_capture_counting_value_takes_the_capture() -> None:
    """Zero mode, with a value that counts captures for the side to move, takes B2 at once."""

    def fn(state: GameState) -> tuple[np.ndarray, float]:
        mine = state.captures(state.to_play) - state.captures(state.to_play.opponent)
        return np.ones(state.num_points + 1), float(np.tanh(mine / 2.0))

    state = GameState.from_ascii(RACE, rules=Rules(komi=10.5))
    config = SearchConfig(num_simulations=200, dirichlet_epsilon=0.0, temperature_moves=0)
    result = run_search(state, FakeEvaluator(fn), config, rng=0)
    assert result.move == from_gtp("A2", 5)
