"""Players: the conformance suite for every registered player, the registry, the random player
and clocks (sensible moves: ``tests/go/test_sensible.py``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from igo.agents import Clock, Player, TimeSettings, create_player, list_players, register_player
from igo.agents.conformance import check_player, play_self_game
from igo.agents.player import estimate_moves_left
from igo.agents.random_player import RandomPlayer
from igo.go.coords import Color
from igo.go.rules import PRESETS
from igo.go.sensible import sensible_moves
from igo.go.state import GameState

BoardFactory = Callable[..., GameState]
PlayerBuilder = Callable[[str], tuple[Player, tuple[int, ...]]]


@pytest.mark.parametrize("name", list_players())
def test_registered_player_conforms(name: str, build_player: PlayerBuilder) -> None:
    player, sizes = build_player(name)
    check_player(player, sizes=sizes)  # its hang guard is generous (kernels may compile)


def test_registry() -> None:
    assert {"random", "policy", "mcts", "zero"} <= set(list_players())
    assert isinstance(create_player("random", seed=3), RandomPlayer)
    with pytest.raises(ValueError, match="unknown player"):
        create_player("no-such-player")
    with pytest.raises(ValueError, match="already registered"):
        register_player("random")(lambda **kwargs: RandomPlayer())
    # Registering the same factory again is harmless (a module imported twice).
    register_player("random")(RandomPlayer)


def test_random_player_is_reproducible() -> None:
    def game(seed: int) -> tuple[tuple[Color, int], ...]:
        state = GameState.new(7, PRESETS["chinese"], move_cap=400)
        return play_self_game(RandomPlayer(seed=seed), state).moves

    assert game(5) == game(5)
    assert game(5) != game(6)


def test_random_player_passes_only_when_nothing_sensible(board_from_ascii: BoardFactory) -> None:
    board = """
        . X X X X
        X X . X X
        X X X X X
        X X X . X
        X X X X .
        """
    state = board_from_ascii(board)
    assert sensible_moves(state).size == 0
    assert RandomPlayer(seed=0).genmove(state, None) == state.num_points
    # White has only suicides, which are illegal: pass too.
    state = board_from_ascii(board, to_play=Color.WHITE)
    assert RandomPlayer(seed=0).genmove(state, None) == state.num_points


def test_random_player_never_resigns() -> None:
    state = GameState.new(5, PRESETS["chinese"], move_cap=200)
    final = play_self_game(RandomPlayer(seed=1), state)
    assert final.resigned is None


class TestTime:
    def test_settings_validation(self) -> None:
        with pytest.raises(ValueError):
            TimeSettings(main_time=-1)
        with pytest.raises(ValueError):
            TimeSettings(main_time=0)
        with pytest.raises(ValueError):
            TimeSettings(0, 10, 0)
        with pytest.raises(ValueError):
            TimeSettings(10, 5, 1, 1, "fischer")  # type: ignore[arg-type]
        assert TimeSettings.japanese(60, 30, 5).byo_yomi_periods == 5

    def test_one_second_byo_yomi_stays_well_under(self) -> None:
        clock = Clock.start(TimeSettings.canadian(0, 1, 1))
        assert clock.in_byo_yomi
        budget = clock.budget_seconds(100)
        assert 0.2 <= budget <= 0.6
        japanese = Clock.start(TimeSettings.japanese(0, 1, 3))
        assert 0.2 <= japanese.budget_seconds(100) <= 0.6

    def test_canadian_period_is_shared_by_its_stones(self) -> None:
        clock = Clock(TimeSettings.canadian(0, 60, 10), time_left=30, stones_left=5)
        assert clock.budget_seconds(100) < 30 / 5
        assert clock.budget_seconds(1) == clock.budget_seconds(100)

    def test_absolute_time_is_spread_over_moves(self) -> None:
        clock = Clock.start(TimeSettings.absolute(100))
        assert clock.budget_seconds(50) < 2.0
        assert clock.budget_seconds(0) < 100
        assert Clock(clock.settings, 0.0).budget_seconds(10) == 0.0

    def test_main_time_with_byo_yomi_adds_a_period_share(self) -> None:
        clock = Clock.start(TimeSettings.canadian(10, 30, 10))
        assert clock.budget_seconds(1000) > 1.0  # the byo-yomi share, when main time is thin

    def test_after_move(self) -> None:
        settings = TimeSettings.canadian(10, 30, 2)
        clock = Clock.start(settings).after_move(4)
        assert (clock.time_left, clock.stones_left) == (6, 0)
        clock = clock.after_move(8)  # 2 s into the first period: one stone played
        assert (clock.time_left, clock.stones_left) == (28, 1)
        clock = clock.after_move(3)  # the period's last stone: a new period starts
        assert (clock.time_left, clock.stones_left) == (30, 2)
        assert clock.after_move(31).time_left == 0

    def test_japanese_periods(self) -> None:
        clock = Clock.start(TimeSettings.japanese(0, 10, 3))
        assert (clock.time_left, clock.stones_left) == (10, 3)
        assert clock.after_move(5).stones_left == 3  # within the period: it resets
        assert clock.after_move(15).stones_left == 2  # one period used up
        assert clock.after_move(35).time_left == 0  # all lost

    def test_absolute_after_move(self) -> None:
        clock = Clock.start(TimeSettings.absolute(5))
        assert clock.after_move(2).time_left == 3
        assert clock.after_move(9).time_left == 0

    def test_moves_left_estimate(self) -> None:
        assert estimate_moves_left(GameState.new(19)) > 200
        assert estimate_moves_left(GameState.new(5)) >= 10
