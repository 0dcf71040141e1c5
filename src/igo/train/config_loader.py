"""One config loader for every pipeline: a frozen dataclass of frozen parts, read from a preset,
changed by ``--set`` overrides, written as TOML, and checked against a run's saved config.

A pipeline's settings are one frozen dataclass (``ZeroConfig``, ``AlphaGoConfig``) whose fields
are plain values or parts (frozen dataclasses: its sections), a part's fields maybe parts again
(``selfplay.search``: a SearchConfig). A preset is a TOML file shipped in the package
``igo.configs`` (``<prefix>-<name>.toml``) or any TOML file: top-level keys are the config's
fields, tables its parts (``[selfplay.search]`` the part inside ``[selfplay]``). Every value is
checked against its field's annotation before the dataclass is built. The run folder keeps the
resolved config in ``config.json`` (``igo.run_dir``); a rerun with settings that change what is
computed is refused, naming every differing key (a ``config.json`` of an older layout is first
brought up to date by the pipeline's ``upgrade``). Every problem is one :class:`ConfigError`
whose message names the key.

A pipeline's config module holds its dataclasses and one :class:`ConfigLoader` that says which
fields a resumed run may change; the loader does the rest.
"""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Callable, Collection
from dataclasses import MISSING, Field, asdict, dataclass, fields, is_dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from igo.run_dir import RunFolder
from igo.train.config_text import ConfigError, apply_overrides, parse_assignment, toml_text

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

C = TypeVar("C", bound="DataclassInstance")


PRESETS_PACKAGE = "igo.configs"
"""The package whose ``<prefix>-<name>.toml`` files are the named presets."""


def presets(prefix: str) -> dict[str, Path]:
    """The shipped presets of one pipeline (``zero``, ``alphago``): short name -> file."""
    folder = Path(str(resources.files(PRESETS_PACKAGE)))
    return {f.stem.removeprefix(f"{prefix}-"): f for f in sorted(folder.glob(f"{prefix}-*.toml"))}


def find_preset(name: str, prefix: str) -> Path:
    """The preset file for ``name``: a path to a TOML file, or the short name of a shipped preset
    such as ``tiny`` (``igo/configs/<prefix>-tiny.toml`` inside the package).

    Raises:
        ConfigError: if there is no such file (listing the shipped presets).
    """
    path = Path(name)
    if path.suffix == ".toml" or path.is_file():
        if not path.is_file():
            raise ConfigError(f"preset file {path} does not exist")
        return path
    found = presets(prefix)
    if name not in found:
        known = ", ".join(sorted(found)) or "none found"
        raise ConfigError(f"unknown preset {name!r}; presets: {known} (or a path to a .toml)")
    return found[name]


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables.

    Raises:
        ConfigError: if it cannot be read or parsed.
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"cannot read preset {path}: {err}") from err


def check_keys(data: dict[str, Any], known: Collection[str], source: str, prefix: str) -> None:
    """Raise a ConfigError naming the keys of ``data`` that are not in ``known``."""
    unknown = sorted(set(data) - set(known))
    if unknown:
        names = ", ".join(prefix + k for k in unknown)
        raise ConfigError(f"{source}: unknown key {names}; known: {', '.join(sorted(known))}")


def build(cls: type, values: dict[str, Any], source: str, what: str) -> Any:
    """``cls(**values)``, each value checked against its field's type first (a ``--set`` seed of
    1.5 is refused here, not as a traceback after the run folder is made); its errors turned
    into ConfigErrors naming ``source`` and ``what``."""
    try:
        check_types(cls, values)
        return cls(**values)
    except ConfigError as err:
        raise ConfigError(f"{source}: {err}") from err
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{source}: {what}: {err}") from err


def check_types(cls: type, values: dict[str, Any]) -> None:
    """Raise a TypeError naming the first value that does not fit its field's annotation (bool,
    int, float, str, None, Literal, unions, ``tuple[X, ...]``, dict and classes are checked)."""
    hints = typing.get_type_hints(cls)
    for key, value in values.items():
        if key in hints and not _fits(value, hints[key]):
            raise TypeError(f"{key} must be {_type_name(hints[key])}, not {value!r}")


def _type_name(kind: Any) -> str:
    if typing.get_origin(kind) is typing.Literal:
        return "one of " + ", ".join(map(repr, typing.get_args(kind)))
    if isinstance(kind, type) and typing.get_origin(kind) is None:
        return kind.__name__
    return str(kind).replace("typing.", "")  # int | None, tuple[float, ...]


def _fits(value: Any, kind: Any) -> bool:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind in (int, float) and isinstance(value, bool):
        return False  # bool is an int to Python, never to a config
    if kind is float:
        return isinstance(value, int | float)
    if origin is typing.Literal:
        return value in args
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if origin is tuple:
        inner = args[0] if len(args) == 2 and args[1] is Ellipsis else Any
        return isinstance(value, tuple | list) and all(_fits(v, inner) for v in value)
    if origin is not None:
        return isinstance(value, origin)  # dict[str, Any], list[...]: the container only
    return kind is Any or not isinstance(kind, type) or isinstance(value, kind)


def from_tables(
    cls: type,
    parts: dict[str, type],
    data: dict[str, Any],
    source: str,
    shared: Collection[str] = (),
) -> Any:
    """A pipeline config ``cls`` from nested dicts: top-level keys are its fields, the tables
    named in ``parts`` its sections (lists become tuples). A section may not set a key of
    ``shared`` (the top level sets those for every section).

    Raises:
        ConfigError: naming an unknown key or a bad value.
    """
    check_keys(data, [f.name for f in fields(cls)], source, "")
    built: dict[str, Any] = {}
    for name, part in parts.items():
        table = data.get(name, {})
        for key in shared:
            if isinstance(table, dict) and key in table:
                raise ConfigError(f"{source}: {name}.{key}: set {key} at the top level")
        built[name] = build_part(part, table, source, name, skip=shared)
    rest = {k: v for k, v in data.items() if k not in parts}
    return build(cls, {**rest, **built}, source, "config")


def build_part(
    cls: type,
    table: Any,
    source: str,
    name: str,
    base: Any = None,
    skip: Collection[str] = (),
) -> Any:
    """Part ``cls`` from its table ``name``: a key left out takes ``base``'s value (the default
    the enclosing part gives the field), else the class's; a table inside it builds the part
    its field holds (``[selfplay.search]``: a SearchConfig), the same way.

    Raises:
        ConfigError: naming an unknown key or a bad value.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [{name}] must be a table")
    check_keys(table, [f.name for f in fields(cls) if f.name not in skip], source, f"{name}.")
    kinds = typing.get_type_hints(cls)
    given = {f.name: _default(f) if base is None else getattr(base, f.name) for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if is_dataclass(kinds[key]) and isinstance(value, dict):
            value = build_part(kinds[key], value, source, f"{name}.{key}", given[key])
        values[key] = tuple(value) if isinstance(value, list) else value
    if base is not None:
        values = {f.name: given[f.name] for f in fields(cls) if f.init} | values
    return build(cls, values, source, name)


def _default(f: Field[Any]) -> Any:
    """A field's default value (None where it has none)."""
    if f.default is not MISSING:
        return f.default
    return None if f.default_factory is MISSING else f.default_factory()


def _fill_defaults(
    cls: type, data: dict[str, Any], shared: tuple[str, ...], top: bool = False
) -> dict[str, Any]:
    out = dict(data)
    hints = typing.get_type_hints(cls)
    for f in fields(cls):
        if not top and f.name in shared:
            continue  # the config's own copy, left out of its parts (``to_dict``)
        kind = hints[f.name]
        if is_dataclass(kind):  # a part: its new fields filled in, a missing part left missing
            if isinstance(out.get(f.name), dict):
                out[f.name] = _fill_defaults(kind, out[f.name], shared)  # type: ignore[arg-type]
        elif f.name not in out and (f.default is not MISSING or f.default_factory is not MISSING):
            out[f.name] = _default(f)
    return out


def _normal(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_normal(v) for v in value]
    return value


@dataclass(frozen=True)
class ConfigLoader(Generic[C]):
    """Reads, changes, writes and checks the configs of one pipeline."""

    config_class: type[C]
    """The pipeline's config: a frozen dataclass whose dataclass-typed fields are its parts."""
    preset_prefix: str
    """Shipped presets are ``igo/configs/<preset_prefix>-<name>.toml``."""
    resumable: frozenset[str] = frozenset()
    """Dotted keys a resumed run may change (how long and where it runs, not what it
    computes); ``part.*`` for every key of a part."""
    shared: tuple[str, ...] = ()
    """Top-level fields the config copies into every part that has a field of that name: a
    part may not set them, and ``to_dict`` leaves them out of the parts."""
    upgrade: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """Turns a saved ``config.json`` written by an older igo into today's layout (renamed or
    moved keys) before the resume check compares it; None: the layout never changed."""

    @cached_property
    def parts(self) -> dict[str, type]:
        """Part name -> its dataclass."""
        hints = typing.get_type_hints(self.config_class)
        fields_ = fields(self.config_class)
        return {f.name: hints[f.name] for f in fields_ if is_dataclass(hints[f.name])}

    @cached_property
    def part_paths(self) -> frozenset[str]:
        """Dotted names of the parts and of the parts inside them (``selfplay.search``)."""
        return frozenset(_part_paths(self.config_class, ""))

    def from_dict(self, data: dict[str, Any], source: str = "config") -> C:
        """A config from nested dicts (a preset's or a saved config's).

        Raises:
            ConfigError: naming an unknown key or a bad value.
        """
        config: C = from_tables(self.config_class, self.parts, data, source, self.shared)
        return config

    def presets(self) -> dict[str, Path]:
        """The shipped presets: short name -> file."""
        return presets(self.preset_prefix)

    def find_preset(self, name: str) -> Path:
        """The preset file of a short name (``tiny``) or a path to a TOML file.

        Raises:
            ConfigError: if there is no such file (listing the shipped presets).
        """
        return find_preset(name, self.preset_prefix)

    def load_preset(self, name: str) -> C:
        """The config of a preset name or TOML path (see ``find_preset``)."""
        path = self.find_preset(name)
        return self.from_dict(read_toml(path), str(path))

    def with_overrides(self, config: C, overrides: dict[str, Any]) -> C:
        """``config`` with dotted-key overrides (``{"sl.steps": 100}``) applied.

        Raises:
            ConfigError: for an unknown key or a bad value.
        """
        return self.from_dict(apply_overrides(self.to_dict(config), overrides), "command line")

    def with_file(self, config: C, path: Path) -> C:
        """``config`` with the keys of a TOML file (a partial preset) replacing its own.

        Raises:
            ConfigError: for an unreadable file, an unknown key or a bad value.
        """
        return self.with_overrides(config, _dotted(read_toml(path)))

    def to_dict(self, config: C) -> dict[str, Any]:
        """Plain JSON-ready fields, parts as tables (without the shared top-level keys)."""
        data: dict[str, Any] = asdict(config)
        for part in self.parts:
            for key in self.shared:
                data[part].pop(key, None)
        return data

    def to_toml(self, config: C) -> str:
        """``config`` as a preset file (``load_preset`` reads it back; None fields are left
        out)."""
        return toml_text(self.to_dict(config))

    def is_resumable(self, key: str) -> bool:
        """Whether a resumed run may change the dotted ``key``."""
        part, _, _ = key.partition(".")
        return key in self.resumable or f"{part}.*" in self.resumable

    def differences(
        self, saved: dict[str, Any], current: dict[str, Any], prefix: str = ""
    ) -> list[str]:
        """Keys that differ between a saved and a new config (as dicts) and that a resumed run
        may not change, as ``key: now X (saved Y)``; a field that is a dict but not a part
        (``net_overrides``) compares as one value."""
        out: list[str] = []
        for key in sorted(set(saved) | set(current)):
            name, a, b = prefix + key, saved.get(key), current.get(key)
            if name in self.part_paths and isinstance(a, dict) and isinstance(b, dict):
                out += self.differences(a, b, name + ".")
            elif _normal(a) != _normal(b) and not self.is_resumable(name):
                out.append(f"{name}: now {b!r} (saved {a!r})")
        return out

    def with_new_fields(self, saved: dict[str, Any]) -> dict[str, Any]:
        """A saved config with the plain fields added to igo since it was written set to their
        defaults (a new knob's default keeps the behaviour from before it), so that such a run
        resumes; a field without a default, or a whole new part, stays missing (``upgrade``
        moves those)."""
        return _fill_defaults(self.config_class, saved, self.shared, top=True)

    def check_saved(self, folder: RunFolder, config: C, version: str) -> None:
        """Refuse a run folder started with other settings, else (re)write its ``config.json``.

        Raises:
            ConfigError: listing every differing key.
        """
        current = self.to_dict(config)
        saved = folder.saved_config()
        if saved is not None and self.upgrade is not None:
            saved = self.upgrade(saved)
        if saved is not None:
            saved = self.with_new_fields(saved)
        diffs = [] if saved is None else self.differences(saved, current)
        if diffs:
            raise ConfigError(
                f"{folder.root} was started with other settings: {'; '.join(diffs)}. "
                "Resume it with the same preset and flags, or pick another --run-dir."
            )
        folder.save_config(current, version)


def _part_paths(cls: type, prefix: str) -> list[str]:
    hints = typing.get_type_hints(cls)
    out = []
    for f in fields(cls):
        if is_dataclass(hints[f.name]):
            out += [prefix + f.name, *_part_paths(hints[f.name], f"{prefix}{f.name}.")]
    return out


def _dotted(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested tables as dotted keys (``{"sl": {"steps": 5}}`` -> ``{"sl.steps": 5}``)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_dotted(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


__all__ = [
    "PRESETS_PACKAGE",
    "ConfigError",
    "ConfigLoader",
    "find_preset",
    "parse_assignment",
    "presets",
    "read_toml",
]
