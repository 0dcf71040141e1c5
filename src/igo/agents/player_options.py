"""The player options: what ``igo gtp --player X --flag`` accepts, one list for every player.

Each option is a flag and the dataclass field it sets: the field's annotation gives the option's
type and its docstring the help, and a player's defaults are its preset's values, so nothing is
written twice. The search players (``mcts``, ``zero``, ``alphago``) are presets
(``igo.agents.search_presets``): an option sets one field of the preset's ``SearchConfig``
(``--batch`` is ``leaves_per_batch``, ``--noise`` ``dirichlet_epsilon``, ``--lcb``
``use_lcb``), or of what is not search (``SearchSetup``, its ``ResignPolicy`` and
``LeeParts``). The other players take the options they share as keyword arguments of the same
names. A factory's keyword is the flag's name with ``_`` for ``-`` (``--c-puct``: ``c_puct``),
except ``--lambda``: ``lee_lambda``; an arena spec's ``igo:player=mcts,visits=400`` is
``--visits 400``. Player registration (``igo.agents.player.register_player``) says which
options each player takes; ``igo.cli.options`` builds the flags from this list.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
import types
import typing
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from igo.agents.nets import LeeParts
from igo.agents.resign import ResignPolicy
from igo.agents.search_presets import AlphaGoSource, SearchSetup
from igo.search.config import SearchConfig


@dataclass(frozen=True)
class PlayerOption:
    """One option: its flag and the dataclass field it sets."""

    flag: str
    """The command-line flag (``--batch``)."""
    owner: type
    """The dataclass whose field the option sets (``SearchConfig``, ``SearchSetup``...)."""
    field: str
    """That field (``leaves_per_batch``)."""
    key: str = ""
    """The factories' keyword; empty: the flag's name, ``_`` for ``-``."""

    @property
    def name(self) -> str:
        """The keyword the factories take (``batch``)."""
        return self.key or self.flag.removeprefix("--").replace("-", "_")

    @property
    def value_type(self) -> type:
        """The type of a value: the field's, without None (a Literal's: its values')."""
        return _base_type(_type_hints(self.owner)[self.field])

    @property
    def doc(self) -> str:
        """The field's docstring, on one line."""
        return " ".join(field_docs(self.owner).get(self.field, "").split())


PLAYER_OPTIONS = (
    PlayerOption("--checkpoint", SearchSetup, "checkpoint"),
    PlayerOption("--visits", SearchConfig, "num_simulations"),
    PlayerOption("--seconds", SearchSetup, "seconds"),
    PlayerOption("--batch", SearchConfig, "leaves_per_batch"),
    PlayerOption("--mode", SearchConfig, "mode"),
    PlayerOption("--policy-checkpoint", LeeParts, "policy"),
    PlayerOption("--value-checkpoint", LeeParts, "value"),
    PlayerOption("--rollout-checkpoint", LeeParts, "rollout"),
    PlayerOption("--tree-policy", LeeParts, "tree_policy"),
    PlayerOption("--lambda", SearchConfig, "lee_lambda", key="lee_lambda"),
    PlayerOption("--expand-threshold", SearchConfig, "expand_threshold"),
    PlayerOption("--c-puct", SearchConfig, "c_puct"),
    PlayerOption("--noise", SearchConfig, "dirichlet_epsilon"),
    PlayerOption("--temperature", SearchConfig, "temperature"),
    PlayerOption("--lcb", SearchConfig, "use_lcb"),
    PlayerOption("--root", SearchConfig, "root_selection"),
    PlayerOption("--gumbel-considered", SearchConfig, "gumbel_considered"),
    PlayerOption("--gumbel-scale", SearchConfig, "gumbel_scale"),
    PlayerOption("--resign-threshold", ResignPolicy, "threshold"),
    PlayerOption("--resign-moves", ResignPolicy, "consecutive"),
    PlayerOption("--resign-after", ResignPolicy, "min_moves"),
    PlayerOption("--device", SearchSetup, "device"),
    PlayerOption("--backend", SearchSetup, "backend"),
    PlayerOption("--symmetry", SearchSetup, "symmetry"),
    PlayerOption("--run-dir", AlphaGoSource, "run_dir"),
)
"""Every player option but ``--seed``, in the order ``--help`` lists them."""
SEED = PlayerOption("--seed", SearchSetup, "seed")
"""``--seed``: a game option of the CLI (every player but one takes it), set like the others."""
OPTIONS = {option.name: option for option in (*PLAYER_OPTIONS, SEED)}
"""Every option by its keyword."""

SEARCH_OPTIONS = (
    "visits",
    "seconds",
    "batch",
    "c_puct",
    "noise",
    "temperature",
    "lcb",
    "root",
    "gumbel_considered",
    "gumbel_scale",
    "resign_threshold",
    "resign_moves",
    "resign_after",
    "device",
    "backend",
    "seed",
)
"""The options every search player takes (each adds its own)."""
LEE_OPTIONS = ("lee_lambda", "expand_threshold")
"""The options of a Lee-mode search."""

_PARTS = {SearchSetup: "", ResignPolicy: "resign", LeeParts: "lee"}
"""The setup's dataclasses: where each sits in a SearchSetup ("": the setup itself)."""
Preset = tuple[SearchConfig, SearchSetup]


def apply_options(search: SearchConfig, setup: SearchSetup, given: Mapping[str, Any]) -> Preset:
    """A search player's preset with the ``given`` options set (None values: the preset's).
    ``--seconds`` without ``--visits`` lets time alone end a move.

    Raises:
        TypeError: for a keyword that is no search player's option.
        ValueError: for a bad value, naming its flag.
    """
    given = {key: value for key, value in given.items() if value is not None}
    for key, value in given.items():
        option = OPTIONS.get(key)
        if option is None or (option.owner is not SearchConfig and option.owner not in _PARTS):
            raise TypeError(f"a search player takes no option {key!r}")
        try:
            search, setup = _set(option, search, setup, value)
        except ValueError as err:
            raise ValueError(f"{option.flag} {value}: {err}") from None
    if "seconds" in given and "visits" not in given:
        setup = replace(setup, time_only=True)
    return search, setup


def _set(option: PlayerOption, search: SearchConfig, setup: SearchSetup, value: Any) -> Preset:
    change = {option.field: value}
    if option.owner is SearchConfig:
        return replace(search, **change), setup
    part = _PARTS[option.owner]
    if not part:
        return search, replace(setup, **change)
    return search, replace(setup, **{part: replace(getattr(setup, part), **change)})


def read_option(option: PlayerOption, search: SearchConfig, setup: SearchSetup) -> Any:
    """The value ``option`` has in a preset (an option outside it: its field's default)."""
    if option.owner is SearchConfig:
        return getattr(search, option.field)
    if option.owner in _PARTS:
        part = _PARTS[option.owner]
        return getattr(getattr(setup, part) if part else setup, option.field)
    return getattr(option.owner(), option.field)


def preset_defaults(
    keys: tuple[str, ...], presets: Mapping[str, Preset]
) -> dict[str, dict[str, Any]]:
    """The defaults of options ``keys`` in each labelled preset of one player (its first preset
    in full, the others where they differ from it: ``mcts --checkpoint`` plays Zero mode)."""
    values = {
        label: {key: read_option(OPTIONS[key], *preset) for key in keys}
        for label, preset in presets.items()
    }
    first, *rest = values
    return {first: values[first]} | {
        label: {k: v for k, v in values[label].items() if values[first][k] != v} for label in rest
    }


def defaults_text(defaults: Mapping[str, Any]) -> str:
    """Players' defaults of one option (label -> value) as a help page says them:
    ``default: 400; alphago: 800`` (the most common value first; empty if none has one)."""
    if all(value is None for value in defaults.values()):
        return ""
    counts = Counter(_shown(value) for value in defaults.values())
    common = counts.most_common(1)[0][0]
    others: dict[str, list[str]] = {}
    for label, value in defaults.items():
        if _shown(value) != common:
            others.setdefault(_shown(value), []).append(label)
    return "; ".join([f"default: {common}"] + [f"{', '.join(v)}: {k}" for k, v in others.items()])


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)


@functools.cache
def field_docs(cls: type) -> dict[str, str]:
    """The docstrings of a dataclass's fields (the string under each ``name: type`` line), read
    from its module's source: Python keeps no such docstring at run time."""
    tree = _module_tree(cls.__module__)
    found = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls.__name__]
    body = found[0].body if found else []
    docs = {}
    for node, after in zip(body, body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(after.value.value)
    return docs


@functools.cache
def _module_tree(module: str) -> ast.Module:
    """A module's syntax tree (parsed once: ``inspect.getsource`` would tokenize it per class,
    which a CLI's start-up would feel); an empty one where the source is not installed (the
    help then goes without the fields' docstrings rather than failing)."""
    path = inspect.getsourcefile(sys.modules[module])
    if path is None or not Path(path).is_file():
        return ast.Module(body=[], type_ignores=[])
    return ast.parse(Path(path).read_text(encoding="utf-8"))


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _base_type(kind: Any) -> type:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Literal:
        return type(args[0])
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _base_type(inner)
    return typing.cast(type, kind)
