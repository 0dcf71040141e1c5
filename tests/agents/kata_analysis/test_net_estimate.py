"""Score and ownership from a net's pooled heads in the analysis engine, playouts without them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from igo.agents import create_player
from igo.agents.kata_analysis.engine import AnalysisEngine
from igo.agents.kata_analysis.estimate import Estimator, NetEstimator, estimator_for
from igo.agents.kata_analysis.query import EngineSettings
from igo.agents.mcts_player import MctsPlayer
from igo.agents.net_evaluator import ZeroNetEvaluator
from igo.encode.zero_planes import encode_zero
from igo.go.coords import Color
from igo.go.rules import rules_from_name
from igo.go.state import GameState
from igo.nn.checkpoint import save_checkpoint
from igo.nn.registry import create_net

SMALL = dict(board_size=5, in_planes=5, blocks=1, channels=8, value_hidden=16)


def _state() -> GameState:
    state = GameState.new(5, rules_from_name("chinese", 0.5))
    for move in (7, 8):
        state.play(move)
    return state


@pytest.mark.parametrize("heads", ["fixed", "pooled"])
def test_the_estimator_reads_the_heads_when_the_net_has_them(heads: str) -> None:
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", heads=heads, **SMALL).eval()
    state = _state()
    estimator = estimator_for(state, 8, ZeroNetEvaluator(net, device="cpu"))
    if heads == "fixed":
        assert type(estimator) is Estimator
        return
    assert isinstance(estimator, NetEstimator)
    with torch.no_grad():
        _, _, score, own = net(torch.from_numpy(encode_zero(state, 2)[None]), None, True)
    root = estimator.root()
    sign = 1.0 if state.to_play == Color.BLACK else -1.0
    assert root.lead == pytest.approx(sign * float(score[0]), abs=1e-5)
    assert np.allclose(root.ownership, sign * own[0].flatten().numpy(), atol=1e-6)
    assert root.stdev == 0.0


def test_the_engine_answers_with_the_heads(tmp_path: Path) -> None:
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", heads="pooled", **SMALL).eval()
    save_checkpoint(net, tmp_path / "net.safetensors", version="test")
    player = create_player("mcts", checkpoint=str(tmp_path / "net.safetensors"), seed=1)
    assert isinstance(player, MctsPlayer)
    engine = AnalysisEngine(player, EngineSettings(max_visits=16))
    query = {
        "id": "q",
        "moves": [["B", "C4"], ["W", "D4"]],
        "rules": "chinese",
        "komi": 0.5,
        "boardXSize": 5,
        "boardYSize": 5,
        "includeOwnership": True,
    }
    out = engine.handle(json.dumps(query))
    while engine.scheduler.busy:
        out += engine.step()
    answer = next(a for a in out if not a["isDuringSearch"])
    expected = NetEstimator(_state(), net).root()
    # Up to the perspective's sign: the net's own numbers, not random playouts'.
    assert abs(answer["rootInfo"]["scoreLead"]) == pytest.approx(abs(expected.lead), abs=1e-4)
    assert np.allclose(np.abs(answer["ownership"]), np.abs(expected.ownership), atol=1e-4)
    assert all(m["scoreStdev"] == 0.0 for m in answer["moveInfos"])
