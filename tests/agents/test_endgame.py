"""Every player at the end of a game: it passes back where passing wins the game's count (dead
stones judged as the count judges them), and it never fills its own true eye."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from igo.agents import Player, list_players
from igo.go.coords import Color
from igo.go.rules import PRESETS
from igo.go.scoring import final_score, passing_loses, passing_wins, tromp_taylor_score
from igo.go.state import GameState

PlayerBuilder = Callable[[str], tuple[Player, tuple[int, ...]]]

# Players that choose their move from a network or a search; "random" draws among the sensible
# moves by design and is not asked to count.
COUNTING_PLAYERS = [name for name in list_players() if name != "random"]


# Finished games, black winning: black's area holds one dead white stone and white has just
# passed. Counted with the dead stone removed black wins; counted Tromp-Taylor (the dead stone
# alive, black's area neutral) white wins, with the komi chosen between the two margins: a
# search that counts leaves Tromp-Taylor plays on here instead of passing.
FINISHED = {
    5: (
        """
        . . X O .
        . O X O .
        . . X O .
        . . X O .
        . . X O .
        """,
        0.5,
    ),
    9: (
        """
        . . . X . . X O .
        . . . X . . X O .
        . . . X . . X O .
        . . . X . . X O .
        . O . X . . X O .
        . . . X . . X O .
        . . . X . . X O .
        . . . X . . X O .
        . . . X . . X O .
        """,
        30.5,
    ),
}


def finished(size: int, winner: Color) -> GameState:
    """``FINISHED[size]`` with ``winner`` in black's place (colours and komi swapped for white),
    the loser having just passed."""
    text, komi = FINISHED[size]
    if winner == Color.WHITE:
        text = text.replace("X", "x").replace("O", "X").replace("x", "O")
        komi = -komi if size == 9 else komi
    rules = replace(PRESETS["chinese"], komi=komi)
    state = GameState.from_ascii(text, rules, to_play=winner.opponent)
    state.pass_move()
    return state


def two_eyes(size: int) -> GameState:
    """A board full of black but for two one-point eyes, black to play: every legal move but
    pass fills one of black's true eyes."""
    rows = [["X"] * size for _ in range(size)]
    rows[1][1] = rows[1][3] = "."
    return GameState.from_ascii("\n".join(" ".join(r) for r in rows), PRESETS["chinese"])


@pytest.mark.parametrize("size", sorted(FINISHED))
@pytest.mark.parametrize("winner", [Color.BLACK, Color.WHITE])
def test_the_position_wins_by_count_and_loses_tromp_taylor(size: int, winner: Color) -> None:
    state = finished(size, winner)
    assert final_score(state).winner == winner
    tromp_taylor_winner = Color.BLACK if tromp_taylor_score(state) > 0 else Color.WHITE
    assert tromp_taylor_winner != winner
    assert passing_wins(state)
    state.undo()  # the loser's pass taken back: nothing to pass back to
    state.play(state.num_points)
    state.play(state.num_points - 1 if winner == Color.BLACK else 0)  # not a pass any more
    assert not passing_wins(state)


@pytest.mark.parametrize("winner", [Color.BLACK, Color.WHITE])
@pytest.mark.parametrize("name", COUNTING_PLAYERS)
def test_player_passes_back_when_passing_wins(
    name: str, winner: Color, build_player: PlayerBuilder
) -> None:
    player, sizes = build_player(name)
    for size in sizes:
        state = finished(size, winner)
        player.reset(state)
        assert player.genmove(state.copy(), None) == state.num_points, (name, size)


@pytest.mark.parametrize("name", list_players())
def test_player_never_fills_its_own_true_eye(name: str, build_player: PlayerBuilder) -> None:
    player, sizes = build_player(name)
    for size in sizes:
        state = two_eyes(size)
        player.reset(state)
        assert player.genmove(state.copy(), None) == state.num_points, (name, size)


# Move 14 of an equal-time match game (records of 2026-12-07) that ended B+74: white's lone stone
# beside black's seven, white to play, komi 7. Tromp-Taylor (every stone alive, the empty points
# neutral) has white ahead by 1, so its pass did not "lose"; the count a pass back and the referee
# use calls the lone stone dead and gives black the whole board: black passed back, B+74.
B74 = """
    . . . . . . . . .
    . . . . . . . . .
    . . X . X X O . .
    . . . . . . . . .
    . . . . . . X . .
    . . . . . . . . .
    . . X . X . X . .
    . . . . . . . . .
    . . . . . . . . .
"""
# Move 4 of the same game: black's two stones against white's one; both counts give white the
# game, and a pass there is the search's to make.
EARLY = """
    . . . . . . . . .
    . . . . . . . . .
    . . X . . . O . .
    . . . . . . . . .
    . . . . . . . . .
    . . . . . . . . .
    . . X . . . . . .
    . . . . . . . . .
    . . . . . . . . .
"""


def _komi7(text: str) -> GameState:
    return GameState.from_ascii(text, replace(PRESETS["chinese"], komi=7.0), to_play=Color.WHITE)


def test_a_pass_the_game_count_loses_is_refused_though_tromp_taylor_leads() -> None:
    state = _komi7(B74)
    assert tromp_taylor_score(state) == -1.0  # white ahead, every stone alive
    assert final_score(state).winner == Color.BLACK  # the lone stone dead: B+74
    assert not passing_loses(state)
    assert passing_loses(state, final_score)
    early = _komi7(EARLY)
    assert int((early.stones() == Color.BLACK).sum()) == 2
    assert not passing_loses(early, final_score)


def test_the_search_player_plays_on_where_its_pass_loses_the_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A search whose priors all go to pass passes where both counts give white the game, and
    plays a sensible move where the game's count would give black the pass back."""
    from igo.agents.mcts_player import MctsPlayer
    from igo.agents.search_presets import SearchSetup, mcts_search
    from search_fakes import FakeEvaluator

    def pass_first(state: GameState) -> tuple[np.ndarray, float]:
        priors = np.full(state.num_points + 1, 1e-3)
        priors[-1] = 1.0
        return priors, 0.0

    player = MctsPlayer(replace(mcts_search("zero", False), num_simulations=16), SearchSetup())
    monkeypatch.setattr(player, "_evaluators", lambda: (FakeEvaluator(pass_first), None))
    early = _komi7(EARLY)
    assert player.genmove(early.copy(), None) == early.num_points
    state = _komi7(B74)
    player.reset(state)
    move = player.genmove(state.copy(), None)
    assert move != state.num_points and state.is_legal(move)


# The first 17 moves of an equal-time game (2026-12-07, after the fix above) that ended in a
# draw: white to play. The count of this position with white to move calls it a draw, so a
# pass looked safe; black's count after the pass (the estimate plays out from the side to move)
# gives black the game, and black passed back.
DRAWN = "C7 G7 C3 pass G3 pass C5 pass F3 pass E7 pass G6 G5 F7 E3 C4"


def test_a_pass_is_counted_as_the_opponent_counts_it_after_the_pass() -> None:
    from igo.go.coords import from_gtp

    state = GameState.new(9, replace(PRESETS["chinese"], komi=7.0))
    for vertex in DRAWN.split():
        state.play(from_gtp(vertex, 9))
    assert state.to_play == Color.WHITE and final_score(state).winner is None  # a draw
    after = state.copy()
    after.pass_move()
    assert passing_wins(after)  # black passes back and wins
    assert passing_loses(state, final_score)
