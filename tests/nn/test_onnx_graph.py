"""ONNX export of every body of the registry, run by ONNX Runtime: the torch net's outputs on real
positions (a game's), and the ONNX checkpoint's files and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from torch import nn

from igo.encode.zero_planes import encode_zero_batch
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.nn.checkpoint import CheckpointError, load_checkpoint
from igo.nn.inference import TorchEvaluator, prepare_eager
from igo.nn.onnx_graph import (
    OnnxEvaluator,
    export_onnx,
    load_onnx_checkpoint,
    output_names,
    save_onnx_checkpoint,
)
from igo.nn.registry import create_net, list_nets

pytest.importorskip("onnxruntime")

HISTORY = 2


def game_planes(size: int = 5, moves: int = 24, seed: int = 3) -> np.ndarray:
    """Zero planes (2 * HISTORY + 1) of the positions of one game of sensible random moves."""
    rng = np.random.default_rng(seed)
    state, states = GameState.new(size), []
    for _ in range(moves):
        states.append(state.copy())
        candidates = sensible_moves(state)
        state.play(int(rng.choice(candidates)) if len(candidates) else state.num_points)
    return encode_zero_batch(states, HISTORY)


@pytest.mark.parametrize("name", list_nets())
def test_exported_graph_matches_torch(
    name: str, tiny: Callable[[str], dict[str, Any]], randomise_norms: Callable[[nn.Module], Any]
) -> None:
    planes = game_planes()
    net = randomise_norms(create_net(name, **(tiny(name) | {"in_planes": 2 * HISTORY + 1})))
    reference = TorchEvaluator(net, device="cpu", prepare_fn=prepare_eager)
    graph = OnnxEvaluator(export_onnx(net), net.config, batch_size=7)  # batches of any size
    assert [graph.has_policy, graph.has_value] == [reference.has_policy, reference.has_value]
    assert len(output_names(net.config)) == graph.has_policy + graph.has_value
    if reference.has_policy:
        np.testing.assert_allclose(
            graph.policy_logits(planes), reference.policy_logits(planes), atol=1e-4, rtol=1e-4
        )
    if reference.has_value:
        np.testing.assert_allclose(graph.values(planes), reference.values(planes), atol=1e-4)


def test_onnx_checkpoint_round_trip(tmp_path: Path, tiny: Callable[[str], dict[str, Any]]) -> None:
    net = create_net("resnet_b6c64", **(tiny("resnet_b6c64") | {"in_planes": 5})).eval()
    path = tmp_path / "net.onnx"
    save_onnx_checkpoint(export_onnx(net), net, path, extra={"note": 1})
    planes = game_planes()
    loaded = load_onnx_checkpoint(path)
    np.testing.assert_allclose(
        loaded.evaluate(planes)[0], TorchEvaluator(net, "cpu").evaluate(planes)[0], atol=1e-4
    )
    with pytest.raises(CheckpointError, match="ONNX graph"):
        load_checkpoint(path)
    path.write_bytes(b"junk")
    with pytest.raises(CheckpointError, match="cannot load"):
        load_onnx_checkpoint(path)
    path.with_suffix(".json").unlink()
    with pytest.raises(CheckpointError, match="cannot read"):
        load_onnx_checkpoint(path)
