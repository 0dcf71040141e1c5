"""The batched self-play loop, with fake evaluators (no network): records, batching, resignation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from igo.go.state import GameState
from igo.io.sgf import parse_sgf
from igo.selfplay.net_match import play_match
from igo.selfplay.record import RESIGN_MOVE, GameData
from igo.selfplay.runner import play_selfplay_games
from igo.selfplay.selfplay_config import SELFPLAY_SEARCH, SelfPlayConfig
from search_fakes import FakeEvaluator, constant_evaluator, golden_value

CONFIG = SelfPlayConfig(
    board_size=5,
    search=replace(
        SELFPLAY_SEARCH,
        num_simulations=12,
        cheap_simulations=3,
        full_search_prob=0.5,
        leaves_per_batch=2,
    ),
    parallel_games=4,
    resign_disabled_fraction=1.0,
)


def _play(evaluator: object, config: SelfPlayConfig, num: int, threshold: float = -1.0) -> list:
    games: list[GameData] = []
    finished = play_selfplay_games(
        evaluator,  # type: ignore[arg-type]
        config,
        num,
        seed=3,
        resign_threshold=threshold,
        on_game=games.append,
    )
    assert finished == num == len(games)
    return games


def test_records_replay_to_their_stones_and_sgf() -> None:
    games = _play(constant_evaluator(0.0), CONFIG, 6)
    for game in games:
        state = CONFIG.new_game()
        for row, move in enumerate(game.moves):
            np.testing.assert_array_equal(game.stones[row], state.stones())
            assert game.to_play[row] == int(state.to_play)
            state.play(int(move))
        assert state.is_over()
        record = parse_sgf(game.sgf)
        assert [p for _, p in record.moves] == [int(m) for m in game.moves]
        assert record.result is not None and record.result.to_sgf() == game.result
        # Policy targets only for full searches, each a distribution over legal moves.
        sums = game.policy.sum(axis=1)
        np.testing.assert_allclose(sums[game.full], 1.0, rtol=1e-5)
        assert not sums[~game.full].any()
    fulls = np.concatenate([g.full for g in games])
    assert 0.2 < fulls.mean() < 0.8  # playout cap randomisation at p = 0.5


def test_gumbel_self_play_trains_on_the_improved_policy() -> None:
    """Gumbel root search with ``policy_target = "improved"``: the games replay, and the targets
    of full searches spread over the legal moves (softmax), beyond the 12 moves a visit-count
    target could cover."""
    search = replace(CONFIG.search, root_selection="gumbel", gumbel_considered=4)
    config = replace(CONFIG, search=search, policy_target="improved")
    games = _play(FakeEvaluator(golden_value), config, 3)
    spread = 0
    for game in games:
        state = config.new_game()
        for move in game.moves:
            state.play(int(move))
        assert state.is_over()
        full = game.policy[game.full]
        np.testing.assert_allclose(full.sum(axis=1), 1.0, rtol=1e-5)
        spread += int(((full > 0).sum(axis=1) > 12).sum())
    assert spread > 0


def test_leaves_of_many_games_share_one_call() -> None:
    evaluator = constant_evaluator(0.0)
    _play(evaluator, CONFIG, 4)
    # Four games of two leaves each: calls of up to eight positions, not one per game.
    assert max(evaluator.batch_sizes) > CONFIG.search.leaves_per_batch


def test_move_cap_ends_games() -> None:
    config = SelfPlayConfig(**{**CONFIG.__dict__, "move_cap": 6})
    games = _play(constant_evaluator(0.0), config, 3)
    assert all(g.num_positions <= 6 for g in games)


def test_resignation_and_the_played_out_share() -> None:
    # Every position looks lost for black (and won for white) by a wide margin.
    losing = FakeEvaluator(
        lambda s: (s.legal_mask() / s.legal_mask().sum(), 0.99 * (2 * int(s.to_play) - 3))
    )
    resign_all = SelfPlayConfig(**{**CONFIG.__dict__, "resign_disabled_fraction": 0.0})
    games = _play(losing, resign_all, 4, threshold=-0.9)
    for game in games:
        assert game.resigned and game.moves[-1] == RESIGN_MOVE and game.num_positions == 1
        assert game.winner == 2 and game.result == "W+R" and game.resign_allowed
    played_out = _play(losing, CONFIG, 2, threshold=-0.9)
    assert not any(g.resigned for g in played_out)
    assert not any(g.resign_allowed for g in played_out)


def test_should_stop_ends_the_loop() -> None:
    calls = [0]

    def stop() -> bool:
        calls[0] += 1
        return calls[0] > 3

    games: list[GameData] = []
    play_selfplay_games(
        constant_evaluator(0.0),
        CONFIG,
        50,
        seed=0,
        resign_threshold=-1.0,
        on_game=games.append,
        should_stop=stop,
    )
    assert len(games) < 50


def _prefers(point: int) -> FakeEvaluator:
    """Priors peaked on ``point`` (when legal), value 0."""

    def fn(state: GameState) -> tuple[np.ndarray, float]:
        mask = state.legal_mask().astype(np.float32)
        mask[point] *= 100.0
        return mask / mask.sum(), 0.0

    return FakeEvaluator(fn)


@pytest.mark.parametrize("num", [1, 5])
def test_match_alternates_colours(num: int) -> None:
    first, second = _prefers(12), _prefers(0)
    games = play_match(
        (first, second), CONFIG, CONFIG.search, num, parallel_games=3, seed=1, names=("A", "B")
    )
    assert sorted(g.index for g in games) == list(range(num))
    for game in games:
        assert game.first_is_black == (game.index % 2 == 0)
        record = parse_sgf(game.sgf)
        black = "A" if game.first_is_black else "B"
        assert record.metadata["PB"] == black and game.first_score in (0.0, 0.5, 1.0)
