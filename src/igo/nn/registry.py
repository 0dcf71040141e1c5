"""The net registry: families (config -> net builders) and named variants (timm's registry style).

A *family* is a body type (``resnet``, ``densenet``, ...): ``register_family("resnet")`` records
the function that builds a net of that family from a ``NetConfig``; ``build_net(config)`` calls
it, which is how a checkpoint is rebuilt from its saved config. A *variant* is a named default
config, ``<family>_b<blocks>c<channels>[_<knob>][_<norm>]``: ``@register_net`` records a function
``name(**overrides) -> Net``; ``create_net(name, **overrides)`` calls it. Each variant's docstring
states its parameter count at 9x9, which the tests check.

Backbone modules register themselves on import; ``_import_backbones`` imports each of them by name
(no star imports) the first time the registry is read.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any, TypeVar

from igo.nn.net import Net, NetConfig

FamilyFn = Callable[[NetConfig], Net]
VariantFn = Callable[..., Net]
_F = TypeVar("_F", bound=VariantFn)

_FAMILIES: dict[str, FamilyFn] = {}
_VARIANTS: dict[str, VariantFn] = {}


@cache
def _import_backbones() -> None:
    # Imported for their registration side effect; listed one by one on purpose.
    from igo.nn.backbones import (  # noqa: F401
        alphago,
        densenet,
        dilated_resnet,
        mobilenet,
        pyramidnet,
        resnet,
        wide_resnet,
    )


def register_family(name: str) -> Callable[[FamilyFn], FamilyFn]:
    """Decorator: record ``fn(config) -> Net`` as the builder of family ``name``."""

    def decorator(fn: FamilyFn) -> FamilyFn:
        if name in _FAMILIES:
            raise ValueError(f"net family {name!r} is already registered")
        _FAMILIES[name] = fn
        return fn

    return decorator


def register_net(fn: _F) -> _F:
    """Decorator: record a variant function ``name(**overrides) -> Net`` under its own name."""
    name = fn.__name__
    if name in _VARIANTS:
        raise ValueError(f"net variant {name!r} is already registered")
    _VARIANTS[name] = fn
    return fn


def _unknown(kind: str, name: str, known: list[str]) -> KeyError:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(known)}"
    return KeyError(f"unknown net {kind} {name!r}{hint}")


def build_net(config: NetConfig, **overrides: Any) -> Net:
    """Build the net a config describes.

    Args:
        config: the config; its ``family`` picks the builder.
        **overrides: NetConfig fields to replace first (validated by NetConfig).

    Returns:
        A PolicyValueNet, PolicyNet or ValueNet whose ``config`` is the resolved config.
    """
    _import_backbones()
    resolved = replace(config, **overrides) if overrides else config
    if resolved.family not in _FAMILIES:
        raise _unknown("family", resolved.family, list_families())
    return _FAMILIES[resolved.family](resolved)


def create_net(name: str, **overrides: Any) -> Net:
    """Build a registered variant, e.g. ``create_net("resnet_b6c64", board_size=19, norm="group")``.

    Args:
        name: a name from ``list_nets()``.
        **overrides: NetConfig fields that replace the variant's defaults (not ``family``).

    Returns:
        The net; ``net.config`` is the resolved NetConfig.
    """
    _import_backbones()
    if name not in _VARIANTS:
        raise _unknown("variant", name, list_nets())
    if "family" in overrides:
        raise ValueError("a variant's family cannot be overridden; use build_net(NetConfig(...))")
    return _VARIANTS[name](**overrides)


def list_nets(pattern: str = "*") -> list[str]:
    """Sorted names of the registered variants matching a shell-style ``pattern``."""
    _import_backbones()
    return sorted(n for n in _VARIANTS if fnmatch.fnmatchcase(n, pattern))


def list_families() -> list[str]:
    """Sorted names of the registered families."""
    _import_backbones()
    return sorted(_FAMILIES)


def variant_doc(name: str) -> str:
    """The docstring of a registered variant (where its parameter count is stated)."""
    _import_backbones()
    if name not in _VARIANTS:
        raise _unknown("variant", name, list_nets())
    return _VARIANTS[name].__doc__ or ""
