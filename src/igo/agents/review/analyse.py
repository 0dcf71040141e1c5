"""A record's positions searched together through the analysis engine's scheduler.

Every position of the game (before the first move, after each move) is one turn of one analysis
query; the scheduler searches up to ``parallel`` of them at once, each in its own tree of one
``MultiSearch``, so their leaves share the network's batches (the analysis engine's point). The
answers come in KataGo's form with black's perspective and are read back into
``PositionAnalysis`` values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from igo.agents.kata_analysis.query import EngineSettings, Query, Turn
from igo.agents.kata_analysis.scheduler import BatchAnalysisPlayer, Scheduler
from igo.agents.search_presets import DEFAULT_VISITS
from igo.go.coords import Color, Point, from_gtp
from igo.go.state import GameState
from igo.io.sgf import GameRecord, replay

REPORT_EVERY = 1.0
"""Seconds between the interim answers a progress bar is fed from."""


@dataclass(frozen=True)
class ReviewSettings:
    """How hard a review searches."""

    visits: int | None = None
    """Root visits of each position's search (None: the player's own ``--visits``)."""
    parallel: int | None = None
    """Positions searched at once (one tree each, their leaves in one network batch); None:
    every position of the game."""
    pv_length: int = 10
    """Moves of a best line after its first."""


@dataclass(frozen=True)
class Candidate:
    """One root move the search tried."""

    move: Point
    """The move (flat point, pass = size * size)."""
    visits: int
    """Visits the search gave it."""
    winrate: float
    """Black's win rate after it, in [0, 1]."""
    pv: tuple[Point, ...]
    """Its principal variation, the move first."""


@dataclass(frozen=True)
class PositionAnalysis:
    """The search's verdict on one position of the game."""

    turn: int
    """0 before the first move, k after move k."""
    size: int
    """The board size (pass = size * size)."""
    to_play: Color
    """Who moves next."""
    winrate: float
    """Black's win rate in the position (the root's mean value)."""
    visits: int
    """The root's visits."""
    candidates: tuple[Candidate, ...]
    """The root moves searched, best first (the move the search would play)."""

    def candidate(self, move: Point) -> Candidate | None:
        """``move``'s statistics, if the search tried it."""
        return next((c for c in self.candidates if c.move == move), None)


def positions(record: GameRecord) -> list[GameState]:
    """The position before each move and after the last, by ``replay`` of each prefix (so the
    rules engine judges every move as it does on reading; a finished game is resumed, so its
    last position can still be searched).

    Raises:
        SgfError: a move is illegal (the message gives its number).
    """
    out = []
    for count in range(len(record.moves) + 1):
        changes = tuple((n, r) for n, r in record.rule_changes if n <= count)
        prefix = replace(record, moves=record.moves[:count], comments=(), rule_changes=changes)
        state = replay(prefix)
        if state.is_over():
            state.resume()
        out.append(state)
    return out


def analyse_positions(
    states: list[GameState],
    player: BatchAnalysisPlayer,
    settings: ReviewSettings,
    on_visits: Callable[[int], None] | None = None,
) -> list[PositionAnalysis]:
    """Search every state (all of one size) through one scheduler. ``on_visits`` hears of the
    visits done since its last call (from the interim answers every ``REPORT_EVERY`` seconds,
    each position counted up to ``visits``), for a progress bar."""
    if not states:
        return []
    visits = settings.visits or DEFAULT_VISITS
    engine = EngineSettings(
        max_visits=visits,
        max_visits_cap=visits,
        perspective="BLACK",
        parallel=max(1, min(settings.parallel or len(states), len(states))),
        score_playouts=1,  # the review reads win rates only; the score estimate costs playouts
        pv_length=settings.pv_length,
    )
    turns = tuple(Turn(number, state, None, 0) for number, state in enumerate(states))
    every = REPORT_EVERY if on_visits is not None else None
    query = Query("review", turns, visits, "BLACK", settings.pv_length, report_every=every)
    scheduler = Scheduler(player, engine)
    scheduler.add(query)
    found: dict[int, PositionAnalysis] = {}
    done = [0] * len(states)
    while scheduler.busy:
        for answer in scheduler.step():
            if "turnNumber" not in answer:
                continue
            turn = int(answer["turnNumber"])
            now = visits
            if answer.get("isDuringSearch"):
                now = min(visits, int(answer["rootInfo"]["visits"]))
            else:
                found[turn] = _read_answer(answer, states[turn])
            if on_visits is not None and now > done[turn]:
                on_visits(now - done[turn])
            done[turn] = max(done[turn], now)
    return [found[number] for number in range(len(states))]


def _read_answer(answer: dict[str, Any], state: GameState) -> PositionAnalysis:
    """KataGo's answer object (black's view) -> a ``PositionAnalysis``."""
    size = state.size
    if "moveInfos" not in answer:  # never searched (``noResults``): no verdict on it
        return PositionAnalysis(int(answer["turnNumber"]), size, state.to_play, 0.5, 0, ())
    candidates = tuple(
        Candidate(
            from_gtp(info["move"], size),
            int(info["visits"]),
            float(info["winrate"]),
            tuple(from_gtp(move, size) for move in info["pv"]),
        )
        for info in sorted(answer["moveInfos"], key=lambda info: info["order"])
    )
    root = answer["rootInfo"]
    return PositionAnalysis(
        int(answer["turnNumber"]),
        size,
        state.to_play,
        float(root["winrate"]),
        int(root["visits"]),
        candidates,
    )
