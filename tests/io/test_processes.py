"""igo's own Python children start with the current folder off ``sys.path`` (``-P``), and a
worker hands its own children the user's environment back."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from igo.io.processes import python_argv, spawn_context


def _child_view() -> tuple[int, str | None, str]:
    """What a worker sees: its safe-path flag, PYTHONSAFEPATH, and the socket module's file."""
    import socket

    return sys.flags.safe_path, os.environ.get("PYTHONSAFEPATH"), str(socket.__file__)


@pytest.fixture
def shadowing_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder holds modules named like the standard ones, which raise on import."""
    for name in ("socket", "random", "timeit"):
        (tmp_path / f"{name}.py").write_text(f"raise RuntimeError('the wrong {name}')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHONSAFEPATH", raising=False)
    return tmp_path


def test_spawned_workers_skip_the_current_folder(shadowing_folder: Path) -> None:
    with ProcessPoolExecutor(1, mp_context=spawn_context()) as pool:
        safe_path, variable, socket_file = pool.submit(_child_view).result(timeout=300)
    assert safe_path and variable is None  # safe, and the user's environment is back
    assert not socket_file.startswith(str(shadowing_folder))
    assert "PYTHONSAFEPATH" not in os.environ  # set only while the worker started


def test_python_argv_starts_python_with_the_current_folder_off_the_path(
    shadowing_folder: Path,
) -> None:
    code = "import random, sys, timeit; print(sys.flags.safe_path)"
    done = subprocess.run(python_argv("-c", code), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert plain.returncode != 0 and "the wrong random" in plain.stderr  # what -P prevents
