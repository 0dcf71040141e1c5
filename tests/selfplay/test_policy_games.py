"""Batched policy-network games (``igo.selfplay.policy_games``) on 5x5 with tiny random nets."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from igo.encode.alphago import encode_alphago
from igo.go.coords import Color
from igo.go.rules import rules_from_name
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.nn.registry import create_net
from igo.selfplay.game import final_result
from igo.selfplay.policy_games import (
    RANDOM,
    PolicyFn,
    PolicyGame,
    PolicyGameConfig,
    choose_moves,
    net_policy,
    play_policy_games,
)

SIZE = 5


def tiny_policy(seed: int) -> PolicyFn:
    torch.manual_seed(seed)
    net = create_net("alphago_policy_l13c192", board_size=SIZE, blocks=1, channels=4)
    return net_policy(net, device="cpu")


@pytest.fixture(scope="module")
def policies() -> list[PolicyFn]:
    torch.set_num_threads(1)
    return [tiny_policy(1), tiny_policy(2)]


class Counting:
    """Counts the calls of a policy and the positions it is given."""

    def __init__(self, policy: PolicyFn) -> None:
        self.policy = policy
        self.calls = 0
        self.positions = 0

    def __call__(self, planes: np.ndarray) -> np.ndarray:
        self.calls += 1
        self.positions += len(planes)
        return self.policy(planes)


def alternate(game: int, ply: int) -> int:
    """Net 0 plays black in even games, white in odd ones."""
    return (game + ply) % 2


def replay(game: PolicyGame, config: PolicyGameConfig, upto: int | None = None) -> GameState:
    state = GameState(config.size, rules_from_name(config.rules, config.komi), config.cap)
    for move in game.moves[:upto]:
        state.play(move)
    return state


def test_games_end_by_two_passes_or_the_cap(policies: list[PolicyFn]) -> None:
    config = PolicyGameConfig(SIZE)
    games = play_policy_games(policies, 10, alternate, config, np.random.default_rng(0))
    assert [g.index for g in games] == list(range(10))
    for game in games:
        assert 0 < len(game.moves) <= config.cap
        if game.by_passes:
            assert game.moves[-2:] == (SIZE * SIZE, SIZE * SIZE)
        else:
            assert len(game.moves) == config.cap
    capped = PolicyGameConfig(SIZE, move_cap=7)
    short = play_policy_games(policies, 4, alternate, capped, np.random.default_rng(1))
    assert all(len(g.moves) == 7 and not g.by_passes for g in short)


def test_no_own_eye_filled_and_pass_only_when_nothing_is_left(policies: list[PolicyFn]) -> None:
    config = PolicyGameConfig(SIZE)
    games = play_policy_games(policies, 8, alternate, config, np.random.default_rng(2))
    eyes_seen = 0
    for game in games:
        state = replay(game, config, 0)
        for move in game.moves:
            sensible = sensible_moves(state)
            if move == state.num_points:
                assert sensible.size == 0
            else:
                assert move in sensible
                assert not state.is_eye(move, state.to_play)
            eyes_seen += sum(
                state.is_eye(int(p), state.to_play) for p in np.flatnonzero(state.stones() == 0)
            )
            state.play(move)
    assert eyes_seen > 0  # the check had own eyes to refuse


def test_results_agree_with_area_scoring(policies: list[PolicyFn]) -> None:
    config = PolicyGameConfig(SIZE, komi=0.5)
    games = play_policy_games(policies, 8, alternate, config, np.random.default_rng(3))
    for game in games:
        state = replay(game, config)
        assert state.is_over()
        result = final_result(state, "tromp-taylor")
        assert game.result == result
        assert game.winner == result.winner
        assert result.black_score is not None and result.white_score is not None
        assert game.score == pytest.approx(result.black_score - result.white_score)
        assert (game.score > 0) == (game.winner == Color.BLACK)
        assert game.outcome_for(Color.BLACK) == -game.outcome_for(Color.WHITE)
    assert {g.winner for g in games} == {Color.BLACK, Color.WHITE}


def test_each_net_runs_once_per_step_on_its_games(policies: list[PolicyFn]) -> None:
    counting = [Counting(p) for p in policies]

    def mover(game: int, ply: int) -> int:
        return RANDOM if game == 3 and ply < 4 else alternate(game, ply)

    config = PolicyGameConfig(SIZE)
    games = play_policy_games(counting, 6, mover, config, np.random.default_rng(4))
    # every live game moves once per step, so step t is ply t of every game still going
    longest = max(len(g.moves) for g in games)
    expected = [0, 0]
    for ply in range(longest):
        needed = {mover(g.index, ply) for g in games if len(g.moves) > ply} - {RANDOM}
        for who in needed:
            expected[who] += 1
    assert [c.calls for c in counting] == expected
    for who, count in enumerate(counting):
        moves = sum(1 for g in games for ply in range(len(g.moves)) if mover(g.index, ply) == who)
        assert count.positions == moves


def test_learner_records_its_positions_and_moves(policies: list[PolicyFn]) -> None:
    config = PolicyGameConfig(SIZE)
    games = play_policy_games(policies, 4, alternate, config, np.random.default_rng(5), learner=0)
    for game in games:
        assert game.learner_planes is not None and game.learner_moves is not None
        plies = [p for p in range(len(game.moves)) if alternate(game.index, p) == 0]
        assert game.learner_planes.dtype == np.uint8
        assert game.learner_planes.shape == (len(plies), 48, SIZE, SIZE)
        assert game.learner_moves.tolist() == [game.moves[p] for p in plies]
        for row, ply in enumerate(plies[:5]):
            expected = encode_alphago(replay(game, config, ply))
            np.testing.assert_array_equal(game.learner_planes[row], expected.astype(np.uint8))
    plain = play_policy_games(policies, 2, alternate, config, np.random.default_rng(5))
    assert plain[0].learner_planes is None and plain[0].learner_moves is None


def test_capture_hook_copies_the_position_at_its_ply(policies: list[PolicyFn]) -> None:
    config = PolicyGameConfig(SIZE)
    plies = [0, 3, 5, None, 10_000]
    games = play_policy_games(
        policies, 5, alternate, config, np.random.default_rng(6), capture_plies=plies
    )
    for game, ply in zip(games, plies, strict=True):
        if ply is None or ply > len(game.moves):
            assert game.captured is None
            continue
        assert game.captured is not None
        assert len(game.captured.moves) == ply
        np.testing.assert_array_equal(game.captured.stones(), replay(game, config, ply).stones())


def test_greedy_games_do_not_depend_on_the_rng(policies: list[PolicyFn]) -> None:
    config = PolicyGameConfig(SIZE, temperature=0.0)
    first = play_policy_games(policies, 2, alternate, config, np.random.default_rng(7))
    second = play_policy_games(policies, 2, alternate, config, np.random.default_rng(8))
    assert [g.moves for g in first] == [g.moves for g in second]


def test_choose_moves_samples_the_masked_softmax() -> None:
    logits = np.tile(np.array([0.0, np.log(3.0), 5.0]), (20_000, 1))
    mask = np.tile(np.array([True, True, False]), (20_000, 1))
    picks = choose_moves(logits, mask, 1.0, np.random.default_rng(9))
    assert set(picks.tolist()) <= {0, 1}
    assert np.mean(picks == 1) == pytest.approx(0.75, abs=0.02)
    hot = choose_moves(logits, mask, 2.0, np.random.default_rng(9))
    share = np.sqrt(3.0) / (1.0 + np.sqrt(3.0))
    assert np.mean(hot == 1) == pytest.approx(share, abs=0.02)
    assert choose_moves(logits[:3], mask[:3], 0.0, np.random.default_rng(0)).tolist() == [1, 1, 1]


def test_a_bad_mover_answer_is_an_error(policies: list[PolicyFn]) -> None:
    bad: Callable[[int, int], int] = lambda game, ply: 5  # noqa: E731
    with pytest.raises(ValueError, match="mover"):
        play_policy_games(policies, 1, bad, PolicyGameConfig(SIZE), np.random.default_rng(0))
