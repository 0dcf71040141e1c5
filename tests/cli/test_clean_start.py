"""``igo match`` from a folder holding a user's own ``timeit.py``, ``random.py`` and
``socket.py``: the engines (``python -m igo gtp``) and the game workers (multiprocessing's spawn)
must not import them (they once did: ``FileNotFoundError: 'gtp'``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import igo

HANG_GUARD = 600  # seconds: a hang guard, not a speed test

LAUNCHER = """\
import sys
from igo.cli.main import main
if __name__ == "__main__":
    sys.exit(main())
"""
"""What the ``igo`` console script runs: its own folder, not the current one, is on the path."""


def test_match_from_a_folder_that_shadows_standard_modules(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for name in ("timeit", "random", "socket"):
        (work / f"{name}.py").write_text(f"raise RuntimeError('the user\\'s own {name}.py')\n")
    launcher = tmp_path / "bin" / "igo_script.py"
    launcher.parent.mkdir()
    launcher.write_text(LAUNCHER)
    source = str(Path(igo.__file__).parents[1])
    # (no empty entry: an empty PYTHONPATH entry is the current folder)
    paths = [source, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    env.pop("PYTHONSAFEPATH", None)
    db = tmp_path / "arena.sqlite"
    engines = ["igo:player=random,name=a", "igo:player=random,name=b"]
    flags = ["--size", "5", "--games", "2", "--jobs", "2", "--db", str(db), "--quiet"]
    done = subprocess.run(
        [sys.executable, str(launcher), "match", *engines, *flags],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "own" not in done.stderr
    assert len(list((tmp_path / "games").rglob("game-*.sgf"))) == 2  # two games, by two workers
