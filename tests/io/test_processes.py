"""igo's own Python children start with the current folder off ``sys.path`` (``-P``), and a
worker hands its own children the user's environment back."""

from __future__ import annotations

import os
import subprocess
import sys
import time
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


PARENT = """
import sys, time
from concurrent.futures import ProcessPoolExecutor
from igo.io.processes import spawn_context

def worker_pid():
    import os
    return os.getpid()

def nap():
    import time
    time.sleep(600)

if __name__ == "__main__":
    pool = ProcessPoolExecutor(1, mp_context=spawn_context())
    print(pool.submit(worker_pid).result(timeout=300), flush=True)
    pool.submit(nap)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[-1].startswith("Z"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_pool_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    assert _alive(worker)
    parent.kill()  # SIGKILL: no clean-up of its own can run
    parent.wait(timeout=60)
    for _ in range(600):  # the kernel signals at once; polling only waits for the exit
        if not _alive(worker):
            break
        time.sleep(0.1)
    else:
        os.kill(worker, 9)
        pytest.fail("the pool worker outlived its killed parent")
