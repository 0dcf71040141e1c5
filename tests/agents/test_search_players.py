"""The network and search players: policy, mcts (Zero and Lee modes), zero; resignation, time
control, tree reuse and analysis sessions."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from igo.agents import RESIGN, Clock, TimeSettings, create_player
from igo.agents.analysis import SearchSession, supports_analysis
from igo.agents.conformance import check_player
from igo.agents.mcts_player import MctsPlayer, mcts_player
from igo.agents.nets import LeeParts, MissingWeightsError, zero_weights
from igo.agents.player import estimate_moves_left
from igo.agents.policy_player import PolicyPlayer
from igo.agents.resign import ResignPolicy, ResignTracker
from igo.go.coords import Color, from_gtp
from igo.go.rules import PRESETS
from igo.go.state import GameState
from igo.search.evaluator import UniformEvaluator
from search_fakes import FakeEvaluator, SimulatedClock, TimedEvaluator


def test_policy_player_plays_alphago_and_zero_nets(
    zero_checkpoint: str, alphago_policy_checkpoint: str
) -> None:
    player = PolicyPlayer(alphago_policy_checkpoint, temperature=1.0, seed=1)
    check_player(player, sizes=(5,))
    player = PolicyPlayer(zero_checkpoint)
    assert player.board_sizes == (5,)
    state = GameState.new(5)
    priors = player.policy_priors(state)
    assert priors.shape == (26,) and np.isclose(priors.sum(), 1.0)
    move = player.genmove(state, None)
    assert move == int(np.argmax(priors[:-1]))  # argmax, and never a pass on an empty board
    with pytest.raises(ValueError, match="plays"):
        player.genmove(GameState.new(7), None)


def test_policy_player_needs_a_checkpoint(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--checkpoint"):
        PolicyPlayer()
    with pytest.raises(MissingWeightsError, match="does not exist"):
        PolicyPlayer(str(tmp_path / "nothing.safetensors"))


def test_mcts_zero_mode_with_a_checkpoint(zero_checkpoint: str) -> None:
    player = mcts_player(checkpoint=zero_checkpoint, visits=16, seed=0)
    assert player.config.mode == "zero" and player.board_sizes == (5,)
    assert supports_analysis(player) and not supports_analysis(create_player("random"))
    check_player(player, sizes=(5,))


def test_gumbel_root_players_conform(zero_checkpoint: str) -> None:
    """``--root gumbel`` on a Zero-mode player (and Lee mode without nets) passes the player
    conformance suite; its move is sequential halving's winner."""
    player = mcts_player(checkpoint=zero_checkpoint, visits=16, seed=0, root="gumbel")
    assert player.config.gumbel and player.config.num_simulations == 16
    check_player(player, sizes=(5,))
    check_player(mcts_player(visits=12, seed=1, root="gumbel", gumbel_considered=4), sizes=(5,))
    with pytest.raises(ValueError, match="--root"):
        mcts_player(root="best")


def test_mcts_lee_mode_with_and_without_nets(
    alphago_policy_checkpoint: str, alphago_value_checkpoint: str
) -> None:
    plain = mcts_player(visits=32, seed=0)
    assert plain.config.mode == "lee" and plain.config.lee_lambda == 1.0
    assert plain.board_sizes is None
    check_player(plain, sizes=(7,))
    nets = mcts_player(
        mode="lee",
        policy_checkpoint=alphago_policy_checkpoint,
        value_checkpoint=alphago_value_checkpoint,
        visits=16,
        seed=0,
    )
    assert nets.config.lee_lambda == 0.5 and nets.board_sizes == (5,)
    check_player(nets, sizes=(5,))


def test_lee_builder_is_a_hook() -> None:
    seen: list[LeeParts] = []

    def builder(parts: LeeParts, device: str) -> tuple[UniformEvaluator, None]:
        seen.append(parts)
        return UniformEvaluator(), None

    player = mcts_player(mode="lee", policy_checkpoint="p.bin", visits=8, lee_builder=builder)
    assert seen == [], "building a player loads nothing: prepare() (or the first move) does"
    player.prepare()
    player.prepare()
    assert seen == [LeeParts(policy="p.bin")]
    # Lambda 1 reads no value: the value net is not built (one network pass less per leaf).
    mcts_player(mode="lee", value_checkpoint="v.bin", lee_lambda=1.0, lee_builder=builder).prepare()
    mcts_player(mode="lee", value_checkpoint="v.bin", lee_lambda=0.5, lee_builder=builder).prepare()
    assert seen[1:] == [LeeParts(), LeeParts(value="v.bin")]
    assert player.genmove(GameState.new(5), None) != RESIGN
    with pytest.raises(MissingWeightsError, match="rollout policy"):
        mcts_player(mode="lee", rollout_checkpoint="missing.npz")
    with pytest.raises(MissingWeightsError, match="tree policy"):
        mcts_player(mode="lee", tree_policy="missing.npz")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"visits": 0}, "visits"),
        ({"seconds": -1.0}, "seconds"),
        ({"mode": "alpha"}, "mode"),
        ({"policy_checkpoint": "p", "mode": "zero"}, "Lee mode"),
        ({"checkpoint": "c", "mode": "lee"}, "Zero-mode"),
        ({"resign_moves": 0}, "resign"),
    ],
)
def test_mcts_option_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mcts_player(**kwargs)


def test_zero_player_names_the_missing_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(
        "igo.agents.nets.shipped_weights", lambda: tmp_path / "zero-9x9.safetensors"
    )
    with pytest.raises(MissingWeightsError) as caught:
        create_player("zero")
    message = str(caught.value)
    assert "zero-9x9.safetensors" in message and "zero-9x9.json" in message
    assert "igo zero" in message and "--player mcts --checkpoint" in message
    assert zero_weights.__doc__ is not None


def test_zero_player_plays_another_net_through_checkpoint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, zero_checkpoint: str
) -> None:
    """``zero --checkpoint PATH``: the same search as ``mcts --checkpoint PATH``, on that net,
    with no shipped weights needed; a bad path is one ValueError naming it."""
    monkeypatch.setattr("igo.agents.nets.shipped_weights", lambda: tmp_path / "none.safetensors")
    player = create_player("zero", checkpoint=zero_checkpoint, visits=8, seed=0, device="cpu")
    assert isinstance(player, MctsPlayer) and player.name == "zero"
    assert player.board_sizes == (5,) and player.setup.checkpoint == zero_checkpoint
    twin = mcts_player(checkpoint=zero_checkpoint, visits=8, seed=0, device="cpu")
    assert player.config == twin.config
    check_player(player, sizes=(5,))
    with pytest.raises(ValueError, match="nothere.safetensors"):
        create_player("zero", checkpoint=str(tmp_path / "nothere.safetensors"))


def test_resign_tracker() -> None:
    tracker = ResignTracker(ResignPolicy(threshold=-0.9, consecutive=3, min_moves=10))
    assert not tracker.update(-0.95, 4) and not tracker.update(-0.95, 6)
    assert not tracker.update(-0.95, 8)  # three in a row, but too early
    assert tracker.update(-0.99, 10)
    assert not tracker.update(-0.5, 12)  # the streak is broken
    assert not tracker.update(-0.95, 14) and not tracker.update(-0.95, 16)
    tracker.reset()
    assert not tracker.update(-0.95, 18)
    never = ResignTracker(ResignPolicy(threshold=-1.0, consecutive=1, min_moves=1))
    assert not never.update(-1.0, 50)
    with pytest.raises(ValueError):
        ResignPolicy(consecutive=0)


def _black_is_lost() -> FakeEvaluator:
    """Every position is worth -0.95 to black and +0.95 to white."""

    def fn(state: GameState) -> tuple[np.ndarray, float]:
        mask = state.legal_mask().astype(np.float32)
        return mask / mask.sum(), -0.95 if state.to_play == Color.BLACK else 0.95

    return FakeEvaluator(fn)


def test_hopeless_side_resigns_after_the_streak() -> None:
    player = mcts_player(
        mode="lee",
        lee_lambda=0.0,
        visits=16,
        resign_after=6,
        lee_builder=lambda parts, device: (_black_is_lost(), None),
    )
    state = GameState.new(7, PRESETS["chinese"])
    player.reset(state.copy())
    for _ in range(20):
        move = player.genmove(state, None)
        if move is RESIGN:
            break
        player.observe(state.to_play, int(move))
        state.play(int(move))
    assert move is RESIGN and state.to_play == Color.BLACK
    # Black's 3rd hopeless move is move 4; resigning waits for move 6.
    assert len(state.moves) == 6


@pytest.mark.parametrize("size", [5, 9])
def test_one_second_byo_yomi_budgets_half_the_period(size: int, zero_checkpoint: str) -> None:
    """Under a 1 s byo-yomi each move gets the clock's safe share (half the period), not the
    player's own 30 s, and the search runs until no batch fits before that deadline. The
    budget and the deadline are checked, not the seconds a move took: those depend on the
    machine and are measured by ``igo bench clock`` (docs/benchmarks.md)."""
    if size == 5:
        player = mcts_player(checkpoint=zero_checkpoint, seconds=30.0, seed=0)
    else:
        player = mcts_player(seconds=30.0, seed=0)  # Lee mode: rollouts, the coarse-grained loop
    settings = TimeSettings.canadian(0.0, 1.0, 1)
    state = GameState.new(size, PRESETS["chinese"])
    player.reset(state.copy())
    clock = Clock.start(settings)
    for _ in range(6):
        if state.is_over():
            break
        budget = clock.budget_seconds(estimate_moves_left(state))
        assert 0.0 < budget < 0.6 * settings.byo_yomi_time  # about half the period
        before = time.monotonic()
        session = player.start_genmove(state, clock)
        after = time.monotonic()
        assert session.deadline is not None and session.visits is None
        assert before + budget <= session.deadline <= after + budget
        session.run()
        # Stopped by the clock: no further batch of the mean length would end by the deadline.
        timer = session.search.timer
        assert session.done and time.monotonic() + timer.step_seconds > session.deadline
        move = player.finish_genmove(state, session)
        assert move is not RESIGN
        player.observe(state.to_play, int(move))
        state.play(int(move))


def test_tree_is_reused_between_moves() -> None:
    player = mcts_player(visits=200, seed=0)
    state = GameState.new(7)
    player.reset(state.copy())
    first = player.start_genmove(state, None)
    first.run()
    move = player.finish_genmove(state, first)
    assert isinstance(move, int)
    player.observe(Color.BLACK, move)
    state.play(move)
    session = player.start_genmove(state, None)
    result = session.run()
    # The new root came with the visits it had as a child of the old one.
    assert result.visit_counts.sum() > 200
    player.reset(state.copy())
    assert player.start_genmove(state, None).run().visit_counts.sum() <= 201


def test_observed_move_of_the_other_colour_drops_the_tree() -> None:
    player = mcts_player(visits=100, seed=0)
    state = GameState.new(7)
    player.genmove(state, None)
    player.observe(Color.WHITE, from_gtp("D4", 7))  # not the side the tree was searched for
    assert player._root_to_play is None


def test_analysis_session_reports_moves_best_first() -> None:
    player = mcts_player(visits=100, seed=0)
    state = GameState.new(5)
    session = player.start_analysis(state)
    assert isinstance(session, SearchSession) and not session.bounded
    for _ in range(3):
        session.step(0.02)
    infos = session.infos()
    assert infos and [i.order for i in infos] == list(range(len(infos)))
    visits = [i.visits for i in infos]
    assert visits == sorted(visits, reverse=True)
    for info in infos:
        assert 0 <= info.winrate <= 1 and 0 <= info.lcb <= 1 and info.pv[0] == info.move
    assert len(session.infos(max_moves=2)) == 2
    own = session.ownership(32)
    assert own.shape == (25,) and np.all(np.abs(own) <= 1)


def test_analysis_session_stops_at_its_visit_cap() -> None:
    plain = mcts_player(seed=0)
    player = MctsPlayer(plain.config, replace(plain.setup, max_analysis_visits=50))
    session = player.start_analysis(GameState.new(5))
    steps = 0
    while session.step(0.05) and steps < 100:
        steps += 1
    assert session.done and session.result is not None
    assert session.result.visit_counts.sum() <= 50 + player.config.leaves_per_batch * 8


def test_lee_mode_with_rollout_and_tree_policies(tmp_path: Path) -> None:
    rollout_policy = pytest.importorskip("igo.search.rollout")
    empty = np.zeros(0, dtype=np.int64)
    rollout, tree = tmp_path / "rollout.npz", tmp_path / "tree.npz"
    rollout_policy.RolloutPolicy("rollout", empty).save(rollout)
    rollout_policy.RolloutPolicy("tree", empty).save(tree)
    player = mcts_player(
        mode="lee", rollout_checkpoint=str(rollout), tree_policy=str(tree), visits=32, seed=0
    )
    check_player(player, sizes=(5,))
    search = player.start_analysis(GameState.new(5)).search  # prepared: the policy is loaded
    assert isinstance(search.rollout_policy, rollout_policy.RolloutPolicy)
    (tmp_path / "junk.npz").write_bytes(b"not a policy")
    with pytest.raises(ValueError, match="rollout policy"):
        mcts_player(mode="lee", rollout_checkpoint=str(tmp_path / "junk.npz"))


def _pass_lover() -> FakeEvaluator:
    """Nearly all the prior on pass, every position even: a search of it chooses pass."""

    def fn(state: GameState) -> tuple[np.ndarray, float]:
        priors = state.legal_mask().astype(np.float32) * 1e-3
        priors[state.num_points] = 1.0
        return priors / priors.sum(), 0.0

    return FakeEvaluator(fn)


@pytest.mark.parametrize("to_play", [Color.WHITE, Color.BLACK])
def test_no_pass_while_the_count_loses(to_play: Color) -> None:
    """One black stone on 7x7 (komi 7): by Tromp-Taylor black owns the board, so a white pass
    loses if black passes back. The search wants to pass; white plays a sensible move instead,
    and black, for whom the pass does not lose, keeps it."""
    player = mcts_player(
        mode="lee", lee_lambda=0.0, visits=16, lee_builder=lambda p, d: (_pass_lover(), None)
    )
    text = "\n".join([". . . . . . ."] * 3 + [". . . X . . ."] + [". . . . . . ."] * 3)
    state = GameState.from_ascii(text, PRESETS["chinese"], to_play=to_play)
    player.reset(state.copy())
    move = player.genmove(state.copy(), None)
    if to_play == Color.WHITE:
        assert move != state.num_points and state.is_legal(int(move))
    else:
        assert move == state.num_points


@pytest.mark.parametrize("game_clock", [False, True])
def test_a_timed_move_ends_within_its_budget(
    monkeypatch: pytest.MonkeyPatch, game_clock: bool
) -> None:
    """Batches of 0.12 simulated seconds under ``--seconds 0.5`` (or a game clock's share, less):
    the move ends by its budget, several batches in; a budget already spent still visits once."""
    from igo.agents.search_presets import SearchSetup, mcts_search

    clock = SimulatedClock()
    evaluator = TimedEvaluator(clock, [0.12])
    setup = SearchSetup(seconds=0.5, time_only=True)
    player = MctsPlayer(mcts_search("zero", False), setup, clock=clock)
    monkeypatch.setattr(player, "_evaluators", lambda: (evaluator, None))
    player.prepare()
    state = GameState.new(9, PRESETS["chinese"])
    budget, game = 0.5, None
    if game_clock:
        game = Clock.start(TimeSettings.canadian(0.0, 0.8, 1))
        budget = game.budget_seconds(estimate_moves_left(state))
        assert budget < 0.5
    batches, started = len(evaluator.batch_sizes), clock.now
    move = player.genmove(state, game)
    assert clock.now - started <= budget and state.is_legal(int(move))
    assert len(evaluator.batch_sizes) - batches >= 2
    player.setup = replace(player.setup, seconds=0.01)
    assert player.genmove(state, None) != RESIGN and (player.last_visits or 0) >= 1
