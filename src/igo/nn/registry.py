"""The net registry: families (a config class and its net builder) and named variants (timm style).

A *family* is a body type (``resnet``, ``densenet``, ...) with its own config, a ``NetConfig``
subclass holding the fields every net has plus the body's own: ``@register_family(ResNetConfig)``
records the function that builds a net from such a config, and ``build_net(config)`` calls it,
which is how a checkpoint is rebuilt from its saved config (``config_from_dict``). A *variant* is
a named default config, ``<family>_b<blocks>c<channels>[_<knob>][_<norm>]``: ``@register_net``
records a function ``name() -> config``; ``net_config(name, **overrides)`` gives the config and
``create_net(name, **overrides)`` the net. Each variant's docstring states its parameter count at
9x9, which the tests check.

Backbone modules register themselves on import; ``_import_backbones`` imports each of them by name
(no star imports) the first time the registry is read.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

from igo.nn.net import Net, NetConfig

_C = TypeVar("_C", bound=NetConfig)
FamilyFn = Callable[[Any], Net]
"""Builds a net from its family's config."""
VariantFn = Callable[[], NetConfig]
"""A variant: returns its default config."""
_V = TypeVar("_V", bound=VariantFn)

_FAMILIES: dict[str, tuple[type[NetConfig], FamilyFn]] = {}
_VARIANTS: dict[str, VariantFn] = {}

LEGACY_FIELDS = frozenset(
    (
        "family board_size in_planes blocks channels norm outputs value_hidden se_reduction "
        "bottleneck_ratio width_factor dropout alpha width_mult growth_rate dense_layers "
        "compression dense_bottleneck max_dilation"
    ).split()
)
"""Every field of the flat NetConfig that checkpoints written before the family configs hold."""


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


def register_family(
    config_class: type[_C],
) -> Callable[[Callable[[_C], Net]], Callable[[_C], Net]]:
    """Decorator: record ``fn(config) -> Net`` as the builder of ``config_class.family``."""
    name = config_class.family
    if not name:
        raise ValueError(f"{config_class.__name__} names no family")

    def decorator(fn: Callable[[_C], Net]) -> Callable[[_C], Net]:
        if name in _FAMILIES:
            raise ValueError(f"net family {name!r} is already registered")
        _FAMILIES[name] = (config_class, fn)
        return fn

    return decorator


def register_net(fn: _V) -> _V:
    """Decorator: record a variant function ``name() -> config`` under its own name."""
    name = fn.__name__
    if name in _VARIANTS:
        raise ValueError(f"net variant {name!r} is already registered")
    _VARIANTS[name] = fn
    return fn


def _unknown(kind: str, name: str, known: list[str]) -> KeyError:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; known: {', '.join(known)}"
    return KeyError(f"unknown net {kind} {name!r}{hint}")


def config_class(family: str) -> type[NetConfig]:
    """The config class of a registered family (KeyError naming the close ones if unknown)."""
    _import_backbones()
    if family not in _FAMILIES:
        raise _unknown("family", family, list_families())
    return _FAMILIES[family][0]


def config_from_dict(data: Mapping[str, Any]) -> NetConfig:
    """The config ``NetConfig.to_dict`` wrote, of the family it names.

    A checkpoint written before the family configs holds every field of the old flat config
    (``LEGACY_FIELDS``); the fields of other families, which this family's builder never read,
    are dropped. Any other field the family lacks is a ValueError naming it.

    Raises:
        KeyError: the family is missing or not registered.
        ValueError: an unknown field or a bad value.
    """
    family = data.get("family")
    if not isinstance(family, str):
        raise KeyError(f"net family {family!r} is not a family name")
    cls = config_class(family)
    own = set(cls.field_names())
    foreign = set(data) - own - {"family"}
    if LEGACY_FIELDS <= set(data):
        foreign -= LEGACY_FIELDS
    if foreign:
        raise ValueError(f"unknown {family} config fields: {', '.join(sorted(foreign))}")
    return cls(**{k: v for k, v in data.items() if k in own})


def build_net(config: NetConfig, **overrides: Any) -> Net:
    """Build the net a config describes.

    Args:
        config: a family's config; its ``family`` picks the builder.
        **overrides: fields of that config to replace first (validated, see ``replace``).

    Returns:
        A PolicyValueNet, PolicyNet or ValueNet whose ``config`` is the resolved config.
    """
    cls = config_class(config.family)
    if not isinstance(config, cls):
        raise TypeError(f"a {config.family} net is built from a {cls.__name__}")
    resolved = config.replace(**overrides)
    return _FAMILIES[config.family][1](resolved)


def net_config(name: str, **overrides: Any) -> NetConfig:
    """A registered variant's config, e.g. ``net_config("resnet_b6c64", board_size=19)``.

    Args:
        name: a name from ``list_nets()``.
        **overrides: fields of the variant's family config that replace its defaults.

    Raises:
        KeyError: an unknown variant; ValueError: an unknown field or a bad value.
    """
    _import_backbones()
    if name not in _VARIANTS:
        raise _unknown("variant", name, list_nets())
    return _VARIANTS[name]().replace(**overrides)


def create_net(name: str, **overrides: Any) -> Net:
    """Build a registered variant, e.g. ``create_net("resnet_b6c64", board_size=19, norm="group")``.

    Args:
        name: a name from ``list_nets()``.
        **overrides: fields of the variant's family config that replace its defaults.

    Returns:
        The net; ``net.config`` is the resolved config.
    """
    return build_net(net_config(name, **overrides))


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
