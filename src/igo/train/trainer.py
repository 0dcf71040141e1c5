"""The trainer (network, optimiser, sampler RNG, step count), its optimiser, and its checkpoint:
one safetensors file, shared by the Zero loop and the AlphaGo network stages.

A run resumes from the trainer checkpoint whose step matches ``state.json``, so the network,
its optimiser moments and the minibatch sampler continue exactly where they stopped: no step is
repeated or skipped. The file is written atomically (``igo.files``); its tensors are

| key                 | content                                                        |
|---------------------|----------------------------------------------------------------|
| ``net.<name>``      | every tensor of the network's ``state_dict()``                 |
| ``opt.<i>.<name>``  | the optimiser's per-parameter state (momentum, Adam moments)   |
| ``extra.<m>.<name>``| modules trained beside the network (``Trainer.extra``: a       |
|                     | distillation's hint regressor), after the net in the optimiser |

and its metadata (``igo_trainer``) is JSON: step, net config, optimiser param groups and scalar
state, the sampler's bit-generator state and the package version. Nothing is unpickled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from igo.files import write_bytes_atomic
from igo.nn.checkpoint import CheckpointError, package_version
from igo.nn.net import Net
from igo.nn.registry import build_net, config_from_dict
from igo.train.training_config import TrainConfig

FORMAT = "igo.train.trainer"
FORMAT_VERSION = 1
_META = "igo_trainer"


class TrainingDiverged(RuntimeError):
    """A loss or gradient became NaN or infinite; training stops rather than go on."""


def make_optimizer(net: torch.nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD with momentum and weight decay 2c (the gradient of c ||theta||^2), or AdamW."""
    if config.optimizer == "adamw":
        return torch.optim.AdamW(
            net.parameters(), lr=config.learning_rate, weight_decay=config.adamw_weight_decay
        )
    return torch.optim.SGD(
        net.parameters(),
        lr=config.learning_rate,
        momentum=config.momentum,
        weight_decay=2.0 * config.l2_c,
    )


@dataclass
class Trainer:
    """What training carries from step to step."""

    net: Net
    """The network being trained."""
    optimizer: torch.optim.Optimizer
    """Its optimiser."""
    rng: np.random.Generator
    """Draws the minibatches and their symmetries."""
    step: int = 0
    """Training steps done."""
    extra: dict[str, torch.nn.Module] = field(default_factory=dict)
    """Modules trained beside the network (their parameters follow the net's in the
    optimiser), saved and restored with it."""


def trained_modules(net: torch.nn.Module, extra: Mapping[str, torch.nn.Module]) -> torch.nn.Module:
    """``net`` and the ``extra`` modules as one module, parameters in the optimiser's order."""
    return torch.nn.ModuleList([net, *extra.values()]) if extra else net


def save_trainer(path: str | os.PathLike[str], trainer: Trainer) -> None:
    """Write ``trainer`` to ``path`` atomically."""
    tensors = {
        f"net.{k}": v.detach().cpu().contiguous() for k, v in trainer.net.state_dict().items()
    }
    for name, module in trainer.extra.items():
        tensors.update(
            {
                f"extra.{name}.{k}": v.detach().cpu().contiguous()
                for k, v in module.state_dict().items()
            }
        )
    opt = trainer.optimizer.state_dict()
    scalars: dict[str, dict[str, Any]] = {}
    for index, slot in opt["state"].items():
        for name, value in slot.items():
            if isinstance(value, torch.Tensor):
                tensors[f"opt.{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[name] = value
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": package_version(),
        "step": trainer.step,
        "net_config": trainer.net.config.to_dict(),
        "param_groups": opt["param_groups"],
        "scalars": scalars,
        "rng": trainer.rng.bit_generator.state,
    }
    data = save_safetensors(tensors, metadata={_META: json.dumps(meta)})
    write_bytes_atomic(path, data)


def load_trainer(
    path: str | os.PathLike[str],
    config: TrainConfig,
    device: torch.device,
    extra: Mapping[str, torch.nn.Module] | None = None,
) -> Trainer:
    """Rebuild the trainer saved at ``path`` on ``device``; ``extra``: new modules of the shapes
    saved beside the network (``Trainer.extra``), loaded in place and moved to ``device``.

    Raises:
        CheckpointError: if the file is missing, truncated, corrupt or of another format.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        tensors = load_safetensors(data)
        # The metadata lives in the file's JSON header, after its 8-byte little-endian length.
        header = json.loads(data[8 : 8 + int.from_bytes(data[:8], "little")])
        meta = json.loads(header["__metadata__"][_META])
    except Exception as err:  # missing, truncated or not a trainer file
        raise CheckpointError(f"cannot read trainer checkpoint {path}: {err}") from err
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(f"{path} is not an igo trainer checkpoint of this version")
    net = build_net(config_from_dict(meta["net_config"]))
    net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
    net.to(device)
    modules = dict(extra or {})
    for name, module in modules.items():
        prefix = f"extra.{name}."
        saved = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        try:
            module.load_state_dict(saved)
        except RuntimeError as err:  # missing or mis-shaped tensors
            raise CheckpointError(f"{path}: no {name} of this shape saved: {err}") from err
        module.to(device)
    optimizer = make_optimizer(trained_modules(net, modules), config)
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("opt."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value.to(device)
    for index, slot in meta["scalars"].items():
        state.setdefault(int(index), {}).update(slot)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    rng = np.random.default_rng()
    rng.bit_generator.state = meta["rng"]
    return Trainer(net, optimizer, rng, int(meta["step"]), modules)
