"""One match game between two GTP engines, refereed by igo (``igo.agents.referee``), and counted.

The referee plays the game and turns every engine fault into a loss for its side (the outcome
says why; the caller's match goes on). Two passes or the move cap are counted by GNU Go's
``final_score`` when GNU Go plays; otherwise under the match's rules with the dead stones both
engines agree on (``final_status_list dead``), or igo's Monte Carlo estimate when they do not
agree. ``GameOutcome`` is the game as the arena records it (SGF-ready, with each move's time).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from igo.agents.referee import GameLimits, MoveCallback, ending, referee_game
from igo.go.coords import Color, from_gtp, pass_point
from igo.go.result import GameResult
from igo.go.rules import Rules
from igo.go.scoring import final_score, final_status
from igo.go.state import GameState
from igo.io.gtp_client import GtpClient, GtpCommandError, GtpEngineError
from igo.io.sgf import GameRecord, record_from_state


@dataclass(frozen=True)
class SearchStats:
    """What one engine's moves cost in a game, as its ``igo-search_stats`` answered."""

    moves: int
    """Moves it chose (genmove)."""
    seconds: float
    """Seconds it spent choosing them, by its own clock."""
    visits: int | None = None
    """Simulations its searches ran in all (None: it does not say)."""

    @staticmethod
    def parse(reply: str) -> SearchStats:
        """``moves M seconds S [visits V]``.

        Raises:
            ValueError: any other reply.
        """
        words = reply.split()
        fields = dict(zip(words[::2], words[1::2], strict=False))
        visits = fields.get("visits")
        return SearchStats(
            int(fields["moves"]), float(fields["seconds"]), None if visits is None else int(visits)
        )


@dataclass(frozen=True)
class GameOutcome:
    """A finished game between two engines."""

    record: GameRecord
    """The game as an SGF-ready record (players, rules, result, per-move times in comments)."""
    result: GameResult
    """Who won, and how."""
    detail: str
    """Human-readable ending: ``two passes``, ``white resigned``, ``illegal move D4 by ...``."""
    faulty: Color | None = None
    """The side whose engine misbehaved, if any."""
    fault: str | None = None
    """What it did, one of ``igo.agents.referee.FAULTS`` (``illegal``, ``exit`` for a crash,
    ``timeout``...)."""
    seconds: float = 0.0
    """Wall-clock length of the game."""
    search: dict[Color, SearchStats] = field(default_factory=dict)
    """Each side's search costs, from engines that answer ``igo-search_stats``."""

    @property
    def num_moves(self) -> int:
        """Moves played, passes included."""
        return len(self.record.moves)


def play_game(
    black: GtpClient,
    white: GtpClient,
    size: int,
    rules: Rules,
    limits: GameLimits | None = None,
    metadata: dict[str, str] | None = None,
    on_move: MoveCallback | None = None,
) -> GameOutcome:
    """Play one game, ``black`` against ``white``, to its end; engine faults lose, never raise.

    Args:
        black: The engine playing black (already started).
        white: The engine playing white.
        size: Board size.
        rules: The match's rules (komi included); igo referees by them.
        limits: Move cap, move deadline and time control (default ``GameLimits()``).
        metadata: Extra SGF properties (EV, RO...).
        on_move: Called after each move with (state, colour, point, seconds taken).
    """
    limits = limits or GameLimits()
    engines = {Color.BLACK: black, Color.WHITE: white}
    cap = limits.move_cap if limits.move_cap is not None else 3 * size * size
    game = referee_game(engines, GameState.new(size, rules, cap), limits, _count, on_move)
    outcome = _outcome(
        game.state,
        game.comments,
        game.result,
        game.detail,
        game.faulty,
        game.fault,
        game.seconds,
        {"PB": black.name, "PW": white.name, **(metadata or {})},
    )
    return replace(outcome, search=_search_stats(engines, game.faulty))


def _search_stats(
    engines: dict[Color, GtpClient], faulty: Color | None
) -> dict[Color, SearchStats]:
    """Each side's ``igo-search_stats`` where its engine answers it (not a faulty one's: it may
    be dead or still thinking)."""
    stats = {}
    for color, engine in engines.items():
        if color == faulty or not engine.running:
            continue
        try:
            stats[color] = SearchStats.parse(engine.send("igo-search_stats"))
        except (GtpEngineError, GtpCommandError, KeyError, ValueError):
            continue
    return stats


def forfeit_outcome(
    size: int,
    rules: Rules,
    names: dict[Color, str],
    color: Color,
    fault: str,
    detail: str,
    metadata: dict[str, str] | None = None,
) -> GameOutcome:
    """The outcome of a game that ``color`` lost before it started (its engine would not run)."""
    state = GameState.new(size, rules)
    result = GameResult(color.opponent, "forfeit")
    meta = {"PB": names[Color.BLACK], "PW": names[Color.WHITE], **(metadata or {})}
    return _outcome(state, (), result, detail, color, fault, 0.0, meta)


def _outcome(
    state: GameState,
    comments: tuple[str | None, ...],
    result: GameResult,
    detail: str,
    faulty: Color | None,
    fault: str | None,
    seconds: float,
    metadata: dict[str, str],
) -> GameOutcome:
    record = record_from_state(state, result, {**metadata, "GC": detail})
    record = replace(record, comments=comments[: len(record.moves)])
    return GameOutcome(record, result, detail, faulty, fault, seconds)


def _is_gnugo(engine: GtpClient) -> bool:
    return Path(engine.argv[0]).name.startswith("gnugo")


def _count(state: GameState, engines: dict[Color, GtpClient]) -> tuple[GameResult, str]:
    """GNU Go's count when it plays and can count; else igo's, with the agreed dead stones."""
    detail = ending(state)
    ours = final_score(state, _dead_stones(engines, state))
    gnugo = next((e for e in engines.values() if _is_gnugo(e)), None)
    if gnugo is None:
        return ours, detail
    try:
        theirs = GameResult.from_sgf(gnugo.send("final_score"))
    except (GtpEngineError, GtpCommandError):
        return ours, detail + ", GNU Go could not score"
    if theirs.reason not in ("score", "draw"):
        return ours, detail + ", GNU Go could not score"
    if theirs.winner != ours.winner:
        detail += f", GNU Go's count (igo's: {ours})"
    return theirs, detail


def _dead_stones(engines: dict[Color, GtpClient], state: GameState) -> np.ndarray:
    """GNU Go's dead stones when it plays, else both engines' if they agree, else igo's."""
    lists: list[tuple[bool, frozenset[int]]] = []
    for engine in engines.values():
        try:
            reply = engine.send("final_status_list dead")
            points = frozenset(from_gtp(v, state.size) for v in reply.split())
        except (GtpEngineError, GtpCommandError, ValueError):
            continue
        lists.append((_is_gnugo(engine), points))
    chosen = next((dead for is_gnugo, dead in lists if is_gnugo), None)
    if chosen is None and len(lists) == 2 and lists[0][1] == lists[1][1]:
        chosen = lists[0][1]
    if chosen is None:
        return final_status(state)
    dead = np.zeros(state.num_points, dtype=bool)
    dead[[p for p in chosen if p < pass_point(state.size)]] = True
    return dead
