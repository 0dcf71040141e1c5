"""ZeroConfig: the whole AlphaGo Zero run as one frozen dataclass, and its presets.

It composes :class:`~igo.selfplay.config.SelfPlayConfig`, :class:`~igo.train.config.TrainConfig`
and :class:`~igo.train.config.GateConfig` with the network and the run's own knobs. Presets are
TOML files shipped in ``igo/configs/`` (``zero-tiny.toml``, ``zero-9x9.toml``,
``zero-19x19.toml``): top-level keys are ZeroConfig fields, tables ``[selfplay]``, ``[train]``,
``[gate]`` and ``[net_overrides]`` the parts. Every problem (an unknown key, a bad value) is one
:class:`ConfigError` whose message names the key.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from igo.nn.net import Net, NetConfig
from igo.nn.registry import create_net, list_nets
from igo.nn.registry import net_config as variant_config
from igo.selfplay.config import SelfPlayConfig
from igo.train.config import GateConfig, TrainConfig
from igo.train.run_setup import (
    ConfigError,
    apply_overrides,
    from_tables,
    read_toml,
    toml_text,
)
from igo.train.run_setup import config_differences as _differences
from igo.train.run_setup import find_preset as _find_preset

PARTS: dict[str, type] = {"selfplay": SelfPlayConfig, "train": TrainConfig, "gate": GateConfig}
RESUMABLE_CHANGES = frozenset(
    {
        "run_dir",
        "generations",
        "selfplay.num_workers",
        "selfplay.device",
        "selfplay.torch_threads",
        "selfplay.eval_batch_size",
        "train.device",
        "train.torch_threads",
        "selfplay.resign_threshold",
        "selfplay.resign_calibration_games",
        "selfplay.resign_min_games",
        "selfplay.resign_max_threshold",
        "selfplay.false_resign_target",
        "selfplay.pass_when_losing",
    }
)
"""Fields a resumed run may change (how long and where it runs, not what it computes; and the
resignation and passing rules, which decide only when future games end), besides every
``gate.*`` field: how candidates are judged never changes the games or steps done."""
RESUMABLE_PREFIXES = ("gate.",)
_FIXED_NET_FIELDS = ("board_size", "in_planes", "outputs")


@dataclass(frozen=True)
class ZeroConfig:
    """An AlphaGo Zero run: network, self-play, training, gating, and the run's bookkeeping."""

    run_dir: str = "runs/zero-9x9"
    """The run's folder (config, state, models, checkpoints, replay, arena, logs)."""
    net: str = "resnet_b6c64"
    """The network variant (``igo.nn.list_nets()``)."""
    net_overrides: dict[str, Any] = field(default_factory=dict)
    """Fields of the variant's family config replacing its own (blocks, channels, norm...)."""
    history: int = 8
    """Positions of stones per input: 2 * history + 1 planes (the paper: 8, 17 planes)."""
    generations: int = 100
    """Generations to run (each: self-play, training, gating)."""
    seed: int = 0
    """Seeds the initial network, the self-play searches and the minibatch sampler."""
    checkpoint_every: int = 100
    """Training steps between trainer checkpoints (a killed run redoes at most these)."""
    keep_models: int = 5
    """Generation networks kept besides the best one (older ones are deleted)."""
    keep_checkpoints: int = 3
    """Trainer checkpoints kept."""
    selfplay: SelfPlayConfig = field(default_factory=SelfPlayConfig)
    """How self-play games are played."""
    train: TrainConfig = field(default_factory=TrainConfig)
    """How the network is trained."""
    gate: GateConfig = field(default_factory=GateConfig)
    """How a candidate is gated."""

    def __post_init__(self) -> None:
        if self.net not in list_nets():
            raise ConfigError(f"net: unknown variant {self.net!r}; known: {', '.join(list_nets())}")
        known = set(variant_config(self.net).field_names()) - set(_FIXED_NET_FIELDS)
        unknown = sorted(set(self.net_overrides) - known)
        if unknown:
            raise ConfigError(f"net_overrides: unknown or fixed {self.net} fields {unknown}")
        for name in ("history", "generations", "checkpoint_every", "keep_models"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1")
        if self.keep_checkpoints < 1:
            raise ConfigError("keep_checkpoints must be at least 1")

    @property
    def total_steps(self) -> int:
        """Training steps of the whole run."""
        return self.generations * self.train.steps_per_generation

    def net_config(self) -> NetConfig:
        """The resolved NetConfig of the run's networks."""
        return self.build_net().config

    def build_net(self) -> Net:
        """A freshly initialised network of the run's architecture."""
        size, planes = self.selfplay.board_size, 2 * self.history + 1
        try:
            return create_net(self.net, board_size=size, in_planes=planes, **self.net_overrides)
        except (TypeError, ValueError, KeyError) as err:
            raise ConfigError(f"net {self.net} with {self.net_overrides}: {err}") from err

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields (nested parts as tables)."""
        return asdict(self)


def config_from_dict(data: dict[str, Any], source: str = "config") -> ZeroConfig:
    """A ZeroConfig from nested dicts (a preset's or a saved config's).

    Raises:
        ConfigError: naming an unknown key or a bad value.
    """
    config: ZeroConfig = from_tables(ZeroConfig, PARTS, data, source)
    return config


def find_preset(name: str) -> Path:
    """The preset file for ``name``: a path to a TOML file, or ``tiny`` / ``9x9`` / ``19x19``
    (``igo/configs/zero-<name>.toml``, shipped in the package).

    Raises:
        ConfigError: if there is no such file (listing the presets found).
    """
    return _find_preset(name, "zero")


def load_preset(name: str) -> ZeroConfig:
    """The ZeroConfig of a preset name or TOML path (see ``find_preset``)."""
    path = find_preset(name)
    return config_from_dict(read_toml(path), str(path))


def with_overrides(config: ZeroConfig, overrides: dict[str, Any]) -> ZeroConfig:
    """``config`` with dotted-key overrides (``{"selfplay.num_simulations": 100}``) applied.

    Raises:
        ConfigError: for an unknown key or a bad value.
    """
    return config_from_dict(apply_overrides(config.to_dict(), overrides), "command line")


def to_toml(config: ZeroConfig) -> str:
    """``config`` as a preset file (``load_preset`` reads it back; None fields are left out)."""
    return toml_text(config.to_dict())


def config_differences(
    saved: dict[str, Any], current: dict[str, Any], prefix: str = ""
) -> list[str]:
    """Dotted keys whose values differ between two config dicts, as ``key: now X (saved Y)``,
    except those a resumed run may change (``RESUMABLE_CHANGES``, ``gate.*``)."""
    return _differences(saved, current, _resumable, ("net_overrides",), prefix)


def _resumable(name: str) -> bool:
    return name in RESUMABLE_CHANGES or name.startswith(RESUMABLE_PREFIXES)


__all__ = [
    "ConfigError",
    "ZeroConfig",
    "config_differences",
    "config_from_dict",
    "find_preset",
    "load_preset",
    "to_toml",
    "with_overrides",
]
