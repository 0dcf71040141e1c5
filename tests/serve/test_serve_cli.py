"""``igo serve`` from the command line: it starts and answers, its bad flags are one line, a
missing ``serve`` extra is one line naming it, and nothing of it imports torch before a player
loads its networks."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from serve_helpers import free_port

from igo.cli.main import main


def test_igo_serve_starts_and_answers_on_localhost() -> None:
    port = free_port()
    argv = [sys.executable, "-m", "igo", "serve", "--player", "random", "--port", str(port)]
    server = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    try:
        info = None
        for _ in range(600):  # up to a minute on a slow machine
            if server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/info", timeout=5) as r:
                    info = json.loads(r.read())
                    break
            except OSError:
                time.sleep(0.1)
        assert info is not None, f"igo serve did not answer: {server.poll()}"
        assert info["player"] == "random" and info["canAnalyse"] is False
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
            assert b'<svg id="board"' in page.read()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=60)
    assert f"http://127.0.0.1:{port}/" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--port", "0"], "--port must be from 1 to 65535"),
        (["--port", "70000"], "--port must be from 1 to 65535"),
        (["--graph-visits", "0"], "--graph-visits must be at least 1"),
        (["--watch", "no/such/folder"], "--watch no/such/folder: not a folder"),
        (["--size", "9", "--player", "zero", "--size", "13"], "plays 9x9 only"),
    ],
)
def test_bad_flags_are_one_line(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", *flags])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_missing_extra_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # None in sys.modules: ImportError
    assert main(["serve", "--player", "random"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("igo serve: error: igo serve needs uvicorn")
    assert "pip install -e '.[serve]'" in line


def test_the_server_imports_no_torch(tmp_path: Path) -> None:
    code = (
        "import sys, igo.cli.main, igo.serve.app, igo.serve.server;"
        "igo.cli.main.build_parser();"
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=300).returncode == 0
