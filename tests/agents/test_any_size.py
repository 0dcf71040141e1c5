"""Every player at every size it can play (issue 17): a net with pooled heads plays every size (its
random symmetry taken for the board at hand, on torch and ONNX Runtime alike), one with fixed
heads refuses other sizes in one line, AlphaGo's policy net is resized, and ``auto`` plays each
size with the table's player. The nets are the tiny 5x5 ones of ``conftest``: a 5x5-built pooled
net playing 7x7 to 19x19 shows the size comes from the board, not the checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from igo.agents import create_player
from igo.agents.auto_player import ELSEWHERE, STRONGEST, default_player
from igo.agents.gtp import GoEngine
from igo.agents.gtp.conformance import GtpSession
from igo.agents.nets import (
    LeeParts,
    MissingWeightsError,
    checkpoint_board_sizes,
    lee_board_sizes,
    load_net,
    policy_board_sizes,
)
from igo.agents.sized_player import SizedPlayer
from igo.go.coords import from_gtp
from igo.go.state import GameState

SIZES = (7, 9, 13, 19)


def _position(size: int) -> GameState:
    state = GameState.new(size)
    for move in (0, size + 2, size * size - 1):
        state.play(move)
    return state


def test_sizes_read_from_the_checkpoints(
    pooled_checkpoint: str, zero_checkpoint: str, alphago_policy_checkpoint: str
) -> None:
    assert checkpoint_board_sizes(pooled_checkpoint) is None
    assert checkpoint_board_sizes(zero_checkpoint) == (5,)
    assert policy_board_sizes(zero_checkpoint) == (5,)
    assert policy_board_sizes(alphago_policy_checkpoint) is None  # resized by torch
    assert policy_board_sizes(alphago_policy_checkpoint, backend="onnx") == (5,)


def test_a_value_net_fixes_the_lee_sizes(
    alphago_policy_checkpoint: str, alphago_value_checkpoint: str
) -> None:
    both = LeeParts(policy=alphago_policy_checkpoint, value=alphago_value_checkpoint)
    assert lee_board_sizes(both) == (5,)
    assert lee_board_sizes(LeeParts(policy=alphago_policy_checkpoint)) is None
    assert lee_board_sizes(LeeParts()) is None


@pytest.mark.parametrize("symmetry", ["none", "random", "all"])
def test_a_pooled_net_evaluates_every_size(pooled_checkpoint: str, symmetry: str) -> None:
    from igo.agents.net_evaluator import ZeroNetEvaluator

    evaluator = ZeroNetEvaluator(
        load_net(pooled_checkpoint),
        device="cpu",
        symmetry=symmetry,  # type: ignore[arg-type]
    )
    assert evaluator.board_size is None
    for size in SIZES:
        state = _position(size)
        priors, values = evaluator.evaluate([state, state])
        assert priors.shape == (2, size * size + 1) and values.shape == (2,)
        np.testing.assert_allclose(priors.sum(axis=1), 1.0, rtol=1e-5)
        assert np.all(priors[:, ~state.legal_mask()] == 0)


def test_all_symmetries_agree_with_the_mean_over_each(pooled_checkpoint: str) -> None:
    """``all`` at 13x13 is the mean of the 8 symmetric evaluations mapped back to the board."""
    from igo.agents.net_evaluator import ZeroNetEvaluator
    from igo.encode.symmetry import apply_planes, apply_policy, inverse
    from igo.encode.zero_planes import encode_zero_batch
    from igo.nn.inference import TorchEvaluator

    net = load_net(pooled_checkpoint)
    state = _position(13)
    both = ZeroNetEvaluator(net, device="cpu", symmetry="all")
    priors, _ = both.evaluate([state])
    planes = encode_zero_batch([state], both.history_length)
    runner = TorchEvaluator(net, device="cpu")
    probs = []
    for k in range(8):
        logits = runner.policy_logits(apply_planes(planes, k))
        back = apply_policy(logits, inverse(k), 13)
        exp = np.exp(back - back.max())
        probs.append(exp / exp.sum())
    mean = np.mean(probs, axis=0)[0]
    mask = state.legal_mask()
    expected = np.where(mask, mean, 0) / np.where(mask, mean, 0).sum()
    np.testing.assert_allclose(priors[0], expected, atol=1e-5)


def test_a_fixed_net_refuses_another_size(zero_checkpoint: str) -> None:
    from igo.agents.net_evaluator import ZeroNetEvaluator

    evaluator = ZeroNetEvaluator(load_net(zero_checkpoint), device="cpu")
    with pytest.raises(ValueError, match="this net plays 5x5, not 9x9"):
        evaluator.evaluate([_position(9)])


def test_onnx_graph_of_a_pooled_net_plays_every_size(pooled_checkpoint: str) -> None:
    pytest.importorskip("onnxruntime")
    from igo.nn.inference import TorchEvaluator
    from igo.nn.onnx_graph import OnnxEvaluator, export_onnx

    net = load_net(pooled_checkpoint)
    graph = OnnxEvaluator(export_onnx(net), net.config)
    torch_runner = TorchEvaluator(net, device="cpu", precision="float32")
    rng = np.random.default_rng(0)
    for size in (9, 13):
        planes = rng.integers(0, 2, (3, net.config.in_planes, size, size)).astype(np.float32)
        logits, values = graph.evaluate(planes)
        expected_logits, expected_values = torch_runner.evaluate(planes)
        assert logits.shape == (3, size * size + 1)
        np.testing.assert_allclose(logits, expected_logits, atol=1e-4)
        np.testing.assert_allclose(values, expected_values, atol=1e-5)


def test_alphago_policy_resized_keeps_its_convolutions(alphago_policy_checkpoint: str) -> None:
    """At 13x13 the bias of each point is the 5x5 one as far from the edges (capped at the
    centre), symmetrised; the convolutions are the same weights."""
    import torch

    from igo.agents.net_evaluator import AlphaGoNetEvaluator, policy_at_size
    from igo.encode.symmetry import apply_planes

    net = load_net(alphago_policy_checkpoint)
    with torch.no_grad():
        net.policy_head.point_bias.copy_(torch.arange(25, dtype=torch.float32))
    big = policy_at_size(net, 13)
    bias = big.policy_head.point_bias.detach().numpy().reshape(13, 13)
    own = np.arange(25, dtype=np.float32).reshape(5, 5)
    symmetric = np.mean([apply_planes(own, k) for k in range(8)], axis=0)
    assert bias[0, 0] == pytest.approx(symmetric[0, 0])
    assert bias[6, 6] == bias[2, 12 - 2] == pytest.approx(symmetric[2, 2])
    assert bias[1, 4] == pytest.approx(symmetric[1, 2])
    first = next(iter(net.body.parameters()))
    assert torch.equal(first, next(iter(big.body.parameters())))
    evaluator = AlphaGoNetEvaluator(policy_net=net, device="cpu")
    assert evaluator.board_size is None
    for size in (5, 13):
        priors, _ = evaluator.evaluate([_position(size)])
        assert priors.shape == (1, size * size + 1)
        np.testing.assert_allclose(priors.sum(), 1.0, rtol=1e-5)


def test_alphago_value_net_keeps_its_size(
    alphago_policy_checkpoint: str, alphago_value_checkpoint: str
) -> None:
    from igo.agents.net_evaluator import AlphaGoNetEvaluator

    evaluator = AlphaGoNetEvaluator(
        load_net(alphago_policy_checkpoint), load_net(alphago_value_checkpoint), device="cpu"
    )
    assert evaluator.board_size == 5
    with pytest.raises(ValueError, match="these nets play 5x5, not 9"):
        evaluator.evaluate([_position(9)])


# ----------------------------------------------------------------------------- players x sizes
ALL = SIZES
PLAYERS: dict[str, tuple[dict[str, object], tuple[int, ...]]] = {
    "random": ({}, ALL),
    "rollout": ({"rollout_checkpoint": "rollout"}, ALL),
    "mcts": ({"visits": 8}, ALL),
    "mcts --checkpoint pooled": ({"visits": 8, "checkpoint": "pooled"}, ALL),
    "mcts --checkpoint pooled --backend onnx": (
        {"visits": 8, "checkpoint": "pooled", "backend": "onnx"},
        ALL,
    ),
    "mcts --checkpoint fixed": ({"visits": 8, "checkpoint": "zero"}, ()),
    "mcts lee --policy-checkpoint": ({"visits": 8, "mode": "lee", "policy_checkpoint": "ag"}, ALL),
    "policy --checkpoint pooled": ({"checkpoint": "pooled"}, ALL),
    "policy --checkpoint fixed": ({"checkpoint": "zero"}, ()),
    "policy --checkpoint alphago": ({"checkpoint": "ag"}, ALL),
    "zero": ({"visits": 8}, (9,)),
    "zero --checkpoint pooled --backend onnx": (
        {"visits": 8, "checkpoint": "pooled", "backend": "onnx"},
        ALL,
    ),
    "alphago": ({"visits": 8}, ALL),
    "auto": ({"visits": 8}, ALL),
}
"""Player (and options) -> the sizes of ``SIZES`` it plays; it refuses the others."""


@pytest.mark.parametrize("label", list(PLAYERS))
def test_every_player_plays_or_refuses_each_size(
    label: str,
    pooled_checkpoint: str,
    zero_checkpoint: str,
    alphago_policy_checkpoint: str,
    rollout_policy_file: str,
) -> None:
    files = {
        "pooled": pooled_checkpoint,
        "zero": zero_checkpoint,
        "ag": alphago_policy_checkpoint,
        "rollout": rollout_policy_file,
    }
    options, plays = PLAYERS[label]
    if options.get("backend") == "onnx":
        pytest.importorskip("onnxruntime")
    kwargs = {k: files.get(v, v) if isinstance(v, str) else v for k, v in options.items()}
    try:
        player = create_player(label.split()[0], seed=0, device="cpu", **kwargs)
    except TypeError:  # random and rollout take no device
        player = create_player(label.split()[0], seed=0, **kwargs)
    except MissingWeightsError:
        pytest.skip(f"the shipped weights of {label} are not installed")
    log: list[str] = []
    gtp = GtpSession(GoEngine(player, size=plays[0] if plays else 5, log=log.append))
    for size in SIZES:
        if size in plays:
            gtp.ok(f"boardsize {size}")
            gtp.ok("play b C3")
            move = gtp.ok("genmove w")
            assert move == "pass" or from_gtp(move, size) < size * size, move
            assert move.lower() != "c3"
        else:
            gtp.fails(f"boardsize {size}", "unacceptable size")
            assert "plays 5x5 only" in log[-1] or "plays 9x9 only" in log[-1], log
            assert "--player auto" in log[-1]


# ----------------------------------------------------------------------------- the default
def test_the_default_player_comes_from_the_table() -> None:
    assert default_player(None) == "auto"
    try:
        create_player("alphago", visits=1)
    except MissingWeightsError:
        assert default_player(9) == default_player(13) == "mcts"
        return
    assert default_player(9) == STRONGEST[9] == "alphago"
    assert default_player(13) == default_player(19) == ELSEWHERE


def test_auto_plays_each_size_with_its_player_and_says_so() -> None:
    try:
        auto = create_player("auto", visits=8, seed=0)
    except MissingWeightsError:
        pytest.skip("the alphago weights are not installed")
    assert isinstance(auto, SizedPlayer) and auto.start_size == 9
    nine, thirteen = auto.player_for(9), auto.player_for(13)
    assert nine.config.lee_lambda == 0.5 and nine.setup.lee.value is not None
    assert thirteen.config.lee_lambda == 1.0 and thirteen.setup.lee.value is None
    assert auto.player_for(19) is thirteen  # one player for the sizes the value net lacks
    log: list[str] = []
    gtp = GtpSession(GoEngine(auto, size=9, log=log.append))
    gtp.ok("boardsize 13")
    assert log[-1].startswith("auto plays 13x13 with alphago (alphago at 13x13: its value")
    assert "rollouts alone" in log[-1]
    gtp.ok("boardsize 9")
    assert log[-1] == (
        "auto plays 9x9 with alphago (alphago at 9x9: policy and value networks and rollouts)"
    )
    assert gtp.ok("genmove b") != "resign"


@pytest.mark.parametrize("command", ["kata-genmove_analyze", "lz-genmove_analyze"])
def test_analysis_of_a_pooled_net_at_13x13(pooled_checkpoint: str, command: str) -> None:
    """Analysis on 13x13 with a 5x5-built pooled net: info lines, then the move, played."""
    from igo.go.coords import Color
    from igo.io.gtp import Command, execute

    player = create_player("mcts", checkpoint=pooled_checkpoint, visits=16, seed=0, device="cpu")
    engine = GoEngine(player, size=13)
    reply = execute(engine.commands(), Command(None, command, ["b", "1"]), print)
    lines = reply.split("\n")
    assert lines[0] == "=" and lines[-3].startswith("play ")
    assert all(line.startswith("info move ") for line in lines[1:-3]) and len(lines) > 4
    vertex = lines[-3].split()[1]
    assert engine.state.moves[-1] == (Color.BLACK, from_gtp(vertex, 13))
