"""``python -m igo analysis`` over real pipes: KataGo's example query, bad lines, a terminate
mid-search, and the end of input."""

from __future__ import annotations

import json
import queue
import shlex
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

REPLY_TIMEOUT = 600.0
"""A hang guard, not a speed claim: a fresh process may compile kernels for minutes."""


class Engine:
    """One ``igo analysis`` process and its answers, read on a thread."""

    def __init__(self, cwd: Path, *args: str) -> None:
        command = [sys.executable, "-m", "igo", "analysis", "--player", "mcts", *args]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, Any]:
        return json.loads(self.lines.get(timeout=REPLY_TIMEOUT))


def query(query_id: str, **fields: Any) -> str:
    base = {"id": query_id, "moves": [["B", "E5"]], "rules": "chinese", "komi": 7}
    return json.dumps({**base, "boardXSize": 9, "boardYSize": 9, **fields})


def test_a_session_over_pipes(tmp_path: Path) -> None:
    engine = Engine(tmp_path, "--size", "9", "--seed", "1", "--parallel", "4")
    engine.send("{broken")
    assert "could not parse input line as json request" in engine.answer()["error"]
    engine.send(query("bad", moves=[["B", "E5"], ["W", "E5"]]))
    assert engine.answer() == {"error": "Illegal move 1: E5", "field": "moves", "id": "bad"}
    engine.send(query("long", maxVisits=10**7, reportDuringSearchEvery=0.05))
    assert engine.answer()["field"] == "maxVisits"  # capped to --max-visits-cap, warned
    interim = engine.answer()
    assert interim["id"] == "long" and interim["isDuringSearch"] is True
    engine.send('{"id":"stop","action":"terminate","terminateId":"long"}')
    seen = [engine.answer() for _ in range(2)]
    while not any(a.get("id") == "long" and a["isDuringSearch"] is False for a in seen):
        seen.append(engine.answer())
    assert {"id": "stop", "action": "terminate", "terminateId": "long"} in seen
    engine.send(query("last", analyzeTurns=[0, 1], maxVisits=30, includeOwnership=True))
    assert engine.process.stdin is not None
    engine.process.stdin.close()  # the queued turns are still answered, then it exits
    finals = [engine.answer() for _ in range(2)]
    assert sorted(a["turnNumber"] for a in finals) == [0, 1]
    assert all(len(a["ownership"]) == 81 and a["rootInfo"]["visits"] == 30 for a in finals)
    assert engine.process.wait(timeout=REPLY_TIMEOUT) == 0


def test_a_player_that_does_not_search_is_refused(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "igo", "analysis", "--player", "random"]
    done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, input="")
    assert done.returncode == 2
    assert "does not search" in done.stderr and "Traceback" not in done.stderr


def test_it_ends_with_the_shell_that_started_it(tmp_path: Path) -> None:
    """KaTrain runs a custom command through ``/bin/sh`` and stops it by terminating that shell,
    then waits for the pipes to close. A shell that does not ``exec`` leaves igo orphaned,
    searching and blocked on answers nobody reads: it must end all the same."""
    engine = f"{shlex.quote(sys.executable)} -m igo analysis --player mcts --size 9"
    shell = subprocess.Popen(
        ["sh", "-c", f"{engine}; exit"],  # "; exit": the shell must wait, never exec
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        text=True,
    )
    assert shell.stdin is not None and shell.stdout is not None and shell.stderr is not None
    while "Started" not in shell.stderr.readline():
        pass
    shell.stdin.write(query("long", maxVisits=10**5, reportDuringSearchEvery=0.001) + "\n")
    shell.stdin.flush()
    assert "long" in shell.stdout.readline()  # searching (and answering into a pipe)
    shell.terminate()
    shell.wait(timeout=REPLY_TIMEOUT)
    closed = threading.Event()

    def drain() -> None:  # read until every writer of the pipe, igo too, has gone
        assert shell.stdout is not None
        shell.stdout.read()
        closed.set()

    threading.Thread(target=drain, daemon=True).start()
    assert closed.wait(REPLY_TIMEOUT), "igo outlived its shell"
