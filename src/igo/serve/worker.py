"""The one thread that searches: igo's moves and the analyses, between the web requests.

The web server never searches itself (its event loop would stall); it hands work to this thread
through a queue and reads the results from ``Channel`` streams. Two kinds of work:

- **analyses** go to the analysis engine of ``igo analysis`` (``AnalysisEngine``: KataGo's
  queries, its checks and its error answers, one tree per position, shared network batches, the
  interim answers of ``reportDuringSearchEvery``). Each answer goes to its query's channel.
- **igo's moves** are the player's own ``genmove`` search (``start_genmove`` /
  ``finish_genmove``, what ``kata-genmove_analyze`` runs in GTP), so the browser's igo plays as
  ``igo gtp`` does, resigning and passing by the same rules; every slice of it is reported in
  the analysis engine's answer form, so the page reads one format. One move is thought at a time
  (the player has one tree); players that do not search just answer ``genmove``.

An unexpected error in a piece of work ends that work's stream with an error event and the thread
goes on; the page shows the message.
"""

from __future__ import annotations

import itertools
import json
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from igo.agents.analysis import SearchSession, supports_analysis
from igo.agents.kata_analysis.answers import answer, policy
from igo.agents.kata_analysis.engine import AnalysisEngine
from igo.agents.kata_analysis.estimate import Estimator
from igo.agents.kata_analysis.query import EngineSettings, Query, Turn
from igo.agents.player import Player, Resign
from igo.go.coords import Point
from igo.go.state import GameState
from igo.serve.channels import Channel

LOG = logging.getLogger("igo.serve")

SLICE_SECONDS = 0.3
"""Seconds of igo's move search between two interim reports."""
SCORE_PLAYOUTS = 4
"""Random playouts behind the score estimate of each reported line (the page shows win rates)."""

Done = Callable[[Point | Resign | None, str | None], dict[str, Any]]
"""Called (on the worker thread) with igo's move, or None and an error; returns the stream's
last event."""


@dataclass
class Thinking:
    """igo's move being searched in one game."""

    state: GameState
    channel: Channel
    done: Done
    session: SearchSession | None = None
    query: Query | None = None
    estimator: Estimator | None = None
    priors: list[float] | None = field(default=None, repr=False)


class Worker:
    """The search thread. ``start`` it once; ``analyse`` and ``think`` from any thread."""

    def __init__(self, player: Player, settings: EngineSettings) -> None:
        self.player = player
        self.settings = settings
        self.can_analyse = hasattr(player, "multi_search")
        self.engine = AnalysisEngine(player, settings) if self.can_analyse else None  # type: ignore[arg-type]
        self._inbox: queue.Queue[Callable[[], None]] = queue.Queue()
        self._queries: dict[str, tuple[Channel, int]] = {}
        self._waiting: list[Thinking] = []
        self._thinking: Thinking | None = None
        self._ids = itertools.count()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="igo-serve-search", daemon=True)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread after its current slice of work (the server is shutting down)."""
        self._stopping = True
        self._inbox.put(lambda: None)  # wake it if idle
        if self._thread.is_alive():
            self._thread.join(timeout)

    # ----- called from the web server's threads -----
    def analyse(self, query: dict[str, Any], turns: int) -> Channel:
        """Queue an analysis query (KataGo's JSON object, without ``id``) of ``turns`` turns;
        its answers, then an ``end``, come on the channel returned."""
        channel = Channel()
        query_id = f"q{next(self._ids)}"
        line = json.dumps({**query, "id": query_id})
        self._inbox.put(lambda: self._add_query(query_id, line, channel, turns))
        return channel

    def stop_analysis(self, channel: Channel) -> None:
        """Stop the query behind ``channel`` (its turns end with what they have)."""
        self._inbox.put(lambda: self._terminate(channel))

    def think(self, state: GameState, done: Done) -> Channel:
        """Search igo's move in ``state`` (a copy the caller no longer changes); interim
        answers come on the channel, then ``done``'s event."""
        channel = Channel()
        job = Thinking(state, channel, done)
        self._inbox.put(lambda: self._waiting.append(job))
        return channel

    # ----- the thread -----
    def _run(self) -> None:
        while not self._stopping:
            idle = self._thinking is None and not self._waiting and not self._engine_busy()
            tasks = [self._inbox.get()] if idle else []
            while True:
                try:
                    tasks.append(self._inbox.get_nowait())
                except queue.Empty:
                    break
            for task in tasks:
                self._safely(task)
            if self._engine_busy():
                self._safely(self._step_engine, self._engine_failed)
            if self._thinking is None and self._waiting:
                self._thinking = self._waiting.pop(0)
            if self._thinking is not None:
                self._safely(self._step_thinking, self._thinking_failed)

    def _safely(
        self, task: Callable[[], None], failed: Callable[[str], None] | None = None
    ) -> None:
        try:
            task()
        except Exception as err:  # the thread must outlive any one piece of work
            LOG.exception("igo serve: search failed")
            if failed is not None:
                failed(f"{type(err).__name__}: {err}")

    def _engine_busy(self) -> bool:
        return self.engine is not None and self.engine.scheduler.busy

    def _add_query(self, query_id: str, line: str, channel: Channel, turns: int) -> None:
        if self.engine is None:
            name = self.player.name
            message = f"--player {name} does not search, so it cannot analyse: start igo serve"
            channel.close({"error": f"{message} with --player mcts, zero or alphago"})
            return
        self._queries[query_id] = (channel, turns)
        self._route(self.engine.handle(line))

    def _terminate(self, channel: Channel) -> None:
        for query_id, (mine, _) in list(self._queries.items()):
            if mine is channel and self.engine is not None:
                self.engine.handle(
                    json.dumps({"id": "stop", "action": "terminate", "terminateId": query_id})
                )

    def _step_engine(self) -> None:
        assert self.engine is not None
        self._route(self.engine.step())

    def _route(self, answers: list[dict[str, Any]]) -> None:
        """Each answer to its query's channel; a query's stream ends with its last turn or an
        error."""
        for item in answers:
            query_id = item.get("id")
            if not isinstance(query_id, str) or query_id not in self._queries:
                continue
            channel, left = self._queries[query_id]
            if "error" in item:  # KataGo's form: the message, and the field at fault
                field = f"{item['field']}: " if "field" in item else ""
                channel.close({"error": f"{field}{item['error']}"})
                del self._queries[query_id]
                continue
            channel.put(item)
            if "turnNumber" in item and not item.get("isDuringSearch"):
                left -= 1
                if left <= 0:
                    channel.close()
                    del self._queries[query_id]
                    continue
                self._queries[query_id] = (channel, left)

    def _engine_failed(self, message: str) -> None:
        """The scheduler broke mid-step: end every query and start a fresh engine."""
        for channel, _ in self._queries.values():
            channel.close({"error": f"the analysis failed ({message})"})
        self._queries.clear()
        self.engine = AnalysisEngine(self.player, self.settings)  # type: ignore[arg-type]

    def _step_thinking(self) -> None:
        job = self._thinking
        assert job is not None
        player = self.player
        if not supports_analysis(player):
            self._finish(job, player.genmove(job.state, None))
            return
        if job.session is None:
            self.player.reset(job.state.copy())  # games share the player: no stale tree
            job.session = player.start_genmove(job.state, None)
            visits = job.session.visits or 1
            turn = Turn(len(job.state.moves), job.state, None, 0)
            job.query = Query("igo", (turn,), visits, "BLACK", self.settings.pv_length)
            job.estimator = Estimator(job.state, SCORE_PLAYOUTS)
            priors = player.policy_priors(job.state)
            job.priors = policy(priors, job.state.legal_mask())
        if job.session.step(SLICE_SECONDS):
            job.channel.put(self._report(job, during=True))
            return
        job.channel.put(self._report(job, during=False))
        self._finish(job, player.finish_genmove(job.state, job.session))

    def _report(self, job: Thinking, during: bool) -> dict[str, Any]:
        """The session's state as an analysis engine answer (black's view, with the policy)."""
        session, query = job.session, job.query
        assert session is not None and query is not None and job.estimator is not None
        assert session.result is not None
        out = answer(
            query, query.turns[0], session.result, session.search, 0, job.estimator, during
        )
        out["policy"] = job.priors
        return out

    def _finish(self, job: Thinking, move: Point | Resign | None, error: str | None = None) -> None:
        self._thinking = None
        try:
            last = job.done(move, error)
        except Exception as err:  # the stream must end, whatever the game made of the move
            LOG.exception("igo serve: igo's move could not be played")
            last = {"error": f"igo's move could not be played ({type(err).__name__}: {err})"}
        job.channel.close(last)

    def _thinking_failed(self, message: str) -> None:
        if self._thinking is not None:
            self._finish(self._thinking, None, message)
