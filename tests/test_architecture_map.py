"""docs/architecture.md, the packages' docstrings and the import-linter ``layers`` contract tell
one story: layer numbers count the contract's lines from the bottom (L0), each layer's package
(or module) docstring opens with ``Layer N``, the page has a ``## LN `igo.x``` heading for it, and
the page names every module of ``src/igo`` in the section of its package."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "igo"
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def contract_layers() -> dict[str, int]:
    """``{module: layer number}`` from the ``layers`` contract (listed top first; bottom is 0)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    numbers = {}
    for number, line in enumerate(reversed(layers)):
        for name in line.split("|"):
            numbers[name.strip().strip("()")] = number
    return numbers


LAYERS = contract_layers()


def module_file(name: str) -> Path | None:
    """The package ``__init__.py`` or module file of ``name``, or None (a planned layer)."""
    path = SRC.parent / Path(*name.split("."))
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.exists():
            return candidate
    return None


def sections() -> list[tuple[list[str], str]]:
    """(the igo names a heading gives in backticks, the section's text) for every heading."""
    out: list[tuple[list[str], str]] = []
    for block in re.split(r"^(?=#{2,3} )", DOC, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        out.append((re.findall(r"`(igo(?:\.\w+)*)`", heading), body))
    return out


def test_the_contract_names_every_package() -> None:
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in SRC.glob("*.py")} - {"__init__", "__main__"}
    data_only = {"configs", "weights"}  # package data read through importlib.resources
    named = {name.removeprefix("igo.") for name in LAYERS}
    assert packages - data_only | modules <= named


@pytest.mark.parametrize("name", sorted(LAYERS, key=LAYERS.__getitem__))
def test_docstring_and_page_give_the_contracts_layer(name: str) -> None:
    number = LAYERS[name]
    heading = re.compile(rf"^## L{number} (`igo[\w.]*`, )*`{re.escape(name)}`", re.M)
    assert heading.search(DOC), f"docs/architecture.md needs a '## L{number} `{name}`' heading"
    path = module_file(name)
    if path is None:
        assert re.search(rf"^## L{number} `{re.escape(name)}` \*\(planned", DOC, re.M)
        return
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert re.match(rf"Layer {number}\b", docstring), (
        f"{path}: start the docstring 'Layer {number}'"
    )


def test_the_page_names_every_module_in_its_package_section() -> None:
    found = sections()
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in ("__init__.py", "__main__.py") or "__pycache__" in path.parts:
            continue
        dotted = "igo." + ".".join(path.relative_to(SRC).with_suffix("").parts)
        owners = [
            (len(name), body)
            for names, body in found
            for name in names
            if dotted == name or dotted.startswith(name + ".")
        ]
        if not owners or f"`{path.name}`" not in max(owners, key=lambda o: o[0])[1]:
            missing.append(dotted)
    assert not missing, f"docs/architecture.md does not list {missing} in their package's section"
