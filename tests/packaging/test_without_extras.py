"""Playing needs only the core dependencies: with matplotlib, tensorboard and tyro made
unimportable (a ``sitecustomize`` on PYTHONPATH, so engines started as subprocesses see it too),
``igo gtp`` and ``igo match`` still play, and the commands that need the ``train`` extra say so in
one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from igo.extras import MissingExtraError, figure_class
from igo.train.training_logs import summary_writer

BLOCKED = ("matplotlib", "tensorboard", "tyro")

SITECUSTOMIZE = f"""
import sys

class _Blocked:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ImportError("blocked by the test: " + name)
        return None

sys.meta_path.insert(0, _Blocked())
"""


def run_igo(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m igo ARGS`` in ``tmp_path`` with the optional packages blocked (the timeout is
    a hang guard)."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    paths = [str(site), *sys.path]  # this igo (the checkout's, or the installed one)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    return subprocess.run(
        [sys.executable, "-m", "igo", *args],
        input=stdin, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env,
    )  # fmt: skip


def test_the_block_works(tmp_path: Path) -> None:
    done = run_igo(tmp_path, "report", "--db", str(tmp_path / "none.sqlite"))
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("igo report: error: igo report needs matplotlib")
    assert "'train' extra" in line and "Traceback" not in done.stderr


def test_gtp_plays_the_shipped_player_without_the_extras(tmp_path: Path) -> None:
    commands = "boardsize 9\nclear_board\nkomi 7\ngenmove b\nquit\n"
    done = run_igo(tmp_path, "gtp", "--player", "alphago", "--visits", "8", stdin=commands)
    assert done.returncode == 0, done.stderr
    replies = [r for r in done.stdout.split("\n\n") if r.strip()]
    assert len(replies) == 5 and all(r.startswith("=") for r in replies), done.stdout
    assert "Traceback" not in done.stderr


def test_match_plays_without_the_extras(tmp_path: Path) -> None:
    done = run_igo(
        tmp_path, "match", "igo:player=random,name=one", "igo:player=random,name=two",
        "--size", "5", "--games", "1", "--jobs", "1", "--quiet",
        "--db", str(tmp_path / "arena.sqlite"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "arena.sqlite").is_file()


def test_missing_extra_messages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("matplotlib", "matplotlib.figure", "torch.utils.tensorboard"):
        monkeypatch.setitem(sys.modules, name, None)  # None in sys.modules: ImportError
    with pytest.raises(MissingExtraError, match=r"^igo report needs matplotlib, from igo's"):
        figure_class("igo report")
    assert summary_writer(tmp_path / "logs", None) is None
