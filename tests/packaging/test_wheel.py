"""The wheel built from the checkout: presets, shipped weights, LICENSE and py.typed inside, and
dependencies a player can install (a torch range, no training packages, no unused ones).

The build (pip, no build isolation: the environment's setuptools) runs on a copy of the sources,
so the checkout gets no ``build/`` or ``*.egg-info`` folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRESETS = ["alphago-9x9", "alphago-tiny", "zero-19x19", "zero-9x9", "zero-tiny"]
CORE = {"numpy", "numba", "sgfmill", "torch", "tqdm", "safetensors"}
TRAIN = {"matplotlib", "tensorboard"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    """The wheel of a copy of the checkout's sources."""
    src = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.nbi", "*.nbc")
    shutil.copytree(ROOT / "src", src / "src", ignore=ignore)
    out = src / "dist"
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*command, "--disable-pip-version-check", str(src), "-w", str(out)],
        capture_output=True, text=True, timeout=600, cwd=src,  # hang guard, not a speed check
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("igo-*.whl")
    with zipfile.ZipFile(path) as built:
        yield built


def metadata(wheel: zipfile.ZipFile) -> Message:
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode("utf-8"))


def requirement_name(line: str) -> str:
    """``torch>=2.4; extra == "x"`` -> ``torch``."""
    head = line.split(";")[0].strip()
    for stop in "<>=!~[ (":
        head = head.split(stop)[0]
    return head.lower()


def test_the_wheel_ships_presets_weights_license_and_types(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for preset in PRESETS:
        assert f"igo/configs/{preset}.toml" in names
    shipped = sorted(p.name for p in (ROOT / "src/igo/weights").iterdir() if p.is_file())
    assert any(name.endswith(".safetensors") for name in shipped)
    for file in shipped:
        assert f"igo/weights/{file}" in names
    assert "igo/py.typed" in names
    for page in ("index.html", "app.js", "board.js", "style.css"):  # igo serve's page
        assert f"igo/serve/static/{page}" in names
    licenses = [n for n in names if n.endswith("/LICENSE") and ".dist-info/" in n]
    assert licenses, "no LICENSE in the wheel's .dist-info"
    text = wheel.read(licenses[0]).decode("utf-8")
    assert "MIT License" in text and "Copyright (c) 2026 the igo authors" in text
    assert not [n for n in names if "__pycache__" in n or n.endswith((".nbi", ".nbc"))]


def test_the_wheel_declares_mit_and_light_core_dependencies(wheel: zipfile.ZipFile) -> None:
    meta = metadata(wheel)
    assert meta["License-Expression"] == "MIT"
    requires = meta.get_all("Requires-Dist") or []
    core = [r for r in requires if "extra ==" not in r]
    assert {requirement_name(r) for r in core} == CORE
    torch = [r.replace(" ", "") for r in requires if requirement_name(r) == "torch"]
    assert torch and not [r for r in torch if "==" in r], torch  # a range, not one build
    assert not [r for r in requires if requirement_name(r) == "tyro"]
    train = {requirement_name(r) for r in requires if 'extra == "train"' in r}
    assert train == TRAIN
    assert {"train", "dev", "bench", "serve"} <= set(meta.get_all("Provides-Extra") or [])
