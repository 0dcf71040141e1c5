"""``GameSlots``, the game-refilling loop of self-play and network matches, with fake searches."""

from __future__ import annotations

from typing import Any

from igo.go.state import GameState
from igo.selfplay.game import LiveGame
from igo.selfplay.game_slots import GameSlots, slot_count


class _Search:
    """What the loop asks of a search: its trees, and following or clearing one."""

    def __init__(self, num_trees: int) -> None:
        self.num_trees = num_trees
        self.calls: list[tuple[Any, ...]] = []

    def advance(self, tree: int, move: int) -> None:
        self.calls.append(("advance", tree, move))

    def reset(self, tree: int) -> None:
        self.calls.append(("reset", tree))


def _game(index: int) -> LiveGame:
    return LiveGame(GameState.new(5), index)


def _passing_step(slots: GameSlots, ended: list[LiveGame]) -> None:
    """Every live game passes: a game ends on its second step."""
    live, games = slots.live()
    for i, game in zip(live, games, strict=True):
        game.state.play(game.state.num_points)
        slots.moved(i, game.state.num_points, ended.append)


def test_slot_count() -> None:
    assert slot_count(8, 100) == 8 and slot_count(8, 3) == 3 and slot_count(8, 0) == 1


def test_a_slot_takes_the_next_game_until_all_have_started() -> None:
    search, ended = _Search(2), []
    slots = GameSlots([search], 3, _game)  # type: ignore[list-item]  # a fake search
    assert slots.run(lambda: _passing_step(slots, ended)) == 3
    assert [game.index for game in ended] == [0, 1, 2]
    pas = 25
    assert search.calls == [
        ("advance", 0, pas),
        ("advance", 1, pas),
        ("reset", 0),  # game 0 ends; game 2 starts in slot 0
        ("reset", 1),  # game 1 ends; no game is left to start
        ("advance", 0, pas),
        ("reset", 0),
    ]
    assert slots.live() == ([], [])


def test_stopping_starts_no_game_and_ends_the_loop_after_the_step() -> None:
    ended: list[LiveGame] = []
    slots = GameSlots([_Search(2)], 10, _game, lambda: len(ended) > 0)  # type: ignore[list-item]
    assert slots.run(lambda: _passing_step(slots, ended)) == 2  # both end in the same step
    assert slots.started == 2


def test_live_filters_games() -> None:
    slots = GameSlots([_Search(3)], 3, _game)  # type: ignore[list-item]
    live, games = slots.live(lambda game: game.index != 1)
    assert live == [0, 2] and [g.index for g in games] == [0, 2]
