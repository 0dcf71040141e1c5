"""What an analysis query asks for: frozen dataclasses, built by ``protocol.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from igo.go.state import GameState

Perspective = Literal["BLACK", "WHITE", "SIDETOMOVE"]
PERSPECTIVES: tuple[Perspective, ...] = ("BLACK", "WHITE", "SIDETOMOVE")


@dataclass(frozen=True)
class EngineSettings:
    """What the engine does where a query says nothing, and its limits."""

    max_visits: int = 400
    """Root visits of a query without ``maxVisits`` (KataGo's config ``maxVisits``)."""
    max_visits_cap: int = 200_000
    """The most root visits a query may ask for (a tree's memory); above it, capped with a
    warning."""
    perspective: Perspective = "SIDETOMOVE"
    """Whose view winrates, scores and ownership take (KataGo's ``reportAnalysisWinratesAs``;
    its built-in default is SIDETOMOVE, its example config and KaTrain's say BLACK)."""
    parallel: int = 16
    """Positions searched at once (KataGo's ``numAnalysisThreads``): one tree each, their leaves
    in one network batch."""
    slice_visits: int = 32
    """Visits each tree gets per step before the engine reads input and reports again."""
    score_playouts: int = 32
    """Random playouts behind each move's score and ownership estimate (twice that at the
    root)."""
    pv_length: int = 15
    """Moves of a pv after the first (KataGo's ``analysisPVLen``)."""


@dataclass(frozen=True)
class Turn:
    """One position of a query to analyse."""

    number: int
    """The turn number: 0 before the first move, k after ``moves[k - 1]``."""
    state: GameState
    """The position (not changed by the search)."""
    allowed: np.ndarray | None
    """bool [A]: the only root moves searched (avoidMoves / allowMoves); None: all."""
    priority: int
    """Higher first; ties by arrival."""


@dataclass(frozen=True)
class Query:
    """An analysis query: its turns and what to report on each."""

    id: str
    """The query's id, echoed on each answer."""
    turns: tuple[Turn, ...]
    """The positions to analyse, in turn order."""
    max_visits: int
    """Root visits of each turn's search."""
    perspective: Perspective
    """Whose view the numbers take."""
    pv_length: int
    """Moves of a pv after the first."""
    include_ownership: bool = False
    """Report the root's ownership."""
    include_moves_ownership: bool = False
    """Report each move's ownership."""
    include_policy: bool = False
    """Report the network's raw policy."""
    include_pv_visits: bool = False
    """Report the visits of each node of each pv."""
    report_every: float | None = None
    """Seconds between interim answers (None: none)."""
    first_report_after: float | None = None
    """Seconds before the first interim answer (None: ``report_every``)."""
    max_time: float | None = None
    """Seconds each turn may search (``overrideSettings.maxTime``; None: no limit): the turn is
    answered with what it has when they run out, even short of ``max_visits``."""


@dataclass(frozen=True)
class Action:
    """A special action query (``query_version``, ``terminate``...)."""

    id: str
    """The query's id."""
    action: str
    """Its name."""
    echo: dict[str, Any]
    """The query as sent: the acknowledgement echoes it."""
    terminate_id: str | None = None
    """``terminate``: the id whose turns to stop."""
    turn_numbers: tuple[int, ...] | None = None
    """``terminate`` / ``terminate_all``: only these turns (None: all)."""


@dataclass(frozen=True)
class Parsed:
    """One input line read: what to answer at once, and what to do."""

    messages: tuple[dict[str, Any], ...] = ()
    """Errors and warnings, in KataGo's form, to write at once."""
    item: Query | Action | None = None
    """The query or action to carry out (None: nothing, after an error)."""
