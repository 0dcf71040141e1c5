"""TOML in and out for the config loader: ``--set`` assignments, dotted-key overrides of nested
tables, and nested tables written back as a preset file (``[selfplay.search]`` after
``[selfplay]``). Plain functions of dicts: ``ConfigLoader`` (``config_loader.py``) applies them to
a pipeline's dataclasses."""

from __future__ import annotations

import tomllib
from typing import Any


class ConfigError(ValueError):
    """A config or preset that cannot be used; the message says which key and why."""


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``data`` (nested dicts, changed in place) with dotted-key overrides applied.

    Raises:
        ConfigError: for a key that is not already in ``data``.
    """
    for key, value in overrides.items():
        table = data
        *path, last = key.split(".")
        for part in path:
            if not isinstance(table.get(part), dict):
                raise ConfigError(f"unknown config key {key}")
            table = table[part]
        if last not in table:
            inner = [f"{k}.{last}" for k, v in table.items() if isinstance(v, dict) and last in v]
            hint = f" (did you mean {'.'.join([*path, inner[0]])}?)" if inner else ""
            raise ConfigError(f"unknown config key {key}{hint}")
        table[last] = value
    return data


def parse_assignment(text: str) -> tuple[str, Any]:
    """``section.key=value`` (a ``--set`` flag) as (key, value); the value is read as TOML
    (``3``, ``0.5``, ``true``, ``[0, 1]``, ``"x"``), else taken as a bare string.

    Raises:
        ConfigError: without ``=`` or a key.
    """
    key, eq, value = text.partition("=")
    if not eq or not key.strip():
        raise ConfigError(f"--set takes section.key=value, not {text!r}")
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    return key.strip(), parsed


def toml_text(data: dict[str, Any]) -> str:
    """Nested dicts as a preset file: plain keys first, then one table per dict, a dict inside
    a table as its own table after it (``[selfplay.search]``); None values are left out, as TOML
    has no null."""
    lines = [f"{k} = {_toml(v)}" for k, v in data.items() if not isinstance(v, dict)]
    return "\n".join(lines + _toml_tables(data, "")) + "\n"


def _toml_tables(data: dict[str, Any], prefix: str) -> list[str]:
    lines: list[str] = []
    for name, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{prefix}{name}]"]
            plain = {k: v for k, v in table.items() if not isinstance(v, dict)}
            lines += [f"{k} = {_toml(v)}" for k, v in plain.items() if v is not None]
            lines += _toml_tables(table, f"{prefix}{name}.")
    return lines


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return repr(value)
