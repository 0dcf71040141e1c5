"""Checkpoints: safetensors weights plus a JSON of the resolved net config and versions.

``save_checkpoint(net, "run/models/000042.safetensors")`` writes two files:

| file                     | content                                                            |
|--------------------------|--------------------------------------------------------------------|
| ``000042.safetensors``   | every tensor of ``net.state_dict()``; the JSON below as metadata   |
| ``000042.json``          | format, format_version, package_version, torch_version, net class, |
|                          | num_params, config (``NetConfig.to_dict()``: the family and only   |
|                          | its fields), extra (caller's)                                      |

A compressed checkpoint is the same pair. Weights stored at 16 bits (``igo compress quantize
--method fp16|bf16``) are fp16 / bf16 tensors and the JSON says ``precision``; loading casts
them to fp32 and marks the net (``stored_precision``), so that the evaluators run it under that
autocast where it is fast (``igo.nn.precision``). A 16-bit checkpoint written before the key
existed is recognised by its tensors' dtype. Low-bit weights
(``weight_bits=b``, ``--method wN``) are ``igo.nn.lowbit``'s packed integers and scales; the JSON
says ``weight_bits`` and ``packed`` (each packed tensor's shape), and loading unpacks them into an
ordinary fp32 net. An ONNX graph (``igo.nn.onnx_graph``) has the same JSON beside its ``.onnx``.

Each is written atomically (``igo.files``: a temporary file in the same folder, renamed into
place), so a reader never sees half a file. Checkpoints written before the family configs (one flat
config of every family's fields) still load: ``registry.config_from_dict`` drops the fields of
other families. Loading never unpickles anything; any problem (missing, truncated or corrupt
file, unknown config, missing / unexpected / mis-shaped tensors) raises one ``CheckpointError``
that says what is wrong.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors
from torch import nn

from igo.files import write_bytes_atomic
from igo.nn.lowbit import pack_state, unpack_state
from igo.nn.net import Net, NetConfig
from igo.nn.registry import build_net, config_from_dict

FORMAT = "igo.nn.checkpoint"
FORMAT_VERSION = 1
_META_KEY = "igo_checkpoint"


class CheckpointError(ValueError):
    """A checkpoint cannot be read or does not fit the net it is loaded into."""


def package_version() -> str:
    """The installed ``igo`` distribution's version, or ``"unknown"``."""
    try:
        return metadata.version("igo")
    except metadata.PackageNotFoundError:
        return "unknown"


def config_path(weights_path: str | os.PathLike[str]) -> Path:
    """The JSON file that goes with a weights file: same name, ``.json`` suffix."""
    return Path(weights_path).with_suffix(".json")


def describe(
    net: Net, version: str | None = None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON description of ``net`` a checkpoint carries (config, versions, ``extra``)."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": version if version is not None else package_version(),
        "torch_version": torch.__version__,
        "net_class": type(net).__name__,
        "num_params": sum(p.numel() for p in net.parameters()),
        "config": net.config.to_dict(),
        "extra": dict(extra or {}),
    }


def save_checkpoint(
    net: Net,
    path: str | os.PathLike[str],
    *,
    version: str | None = None,
    extra: Mapping[str, Any] | None = None,
    weight_bits: int | None = None,
) -> Path:
    """Write ``net``'s weights and config atomically.

    Args:
        net: a net built by the registry (it carries ``net.config``).
        path: the weights file, conventionally ``*.safetensors``; the JSON goes beside it.
        version: package version to record; defaults to the installed ``igo`` version.
        extra: JSON-serialisable facts to store with it (training step, Elo, ...).
        weight_bits: store the conv and linear weights as packed integers of this width and
            per-channel scales (``igo.nn.lowbit``); None: every tensor in its own dtype.

    Returns:
        The JSON path.
    """
    weights_path = Path(path)
    info = describe(net, version, extra)
    state = net.state_dict()
    if weight_bits is None:
        tensors = {k: v.detach().cpu() for k, v in state.items()}
    else:
        tensors, shapes = pack_state(state, weight_bits)
        info |= {"weight_bits": weight_bits, "packed": shapes}
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    precision = _half_precision(tensors)
    if precision is not None:
        info["precision"] = precision
    text = json.dumps(info, indent=2, sort_keys=True)
    write_bytes_atomic(weights_path, save_safetensors(tensors, metadata={_META_KEY: text}))
    json_path = config_path(weights_path)
    write_bytes_atomic(json_path, (text + "\n").encode())
    return json_path


_PRECISION_ATTR = "igo_stored_precision"
_HALF = {torch.bfloat16: "bfloat16", torch.float16: "float16"}


def _half_precision(tensors: Mapping[str, torch.Tensor]) -> str | None:
    """``bfloat16`` / ``float16`` when every floating tensor has that dtype, else None."""
    dtypes = {t.dtype for t in tensors.values() if t.is_floating_point()}
    return _HALF.get(dtypes.pop()) if len(dtypes) == 1 else None


def stored_precision(net: nn.Module) -> str | None:
    """The 16-bit precision the net's checkpoint was stored in (None: fp32, or not loaded)."""
    value = getattr(net, _PRECISION_ATTR, None)
    return value if isinstance(value, str) else None


def _read_info(weights_path: Path) -> dict[str, Any]:
    json_path = config_path(weights_path)
    try:
        info = json.loads(json_path.read_text())
    except FileNotFoundError as err:
        raise CheckpointError(f"checkpoint config {json_path} is missing") from err
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CheckpointError(f"checkpoint config {json_path} is unreadable: {err}") from err
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise CheckpointError(f"{json_path} is not an igo.nn checkpoint config")
    if info.get("format_version") != FORMAT_VERSION:
        found = info.get("format_version")
        raise CheckpointError(
            f"{json_path}: format version {found}, this code reads {FORMAT_VERSION}"
        )
    return info


def read_config(path: str | os.PathLike[str]) -> NetConfig:
    """The net config saved with the weights file ``path`` (read from its JSON)."""
    return config_of(_read_info(Path(path)), path)


def config_of(info: Mapping[str, Any], path: str | os.PathLike[str]) -> NetConfig:
    """The net config of a checkpoint's JSON description ``info`` (read from beside ``path``)."""
    try:
        return config_from_dict(info["config"])
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{config_path(path)} holds an invalid NetConfig: {err}") from err


def read_tensors(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """All tensors of a safetensors file, on CPU; CheckpointError if missing or corrupt."""
    weights_path = Path(path)
    try:
        data = weights_path.read_bytes()
    except OSError as err:
        raise CheckpointError(f"cannot read checkpoint weights {weights_path}: {err}") from err
    try:
        return load_safetensors(data)
    except Exception as err:  # safetensors raises its own error types for truncation and junk
        raise CheckpointError(
            f"checkpoint weights {weights_path} are truncated or corrupt ({len(data)} bytes): {err}"
        ) from err


def check_state(module: nn.Module, tensors: Mapping[str, torch.Tensor], source: str) -> None:
    """Raise CheckpointError naming missing, unexpected and mis-shaped tensors, if any."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(tensors))
    unexpected = sorted(set(tensors) - set(expected))
    misshaped = sorted(
        f"{k} (checkpoint {list(tensors[k].shape)}, net {list(v.shape)})"
        for k, v in expected.items()
        if k in tensors and tensors[k].shape != v.shape
    )
    problems = [
        f"{label}: {', '.join(names)}"
        for label, names in (
            ("missing", missing),
            ("unexpected", unexpected),
            ("mis-shaped", misshaped),
        )
        if names
    ]
    if problems:
        raise CheckpointError(f"{source} does not fit the net: " + "; ".join(problems))


def _state_of(path: str | os.PathLike[str], info: Mapping[str, Any] | None) -> dict[str, Any]:
    """A checkpoint's tensors as a state dict: packed low-bit weights unpacked to fp32."""
    tensors = read_tensors(path)
    if info is None or "packed" not in info:
        return tensors
    try:
        return unpack_state(tensors, int(info["weight_bits"]), info["packed"])
    except (KeyError, TypeError, ValueError) as err:
        raise CheckpointError(f"{path}: bad low-bit weights: {err}") from err


def load_weights_(
    net: nn.Module, path: str | os.PathLike[str], info: Mapping[str, Any] | None = None
) -> nn.Module:
    """Load a weights file into an existing net after checking every tensor name and shape
    (``info``: its JSON description, which says how low-bit weights are packed); a 16-bit
    checkpoint marks the net with its precision (``stored_precision``)."""
    tensors = _state_of(path, info)
    check_state(net, tensors, str(path))
    net.load_state_dict(tensors)
    precision = (info or {}).get("precision") or _half_precision(tensors)
    if precision in _HALF.values():
        setattr(net, _PRECISION_ATTR, precision)  # a plain attribute: kept by deepcopy and .to
    return net


def load_checkpoint(
    path: str | os.PathLike[str],
    *,
    expected: NetConfig | None = None,
    device: str | torch.device = "cpu",
) -> Net:
    """Rebuild the net a checkpoint describes and load its weights.

    Args:
        path: the weights file written by ``save_checkpoint``.
        expected: if given, the saved config must equal it (else CheckpointError with the diff).
        device: where to put the loaded net.

    Returns:
        The net, in eval mode.
    """
    info = _read_info(Path(path))
    if info.get("graph") == "onnx":
        raise CheckpointError(f"{path} is an ONNX graph: ONNX Runtime runs it, not torch")
    config = config_of(info, path)
    if expected is not None and expected != config:
        wanted = expected.to_dict()
        diff = ", ".join(
            f"{k}={v!r} (expected {wanted.get(k)!r})"
            for k, v in config.to_dict().items()
            if wanted.get(k) != v
        )
        raise CheckpointError(f"{path} holds a different architecture: {diff}")
    try:
        net = build_net(config)
    except (KeyError, ValueError) as err:
        raise CheckpointError(f"{path}: cannot build its net: {err}") from err
    load_weights_(net, path, info)
    return net.to(device).eval()
