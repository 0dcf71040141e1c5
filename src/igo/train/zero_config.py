"""ZeroConfig: the whole AlphaGo Zero run as one frozen dataclass, and its presets.

It composes :class:`~igo.selfplay.config.SelfPlayConfig`, :class:`~igo.train.config.TrainConfig`
and :class:`~igo.train.config.GateConfig` with the network and the run's own knobs. Presets are
TOML files in ``configs/`` (``zero-tiny.toml``, ``zero-9x9.toml``, ``zero-19x19.toml``): top-level
keys are ZeroConfig fields, tables ``[selfplay]``, ``[train]``, ``[gate]`` and
``[net_overrides]`` the parts. Every problem (an unknown key, a bad value) is one
:class:`ConfigError` whose message names the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from igo.nn.net import Net, NetConfig
from igo.nn.registry import create_net, list_nets
from igo.selfplay.config import SelfPlayConfig
from igo.train.config import GateConfig, TrainConfig

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
    }
)
"""Fields a resumed run may change (how long and where it runs, not what it computes), besides
every ``gate.*`` field: how candidates are judged never changes the games or steps done."""
RESUMABLE_PREFIXES = ("gate.",)
_FIXED_NET_FIELDS = ("family", "board_size", "in_planes", "outputs")


class ConfigError(ValueError):
    """A config or preset that cannot be used; the message says which key and why."""


@dataclass(frozen=True)
class ZeroConfig:
    """An AlphaGo Zero run: network, self-play, training, gating, and the run's bookkeeping."""

    run_dir: str = "runs/zero-9x9"
    """The run's folder (config, state, models, checkpoints, replay, arena, logs)."""
    net: str = "resnet_b6c64"
    """The network variant (``igo.nn.list_nets()``)."""
    net_overrides: dict[str, Any] = field(default_factory=dict)
    """NetConfig fields replacing the variant's (blocks, channels, value_hidden, norm...)."""
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
        known = {f.name for f in fields(NetConfig)} - set(_FIXED_NET_FIELDS)
        unknown = sorted(set(self.net_overrides) - known)
        if unknown:
            raise ConfigError(f"net_overrides: unknown or fixed NetConfig fields {unknown}")
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
    top = {f.name: f for f in fields(ZeroConfig)}
    _check_keys(data, top, source, "")
    parts: dict[str, Any] = {}
    for name, cls in PARTS.items():
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{name}] must be a table")
        _check_keys(table, {f.name: f for f in fields(cls)}, source, f"{name}.")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
        parts[name] = _build(cls, values, source, name)
    rest = {k: v for k, v in data.items() if k not in PARTS}
    config: ZeroConfig = _build(ZeroConfig, {**rest, **parts}, source, "config")
    return config


def _check_keys(data: dict[str, Any], known: dict[str, Any], source: str, prefix: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        names = ", ".join(prefix + k for k in unknown)
        raise ConfigError(f"{source}: unknown key {names}; known: {', '.join(sorted(known))}")


def _build(cls: type, values: dict[str, Any], source: str, what: str) -> Any:
    try:
        return cls(**values)
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from err
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{source}: {what}: {err}") from err


def preset_dirs() -> list[Path]:
    """Where presets are looked for: ``configs/`` here, then the source tree's ``configs/``."""
    return [Path("configs"), Path(__file__).resolve().parents[3] / "configs"]


def find_preset(name: str) -> Path:
    """The preset file for ``name``: a path to a TOML file, or ``tiny`` / ``9x9`` / ``19x19``
    (``configs/zero-<name>.toml``).

    Raises:
        ConfigError: if there is no such file (listing the presets found).
    """
    path = Path(name)
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise ConfigError(f"preset file {path} does not exist")
        return path
    found: dict[str, Path] = {}
    for folder in preset_dirs():
        for file in sorted(folder.glob("zero-*.toml")) if folder.is_dir() else []:
            found.setdefault(file.stem.removeprefix("zero-"), file)
    if name not in found:
        known = ", ".join(sorted(found)) or "none found"
        raise ConfigError(f"unknown preset {name!r}; presets: {known} (or a path to a .toml)")
    return found[name]


def load_preset(name: str) -> ZeroConfig:
    """The ZeroConfig of a preset name or TOML path (see ``find_preset``)."""
    path = find_preset(name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read preset {path}: {err}") from err
    return config_from_dict(data, str(path))


def with_overrides(config: ZeroConfig, overrides: dict[str, Any]) -> ZeroConfig:
    """``config`` with dotted-key overrides (``{"selfplay.num_simulations": 100}``) applied.

    Raises:
        ConfigError: for an unknown key or a bad value.
    """
    data = config.to_dict()
    for key, value in overrides.items():
        table = data
        *path, last = key.split(".")
        for part in path:
            if not isinstance(table.get(part), dict):
                raise ConfigError(f"unknown config key {key}")
            table = table[part]
        if last not in table:
            raise ConfigError(f"unknown config key {key}")
        table[last] = value
    return config_from_dict(data, "command line")


def to_toml(config: ZeroConfig) -> str:
    """``config`` as a preset file (``load_preset`` reads it back; None fields are left out)."""
    data = config.to_dict()
    lines = [f"{k} = {_toml(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]"]
            lines += [f"{k} = {_toml(v)}" for k, v in table.items() if v is not None]
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)


def config_differences(
    saved: dict[str, Any], current: dict[str, Any], prefix: str = ""
) -> list[str]:
    """Dotted keys whose values differ between two config dicts, as ``key: now X (saved Y)``,
    except those a resumed run may change (``RESUMABLE_CHANGES``, ``gate.*``)."""
    out: list[str] = []
    for key in sorted(set(saved) | set(current)):
        name = prefix + key
        a, b = saved.get(key), current.get(key)
        if isinstance(a, dict) and isinstance(b, dict) and key != "net_overrides":
            out += config_differences(a, b, name + ".")
        elif _normal(a) != _normal(b) and not _resumable(name):
            out.append(f"{name}: now {b!r} (saved {a!r})")
    return out


def _resumable(name: str) -> bool:
    return name in RESUMABLE_CHANGES or name.startswith(RESUMABLE_PREFIXES)


def _normal(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


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
