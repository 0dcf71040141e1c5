"""ONNX: a net exported as a graph, run by ONNX Runtime behind the evaluators' interface.

| piece                  | what                                                                |
|------------------------|---------------------------------------------------------------------|
| ``export_onnx``        | any net of the registry -> ONNX bytes (input ``planes`` [B, C, N, N], |
|                        | outputs ``policy`` [B, N*N + 1] and / or ``value`` [B], batch free;  |
|                        | N free too for pooled heads)                                         |
| ``OnnxEvaluator``      | an ONNX Runtime session as a ``NetRunner`` (fp32 or int8 graphs)     |
| ``save_onnx_checkpoint`` | ``X.onnx`` plus the same ``X.json`` a torch checkpoint has          |
| ``load_onnx_checkpoint`` | its ``OnnxEvaluator``                                             |

The export uses torch's TorchScript-based exporter (``dynamo=False``): the newer torch.export
one needs onnxscript, which the ``compress`` extra does not install, and igo's nets have no
control flow the tracer could miss. Batch norm is folded into the convolutions first
(``fuse_conv_bn``), as igo's own fp32 path does. onnx and onnxruntime come from the ``compress``
extra, imported where used.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from igo.extras import COMPRESS_EXTRA, require
from igo.files import write_bytes_atomic
from igo.nn.checkpoint import CheckpointError, config_of, config_path, describe
from igo.nn.fuse import fuse_conv_bn
from igo.nn.inference import NetRunner, Outputs, any_size, concat_or_empty
from igo.nn.net import Net, NetConfig

OPSET = 17
"""The ONNX opset of exported graphs (ONNX Runtime 1.18+ runs it, quantizes it)."""
INPUT = "planes"


def output_names(config: NetConfig) -> list[str]:
    """The graph's outputs for a net of ``config``: ``policy``, ``value`` or both."""
    return {"policy": ["policy"], "value": ["value"]}.get(config.outputs, ["policy", "value"])


class _FullBoard(nn.Module):
    """A pooled-heads net run with a board mask of ones: the mask's sum, not a shape the tracer
    would freeze, gives the pooled heads the board's width, so the graph plays every size."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: Tensor) -> Any:
        """``net(x, mask)`` with every point of the [B, C, N, N] planes on the board."""
        return self.net(x, torch.ones_like(x[:, :1]))


def export_onnx(net: Net) -> bytes:
    """``net`` (left unchanged) as an fp32 ONNX graph whose batch size is free, and whose board
    size is too for a net with pooled heads (``any_size``)."""
    config = net.config
    model: nn.Module = fuse_conv_bn(net.to("cpu").eval()).float()
    free = {0: "batch"}
    if any_size(config):
        model, free = _FullBoard(model), {0: "batch", 2: "size", 3: "size"}
    example = torch.zeros(2, config.in_planes, config.board_size, config.board_size)
    names = output_names(config)
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the exporter's deprecation and tracer warnings
        torch.onnx.export(
            model,
            (example,),
            buffer,  # type: ignore[arg-type]  # the TorchScript exporter writes to file objects
            dynamo=False,
            input_names=[INPUT],
            output_names=names,
            dynamic_axes={INPUT: free} | {name: {0: "batch"} for name in names},
            opset_version=OPSET,
        )
    return buffer.getvalue()


def _ort() -> Any:
    return require("onnxruntime", "the ONNX Runtime backend", extra=COMPRESS_EXTRA)


class OnnxEvaluator(NetRunner):
    """An ONNX graph of a net, run by ONNX Runtime on CPU: ``TorchEvaluator``'s interface."""

    def __init__(
        self,
        model: bytes,
        config: NetConfig,
        batch_size: int = 256,
        threads: int | None = None,
    ) -> None:
        """Args:
        model: the graph (``export_onnx``, or its int8 form), as bytes.
        config: the net's config (the checkpoint's JSON).
        batch_size: most positions per run.
        threads: ONNX Runtime's intra-op threads; None: torch's thread count, so that
            ``torch_threads`` and the entry points' settings hold for both backends.
        """
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        ort = _ort()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        options.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        except Exception as err:  # ONNX Runtime's own error types for junk graphs
            raise CheckpointError(f"ONNX Runtime cannot load this graph: {err}") from err
        self.config = config
        self.batch_size = batch_size
        self.symmetries = []
        outputs = [o.name for o in self.session.get_outputs()]
        if outputs != output_names(config):
            raise CheckpointError(
                f"the graph's outputs {outputs} do not fit a {config.outputs} net"
            )
        self.has_policy = "policy" in outputs
        self.has_value = "value" in outputs

    def _forward(self, planes: np.ndarray) -> Outputs:
        logits: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for start in range(0, len(planes), self.batch_size):
            out = self.session.run(None, {INPUT: planes[start : start + self.batch_size]})
            named = dict(zip(output_names(self.config), out, strict=True))
            if self.has_policy:
                logits.append(np.asarray(named["policy"], dtype=np.float32))
            if self.has_value:
                values.append(np.asarray(named["value"], dtype=np.float32))
        return (
            concat_or_empty(logits, (0, planes.shape[2] * planes.shape[3] + 1))
            if self.has_policy
            else None,
            concat_or_empty(values, (0,)) if self.has_value else None,
        )


def save_onnx_checkpoint(
    model: bytes,
    net: Net,
    path: str | os.PathLike[str],
    extra: Mapping[str, Any] | None = None,
) -> Path:
    """Write the graph ``model`` of ``net`` to ``path`` (``.onnx``) and its JSON, atomically.

    Returns:
        The JSON path.
    """
    info = describe(net, extra=extra) | {"graph": "onnx"}
    write_bytes_atomic(Path(path), model)
    json_path = config_path(path)
    write_bytes_atomic(json_path, (json.dumps(info, indent=2, sort_keys=True) + "\n").encode())
    return json_path


def is_onnx_checkpoint(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names an ONNX graph (by its ``.onnx`` suffix)."""
    return Path(path).suffix.lower() == ".onnx"


def load_onnx_checkpoint(path: str | os.PathLike[str], batch_size: int = 256) -> OnnxEvaluator:
    """The ``OnnxEvaluator`` of a graph written by ``save_onnx_checkpoint``.

    Raises:
        CheckpointError: a missing or unreadable file or JSON, or a graph that does not load.
    """
    json_path = config_path(path)
    try:
        info = json.loads(json_path.read_text())
        model = Path(path).read_bytes()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"cannot read ONNX checkpoint {path}: {err}") from err
    if not isinstance(info, dict) or info.get("graph") != "onnx":
        raise CheckpointError(f"{json_path} does not describe an ONNX graph")
    try:
        return OnnxEvaluator(model, config_of(info, path), batch_size=batch_size)
    except CheckpointError as err:
        raise CheckpointError(f"{path}: {err}") from err
