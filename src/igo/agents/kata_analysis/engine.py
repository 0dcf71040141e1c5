"""The analysis engine's loop: a reader thread feeds input lines to a queue, the main thread
answers them and steps the searches between them, so reading never holds a search up.

Standard input closed: every queued query is still analysed, then the engine exits (KataGo's
behaviour without ``-quit-without-waiting``). Each answer is one JSON line, flushed at once.

Given the ``parent`` process id (the CLI gives it), the process also ends when that process
does. KaTrain runs a custom command through ``/bin/sh`` and stops it by terminating that shell;
where the shell does not ``exec`` (Debian's dash), igo would live on, blocked writing answers
nobody reads, holding KaTrain's pipes, and KaTrain's shutdown would wait for them forever. A
watchdog thread checks, since the main thread may be the one blocked.
"""

from __future__ import annotations

import json
import os
import queue
import threading
import time
from collections.abc import Iterable
from typing import Any, TextIO

from igo import __version__
from igo.agents.kata_analysis.protocol import parse_line
from igo.agents.kata_analysis.query import Action, EngineSettings
from igo.agents.kata_analysis.scheduler import BatchAnalysisPlayer, Scheduler


class AnalysisEngine:
    """Input lines in, answer objects out; no I/O of its own (``serve`` does that)."""

    def __init__(self, player: BatchAnalysisPlayer, settings: EngineSettings) -> None:
        self.player = player
        self.settings = settings
        self.scheduler = Scheduler(player, settings)

    def _size_check(self, size: int) -> str | None:
        if self.player.plays_size(size):
            return None
        name = self.player.name
        return f"igo's player {name} cannot analyse {size}x{size}: its network plays another size"

    def handle(self, line: str) -> list[dict[str, Any]]:
        """Answer one input line (a query is queued, its answers come from ``step``)."""
        if not line.strip():
            return []
        try:
            parsed = parse_line(line, self.settings, self._size_check)
        except Exception as err:  # never crash on a query: one error line, the engine goes on
            return [{"error": f"could not handle the query ({type(err).__name__}: {err})"}]
        out = list(parsed.messages)
        if isinstance(parsed.item, Action):
            out += self._action(parsed.item)
        elif parsed.item is not None:
            self.scheduler.add(parsed.item)
        return out

    def _action(self, action: Action) -> list[dict[str, Any]]:
        echo = dict(action.echo)
        out: list[dict[str, Any]] = []
        if action.action == "query_version":
            echo["version"] = __version__
            echo["git_hash"] = "<omitted>"
        elif action.action == "query_models":
            echo["models"] = [{"name": self.player.name, "internalName": self.player.name}]
        elif action.action.startswith("terminate"):
            out = self.scheduler.terminate(action.terminate_id, action.turn_numbers)
        # clear_cache: igo keeps no evaluation cache between queries; the echo is the answer.
        return [echo, *out]

    def step(self) -> list[dict[str, Any]]:
        """One slice of every active search and the answers due."""
        return self.scheduler.step()


PARENT_POLL = 0.5
"""Seconds between checks that the parent process still lives."""


def serve(
    engine: AnalysisEngine, lines: Iterable[str], out: TextIO, parent: int | None = None
) -> int:
    """Run ``engine`` on input ``lines`` (read on a thread), writing answers to ``out``, until
    the input ends and every query is answered (or the process ``parent``, if given, is no
    longer this one's parent: this process exits then)."""
    if parent is not None:
        threading.Thread(
            target=_watch_parent, args=(parent,), name="analysis-parent", daemon=True
        ).start()
    inbox: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        try:
            for line in lines:
                inbox.put(line)
        finally:
            inbox.put(None)

    threading.Thread(target=read, name="analysis-input", daemon=True).start()
    closed = False
    while not (closed and not engine.scheduler.busy):
        waiting: list[str | None] = []
        if not engine.scheduler.busy and not closed:
            waiting.append(inbox.get())
        while True:
            try:
                waiting.append(inbox.get_nowait())
            except queue.Empty:
                break
        for line in waiting:
            if line is None:
                closed = True
            else:
                _write(out, engine.handle(line))
        if engine.scheduler.busy:
            _write(out, engine.step())
    return 0


def _watch_parent(parent: int) -> None:
    """Exit the process once it is orphaned: nobody reads its answers any more."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL)
    os._exit(0)  # the main thread may be blocked writing to a pipe nobody reads


def _write(out: TextIO, answers: list[dict[str, Any]]) -> None:
    for item in answers:
        out.write(json.dumps(item, separators=(",", ":")) + "\n")
    if answers:
        out.flush()
