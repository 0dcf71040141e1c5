"""Self-play on a mix of board sizes: the config, the draw, the batched loop, a pooled net."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from igo.agents.net_evaluator import ZeroNetEvaluator
from igo.go.state import GameState
from igo.nn.registry import create_net
from igo.selfplay.record import GameData
from igo.selfplay.runner import play_selfplay_games
from igo.selfplay.selfplay_config import SELFPLAY_SEARCH, SelfPlayConfig
from igo.train.config_loader import ConfigError
from igo.train.zero.loop_config import ZERO_CONFIGS
from search_fakes import FakeEvaluator, constant_evaluator

SEARCH = replace(
    SELFPLAY_SEARCH,
    num_simulations=6,
    cheap_simulations=3,
    full_search_prob=0.5,
    leaves_per_batch=2,
)
MIX = SelfPlayConfig(
    board_size=5,
    board_sizes=((5, 1.0), (7, 1.0)),
    search=SEARCH,
    parallel_games=4,
    resign_disabled_fraction=1.0,
    move_cap=30,
)


def _size(game: GameData) -> int:
    return int(round(np.sqrt(game.stones.shape[1])))


def _play(evaluator: object, config: SelfPlayConfig, num: int, seed: int = 3) -> list[GameData]:
    games: list[GameData] = []
    play_selfplay_games(
        evaluator,  # type: ignore[arg-type]
        config,
        num,
        seed=seed,
        resign_threshold=-1.0,
        on_game=games.append,
    )
    return games


def test_the_default_is_the_one_board_size() -> None:
    config = SelfPlayConfig(board_size=9)
    assert config.board_sizes == () and config.sizes == (9,) and not config.mixed
    rng = np.random.default_rng(0)
    assert config.draw_size(rng) == 9
    assert rng.random() == np.random.default_rng(0).random()  # nothing was drawn
    assert ZERO_CONFIGS.load_preset("9x9-kata").selfplay.board_sizes == ()


@pytest.mark.parametrize(
    ("mix", "message"),
    [
        (((5, 1.0), (21, 1.0)), "size 21 is not in 5..19"),
        (((5, 1.0), (5, 2.0)), "listed twice"),
        (((5, 1.0), (7, 0.0)), "weight of 7"),
        (((7, 1.0), (9, 1.0)), "must include selfplay.board_size"),
        (((5, 1.0, 2.0, 1.0),), "each entry is"),
        (((5, 1.0, "7"),), "each entry is"),
        (((5, 1.0), (7, 1.0, 7.1)), "komi of 7: komi must be a multiple of 0.25"),
    ],
)
def test_bad_mixes_are_refused_in_one_line(mix: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SelfPlayConfig(board_size=5, board_sizes=mix)


def test_each_game_draws_its_size_by_weight_reproducibly() -> None:
    config = SelfPlayConfig(board_size=9, board_sizes=((9, 0.7), (13, 0.2), (19, 0.1)))
    draws = [config.draw_size(np.random.default_rng(1)) for _ in range(3)]
    assert len(set(draws)) == 1
    rng = np.random.default_rng(2)
    sizes = np.array([config.draw_size(rng) for _ in range(4000)])
    for size, weight, _ in config.board_sizes:
        assert abs(np.mean(sizes == size) - weight) < 0.03
    state = config.new_game(13)
    assert state.size == 13 and state.move_cap == 2 * 13 * 13


def test_a_mix_needs_pooled_heads_and_loads_as_a_preset() -> None:
    preset = ZERO_CONFIGS.load_preset("mixed-kata")
    assert preset.selfplay.sizes == (9, 13, 19) and preset.net_config().heads == "pooled"
    with pytest.raises(ConfigError, match="needs a net with pooled heads"):
        ZERO_CONFIGS.with_overrides(preset, {"net_overrides": {}})


def test_games_of_every_size_each_search_call_one_size() -> None:
    seen: list[set[int]] = []

    def fn(state: GameState) -> tuple[np.ndarray, float]:
        mask = state.legal_mask().astype(np.float32)
        return mask / mask.sum(), 0.0

    class Recording(FakeEvaluator):
        def evaluate(self, states):  # type: ignore[no-untyped-def]
            seen.append({s.size for s in states})
            return super().evaluate(states)

    games = _play(Recording(fn), MIX, 8)
    assert len(games) == 8 and {_size(g) for g in games} == {5, 7}
    assert all(len(sizes) == 1 for sizes in seen) and {5, 7} <= set().union(*seen)
    for game in games:  # every record replays on its own board
        n = _size(game)
        assert game.policy.shape[1] == n * n + 1 and game.owner is not None
        assert game.owner.shape == (n * n,)
        state = MIX.new_game(n)
        for row, move in enumerate(game.moves):
            np.testing.assert_array_equal(game.stones[row], state.stones())
            state.play(int(move))
        assert state.is_over()


def test_the_mix_is_seeded() -> None:
    first = [_size(g) for g in _play(constant_evaluator(), MIX, 6, seed=5)]
    again = [_size(g) for g in _play(constant_evaluator(), MIX, 6, seed=5)]
    assert first == again


def test_a_pooled_net_plays_the_mix_in_one_loop() -> None:
    net = create_net("resnet_b6c64", board_size=5, heads="pooled", blocks=1, channels=8)
    evaluator = ZeroNetEvaluator(net, "cpu", 64, "random", 0)
    games = _play(evaluator, replace(MIX, move_cap=12), 4)
    assert {_size(g) for g in games} <= {5, 7} and len(games) == 4
    fixed = create_net("resnet_b6c64", board_size=5, blocks=1, channels=8)
    with pytest.raises(ValueError, match="plays 5x5, not 7x7"):
        _play(ZeroNetEvaluator(fixed, "cpu", 64), SelfPlayConfig(board_size=7, search=SEARCH), 1)


def test_each_size_carries_its_komi_two_element_entries_the_runs() -> None:
    config = SelfPlayConfig(board_size=9, komi=6.5, board_sizes=((9, 0.7, 7.0), (13, 0.3)))
    assert config.board_sizes == ((9, 0.7, 7.0), (13, 0.3, 6.5))
    assert config.komi_for(9) == 7.0 and config.komi_for(13) == 6.5
    assert config.new_game(9).rules.komi == 7.0 and config.new_game(13).rules.komi == 6.5
    assert config.rules_object.komi == 7.0  # the main size's
    assert SelfPlayConfig(board_size=9, komi=6.5).new_game().rules.komi == 6.5


def test_games_records_and_score_targets_use_their_sizes_komi() -> None:
    komi = {5: 0.5, 7: -20.5}
    mix = replace(MIX, board_sizes=((5, 1.0, komi[5]), (7, 1.0, komi[7])), move_cap=20)
    games = _play(constant_evaluator(), mix, 8)
    assert {_size(g) for g in games} == {5, 7}
    for game in games:
        n = _size(game)
        assert f"KM[{komi[n]:g}]" in game.sgf
        assert game.owner is not None  # Tromp-Taylor area: the lead is area minus komi
        area = int((game.owner == 1).sum()) - int((game.owner == -1).sum())
        assert game.black_lead == area - komi[n]
        assert game.aux_targets()["score"][0] == game.black_lead  # black moves first
