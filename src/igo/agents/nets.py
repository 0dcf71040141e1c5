"""Networks for players: checkpoint paths, the shipped weights, and evaluators built from them.

Players take checkpoint *paths* (``igo.nn.checkpoint`` files: ``X.safetensors`` plus ``X.json``)
and load them here, so that importing ``igo.agents`` (which registers every player) never
imports torch: ``igo gtp --player random`` starts in a fraction of a second.

| player / mode  | checkpoint(s)                                 | evaluator               |
|----------------|-----------------------------------------------|-------------------------|
| policy         | Zero net (2H + 1 planes) or AlphaGo policy    | ZeroNetEvaluator or     |
|                | net (48 planes)                               | AlphaGoNetEvaluator     |
| mcts, zero     | PolicyValueNet on Zero planes                 | ZeroNetEvaluator        |
| mcts, Lee mode | optional policy (48), value (49), rollout     | ``build_lee_evaluators`` |
| zero           | ``igo/weights/zero-9x9.safetensors`` (shipped) | ZeroNetEvaluator       |
| alphago        | ``igo/weights/alphago-9x9-*`` (shipped) or an | ``build_lee_evaluators`` |
|                | ``igo alphago`` run directory                 |                         |

Every network runs on a backend (``BACKENDS``, ``--backend``): ``torch`` (igo's fp32 path,
``igo.nn.inference``) or ``onnx``: the checkpoint exported to an ONNX graph at loading and run by
ONNX Runtime (``igo.nn.onnx_graph``, the ``compress`` extra). A checkpoint that *is* an ONNX
graph (``X.onnx`` + ``X.json``, such as ``igo compress quantize --method int8``'s) always runs on
ONNX Runtime.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from igo.search.evaluator import Evaluator, LeafEvaluator, UniformEvaluator

if TYPE_CHECKING:
    from igo.agents.net_evaluator import NetOrRunner, SymmetryMode, ZeroNetEvaluator
    from igo.nn.net import Net

ZERO_WEIGHTS = "zero-9x9.safetensors"
"""The ``zero`` player's network inside the ``igo.weights`` package."""
ALPHAGO_WEIGHTS = {
    "policy": "alphago-9x9-policy.safetensors",
    "value": "alphago-9x9-value.safetensors",
    "rollout": "alphago-9x9-rollout.npz",
    "tree_policy": "alphago-9x9-tree.npz",
}
"""The ``alphago`` player's parts inside ``igo.weights`` (``LeeParts`` field -> file name)."""
WEIGHTS_PACKAGE = "igo.weights"
BACKENDS = ("torch", "onnx")
"""What runs the networks: torch, or ONNX Runtime on the exported graph (CPU only)."""

AnyEvaluator = Evaluator | LeafEvaluator


class MissingWeightsError(ValueError):
    """A network file a player needs is not there; the message says how to get it."""


def shipped_weights(name: str = ZERO_WEIGHTS) -> Path:
    """Where the shipped weights file ``name`` lives (it may not exist yet)."""
    return Path(str(resources.files(WEIGHTS_PACKAGE).joinpath(name)))


def zero_weights() -> Path:
    """The ``zero`` player's checkpoint, checked to be present.

    Raises:
        MissingWeightsError: naming the missing file and how to train or get it.
    """
    path = shipped_weights()
    missing = [p for p in (path, path.with_suffix(".json")) if not p.is_file()]
    if missing:
        raise MissingWeightsError(
            f"the zero player needs its network {path} (+ {path.with_suffix('.json').name}), "
            "which is not installed yet. Train one with the AlphaGo Zero pipeline (`igo zero "
            "--preset 9x9`) and copy its best model's .safetensors and .json files there under "
            "these names, or play any PolicyValueNet checkpoint with `--player mcts --checkpoint "
            "PATH`."
        )
    return path


def check_checkpoint(path: str | Path, what: str = "checkpoint") -> Path:
    """``path`` as a Path, with its weights and JSON both present.

    Raises:
        MissingWeightsError: if either file is missing.
    """
    weights = Path(path)
    for file in (weights, weights.with_suffix(".json")):
        if not file.is_file():
            raise MissingWeightsError(f"{what} {weights}: {file} does not exist")
    return weights


def check_device(device: str) -> str:
    """``device`` checked at player creation: ``auto`` and ``cpu`` need no look (and no torch);
    any other is resolved now, so an unknown device or a GPU the machine lacks fails at once.

    Raises:
        ValueError: naming the device and what to use instead.
    """
    if device not in ("auto", "cpu"):
        from igo.nn.inference import resolve_device

        resolve_device(device)
    return device


def check_backend(backend: str, device: str) -> str:
    """``backend`` checked at player creation: one of ``BACKENDS``; ONNX Runtime runs on CPU.

    Raises:
        ValueError: an unknown backend, or ``onnx`` on a GPU.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "onnx" and device not in ("auto", "cpu"):
        raise ValueError(f"the onnx backend runs on the CPU, not on device {device!r}")
    return backend


def checkpoint_board_size(path: str | Path, what: str = "checkpoint") -> int:
    """The board size a checkpoint's net was built for, from its JSON alone (no torch, no
    weights read).

    Raises:
        MissingWeightsError: if a file is missing; ValueError if the JSON does not say.
    """
    json_path, config = _checkpoint_config(path, what)
    size = config.get("board_size")
    if not isinstance(size, int) or isinstance(size, bool):
        raise ValueError(f"{what} {json_path}: board_size {size!r} is not a whole number")
    return size


def checkpoint_board_sizes(path: str | Path, what: str = "checkpoint") -> tuple[int, ...] | None:
    """The board sizes a checkpoint's net plays: None (every size) for pooled heads
    (``NetConfig.heads``), else the one it was built for. From its JSON alone.

    Raises:
        MissingWeightsError: if a file is missing; ValueError if the JSON does not say.
    """
    size = checkpoint_board_size(path, what)
    return None if _checkpoint_config(path, what)[1].get("heads") == "pooled" else (size,)


def lee_board_sizes(parts: LeeParts, backend: str = "torch") -> tuple[int, ...] | None:
    """The board sizes a Lee-mode search of ``parts`` plays, from the JSON files alone: the value
    net's, else the policy net's (``policy_board_sizes``); None (every size) without networks."""
    if parts.value is not None:
        return checkpoint_board_sizes(parts.value, "value checkpoint")
    return None if parts.policy is None else policy_board_sizes(parts.policy, backend)


def policy_board_sizes(path: str | Path, backend: str = "torch") -> tuple[int, ...] | None:
    """The board sizes a policy (or policy-value) checkpoint plays with no value net beside it:
    every size (None) for pooled heads, and for an AlphaGo policy net run by torch (resized,
    ``net_evaluator.policy_at_size``); else the one it was built for. From its JSON alone."""
    config = _checkpoint_config(path, "policy checkpoint")[1]
    alphago = config.get("family") == "alphago" and config.get("outputs") == "policy"
    if alphago and backend == "torch" and Path(path).suffix.lower() != ".onnx":
        return None
    return checkpoint_board_sizes(path, "policy checkpoint")


def _checkpoint_config(path: str | Path, what: str) -> tuple[Path, dict[str, object]]:
    """(the JSON's path, its net config) of a checkpoint."""
    json_path = check_checkpoint(path, what).with_suffix(".json")
    try:
        config = json.loads(json_path.read_text(encoding="utf-8"))["config"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{what} {json_path} is not a checkpoint description: {err}") from None
    if not isinstance(config, dict):
        raise ValueError(f"{what} {json_path} is not a checkpoint description: no config")
    return json_path, config


def load_net(path: str | Path, device: str = "cpu", what: str = "checkpoint") -> Net:
    """Load the net a checkpoint describes (torch is imported here, on first use).

    Raises:
        MissingWeightsError: if a file is missing; ``igo.nn.CheckpointError`` (a ValueError) if
            it cannot be read.
    """
    from igo.nn.checkpoint import load_checkpoint

    return load_checkpoint(check_checkpoint(path, what), device=device)


def load_runner(path: str | Path, backend: str = "torch", what: str = "checkpoint") -> NetOrRunner:
    """The network of a checkpoint as the evaluators take it: a torch net (``torch``), or an
    ``OnnxEvaluator`` (``onnx``, or a checkpoint that is an ONNX graph).

    Raises:
        MissingWeightsError: a missing file; ValueError: one that cannot be read, or a missing
            ``compress`` extra.
    """
    from igo.nn.onnx_graph import (
        OnnxEvaluator,
        export_onnx,
        is_onnx_checkpoint,
        load_onnx_checkpoint,
    )

    file = check_checkpoint(path, what)
    if is_onnx_checkpoint(file):
        return load_onnx_checkpoint(file)
    net = load_net(file, "cpu", what)
    if backend == "onnx":
        return OnnxEvaluator(export_onnx(net), net.config)
    return net


def zero_evaluator(
    path: str | Path, device: str, symmetry: SymmetryMode, seed: int, backend: str = "torch"
) -> ZeroNetEvaluator:
    """A ZeroNetEvaluator for a PolicyValueNet checkpoint on Zero planes, on ``backend``.

    Raises:
        ValueError: if the checkpoint holds another kind of net (AlphaGo planes, value only).
    """
    from igo.agents.net_evaluator import ZeroNetEvaluator, is_alphago_policy

    net = load_runner(path, backend)
    if is_alphago_policy(net) or net.config.outputs != "policy_value":
        raise ValueError(
            f"{path} holds a {net.config.outputs} net on {net.config.in_planes} planes; Zero-mode "
            "search needs a PolicyValueNet on AlphaGo Zero planes (for AlphaGo nets use "
            "--mode lee with --policy-checkpoint / --value-checkpoint)"
        )
    return ZeroNetEvaluator(net, device=device, symmetry=symmetry, seed=seed)


@dataclass(frozen=True)
class LeeParts:
    """What a Lee-mode search is built from: AlphaGo's networks, each optional."""

    policy: str | None = None
    """SL policy network checkpoint (48 planes): the priors; None: uniform priors."""
    value: str | None = None
    """Value network checkpoint (49 planes); None: values of 0 (use lambda = 1)."""
    rollout: str | None = None
    """Rollout policy (``.npz`` of ``igo.search.rollout``); None: uniformly random
    rollouts that fill no own eye."""
    tree_policy: str | None = None
    """Tree policy (``.npz``) for nodes below the expansion threshold; None: uniform."""


def check_lee_parts(parts: LeeParts) -> None:
    """Fail early (at player creation, nothing loaded) on a Lee part whose files are missing.

    Raises:
        MissingWeightsError: naming the missing file.
    """
    for path, what in ((parts.policy, "policy checkpoint"), (parts.value, "value checkpoint")):
        if path is not None:
            check_checkpoint(path, what)
    for path, what in ((parts.rollout, "rollout policy"), (parts.tree_policy, "tree policy")):
        if path is not None:
            check_pattern_policy(path, what)


def check_pattern_policy(path: str | Path, what: str = "rollout policy") -> Path:
    """A rollout or tree policy file, checked to exist and to be one (nothing compiled).

    Raises:
        MissingWeightsError: if it is missing; ValueError if it is not a policy file.
    """
    file = check_file(path, what)
    try:
        from igo.search.rollout import read_policy_file
    except ImportError as err:  # the AlphaGo pipeline's patterns are not installed
        raise ValueError(f"{what}s are not supported by this igo: {err}") from None
    read_policy_file(file)
    return file


LeeBuilder = Callable[[LeeParts, str], tuple[AnyEvaluator, AnyEvaluator | None]]
"""Builds (evaluator, tree_policy) for a Lee-mode search from its parts and a device."""


def build_lee_evaluators(
    parts: LeeParts, device: str, backend: str = "torch"
) -> tuple[AnyEvaluator, AnyEvaluator | None]:
    """The default Lee-mode hook: AlphaGo's policy and value nets (on ``backend``) and its tree
    policy.

    Missing nets give uniform priors and values of 0. The rollout policy is not an evaluator:
    the player loads ``parts.rollout`` and hands it to the search (``MultiSearch``'s
    ``rollout_policy``).
    A different wiring (other encoders, nets on other devices) is one more function of this
    signature, passed as ``MctsPlayer(lee_builder=...)``.

    Returns:
        (evaluator, tree_policy): the evaluator gives priors and values, the tree policy (None:
        uniform) the priors of nodes below the expansion threshold.
    """
    tree_policy = None if parts.tree_policy is None else _tree_policy(parts.tree_policy)
    if parts.policy is None and parts.value is None:
        return UniformEvaluator(), tree_policy
    from igo.agents.net_evaluator import AlphaGoNetEvaluator

    policy = (
        None if parts.policy is None else load_runner(parts.policy, backend, "policy checkpoint")
    )
    value = None if parts.value is None else load_runner(parts.value, backend, "value checkpoint")
    return AlphaGoNetEvaluator(policy, value, device=device), tree_policy


def _tree_policy(path: str) -> AnyEvaluator:
    """AlphaGo's tree policy (a pattern softmax, ``.npz``) as the search's tree policy."""
    check_file(path, "tree policy")
    try:
        from igo.search.rollout import RolloutPolicy, TreePolicyEvaluator
    except ImportError as err:  # the AlphaGo pipeline's patterns are not installed
        raise ValueError(f"tree policies are not supported by this igo: {err}") from None
    evaluator: AnyEvaluator = TreePolicyEvaluator(RolloutPolicy.load(path))
    return evaluator


def check_file(path: str | Path, what: str) -> Path:
    """``path`` as a Path, checked to exist (MissingWeightsError otherwise)."""
    file = Path(path)
    if not file.is_file():
        raise MissingWeightsError(f"{what} {file} does not exist")
    return file
