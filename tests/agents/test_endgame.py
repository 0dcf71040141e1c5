"""Every player at the end of a game: it passes back where passing wins the game's count (dead
stones judged as the count judges them), and it never fills its own true eye."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from igo.agents import Player, list_players
from igo.go.coords import Color
from igo.go.rules import PRESETS
from igo.go.scoring import final_score, passing_wins, tromp_taylor_score
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
