"""One game between two GTP engines, refereed by igo's rules engine.

igo keeps the authoritative board: every move an engine generates is checked against the match's
rules before the opponent hears of it. An illegal move, a crash, a hang past the move deadline, a
malformed reply or an overrun clock loses the game for that engine, and the outcome says why; the
caller's match goes on. A game ends by two passes, resignation or the move cap. Two passes are
counted by GNU Go's ``final_score`` when GNU Go plays; otherwise under the match's rules with the
dead stones both engines agree on (``final_status_list dead``), or igo's Monte Carlo estimate
when they do not agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from igo.agents.player import Clock, TimeSettings
from igo.go.coords import Color, Point, from_gtp, pass_point, to_gtp
from igo.go.result import GameResult
from igo.go.rules import Rules
from igo.go.scoring import final_score, final_status
from igo.go.state import GameState
from igo.io.gtp_client import GtpClient, GtpCommandError, GtpEngineError
from igo.io.sgf import GameRecord, record_from_state

MoveCallback = Callable[[GameState, Color, Point, float], None]

# Fault kinds recorded with a forfeit: the GtpClient error kinds plus the referee's own.
FAULTS = (
    "illegal",
    "malformed",
    "exit",
    "timeout",
    "time",
    "protocol",
    "input",
    "start",
    "refused",
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
    """What it did, one of ``FAULTS`` (``illegal``, ``exit`` for a crash, ``timeout``...)."""
    seconds: float = 0.0
    """Wall-clock length of the game."""

    @property
    def num_moves(self) -> int:
        """Moves played, passes included."""
        return len(self.record.moves)


@dataclass(frozen=True)
class GameLimits:
    """Move cap and time limits of one game."""

    move_cap: int | None = None
    """Stop and count after this many moves (default: 3 * size * size)."""
    move_timeout: float = 60.0
    """Seconds one reply may take before the engine is taken to hang and forfeits."""
    time_control: TimeSettings | None = None
    """Clock of each side, sent by ``time_settings``/``time_left``; None sends no time limits."""
    time_grace: float = 1.0
    """Seconds over its clock an engine may go (process and pipe lag) before it loses on time."""
    first_move_timeout: float = 900.0
    """Seconds each engine's first ``genmove`` of a game may take (without a clock): a new
    engine may still be loading its networks, or compiling its kernels on a cold numba cache
    (``igo gtp --player alphago``: about 100 s on a 2-core machine, docs/gtp.md)."""

    def __post_init__(self) -> None:
        if self.move_cap is not None and self.move_cap < 1:
            raise ValueError(f"--move-cap must be at least 1, not {self.move_cap}")
        if not self.move_timeout > 0:
            raise ValueError(f"--move-timeout must be positive, not {self.move_timeout}")
        if not self.first_move_timeout > 0:
            raise ValueError(
                f"the first move's timeout must be positive, not {self.first_move_timeout}"
            )
        if not self.time_grace >= 0:
            raise ValueError(f"the time grace must be non-negative, not {self.time_grace}")


class _Forfeit(Exception):
    def __init__(self, color: Color, fault: str, detail: str) -> None:
        super().__init__(detail)
        self.color, self.fault, self.detail = color, fault, detail


def _send(engine: GtpClient, color: Color, command: str, timeout: float | None = None) -> str:
    """Send a command that must succeed; any failure forfeits the game for ``color``."""
    try:
        return engine.send(command, timeout)
    except GtpEngineError as exc:
        raise _Forfeit(
            color, exc.kind, f"{engine.name} failed {command.split()[0]}: {exc}"
        ) from exc
    except GtpCommandError as exc:
        raise _Forfeit(color, "refused", f"{engine.name} refused {command!r}: {exc}") from exc


def _allowance(clock: Clock) -> float:
    """Seconds the next move may take before the flag falls."""
    settings = clock.settings
    if clock.in_byo_yomi:
        spare = settings.byo_yomi_time * (clock.stones_left - 1)
        return clock.time_left + (spare if settings.byo_yomi == "japanese" else 0.0)
    if not settings.has_byo_yomi:
        return clock.time_left
    periods = settings.byo_yomi_periods if settings.byo_yomi == "japanese" else 1
    return clock.time_left + settings.byo_yomi_time * periods


class _Referee:
    """The state of one game in progress: engines, board, clocks and per-move comments."""

    def __init__(
        self,
        engines: dict[Color, GtpClient],
        state: GameState,
        limits: GameLimits,
        on_move: MoveCallback | None = None,
    ):
        self.engines, self.state, self.limits = engines, state, limits
        self.on_move = on_move
        self.comments: list[str | None] = []
        self.moved: set[Color] = set()
        tc = limits.time_control
        self.clocks = {c: Clock.start(tc) for c in engines} if tc is not None else {}

    def prepare(self) -> None:
        size, komi, tc = self.state.size, self.state.rules.komi, self.limits.time_control
        for color, engine in self.engines.items():
            _send(engine, color, f"boardsize {size}")
            _send(engine, color, "clear_board")
            _send(engine, color, f"komi {komi:g}")
            if tc is not None:
                main, period, stones = tc.main_time, tc.byo_yomi_time, tc.byo_yomi_stones
                _send(engine, color, f"time_settings {main:g} {period:g} {stones}")

    def genmove(self, color: Color) -> tuple[Point | None, float]:
        """The engine's move for ``color`` (None = resign), checked; and the seconds it took."""
        engine, deadline = self.engines[color], self.limits.move_timeout
        if color not in self.moved:
            deadline = max(deadline, self.limits.first_move_timeout)
            self.moved.add(color)
        clock = self.clocks.get(color)
        if clock is not None:
            with_lag = _allowance(clock) + self.limits.time_grace
            deadline = min(deadline, with_lag)
            try:  # time_left is optional in GTP; an engine that does not know it may refuse
                engine.send(f"time_left {color.letter} {int(clock.time_left)} {clock.stones_left}")
            except GtpCommandError:
                pass
            except GtpEngineError as exc:
                raise _Forfeit(color, exc.kind, f"{engine.name} failed time_left: {exc}") from exc
        start = time.perf_counter()
        try:
            reply = engine.send(f"genmove {color.letter}", timeout=deadline)
        except GtpEngineError as exc:
            if clock is not None and exc.kind == "timeout" and deadline < self.limits.move_timeout:
                raise _Forfeit(color, "time", f"{engine.name} ran out of time") from exc
            raise _Forfeit(color, exc.kind, f"{engine.name} failed genmove: {exc}") from exc
        except GtpCommandError as exc:
            raise _Forfeit(color, "refused", f"{engine.name} refused genmove: {exc}") from exc
        seconds = time.perf_counter() - start
        if clock is not None:
            if seconds > _allowance(clock) + self.limits.time_grace:
                raise _Forfeit(color, "time", f"{engine.name} ran out of time ({seconds:.1f}s)")
            self.clocks[color] = clock.after_move(seconds)
        return self._checked(reply, engine.name, color), seconds

    def _checked(self, reply: str, name: str, color: Color) -> Point | None:
        words = reply.split()
        word = words[0].lower() if len(words) == 1 else ""
        if word == "resign":
            return None
        try:
            point = from_gtp(word, self.state.size)
        except ValueError as exc:
            raise _Forfeit(
                color, "malformed", f"{name} sent a malformed move {reply[:40]!r}"
            ) from exc
        reason = self.state.legality(point, color)
        if reason is not None:
            where = to_gtp(point, self.state.size)
            raise _Forfeit(color, "illegal", f"illegal move {where} by {name} ({reason})")
        return point

    def play(self) -> None:
        """Play to the end: two passes, resignation or the move cap."""
        state = self.state
        while not state.is_over():
            color = state.to_play
            point, seconds = self.genmove(color)
            if point is None:
                state.resign(color)
                break
            state.play(point, color)
            self.comments.append(f"{seconds:.2f}s")
            if self.on_move is not None:
                self.on_move(state, color, point, seconds)
            opponent = self.engines[color.opponent]
            _send(opponent, color.opponent, f"play {color.letter} {to_gtp(point, state.size)}")


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
    referee = _Referee(engines, GameState.new(size, rules, cap), limits, on_move)
    started = time.perf_counter()
    faulty, fault = None, None
    try:
        referee.prepare()
        referee.play()
        result, detail = _count(referee.state, engines)
    except _Forfeit as forfeit:
        faulty, fault, detail = forfeit.color, forfeit.fault, forfeit.detail
        result = GameResult(forfeit.color.opponent, "time" if fault == "time" else "forfeit")
    return _outcome(
        referee.state,
        referee.comments,
        result,
        detail,
        faulty,
        fault,
        time.perf_counter() - started,
        {"PB": black.name, "PW": white.name, **(metadata or {})},
    )


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
    return _outcome(state, [], result, detail, color, fault, 0.0, meta)


def _outcome(
    state: GameState,
    comments: list[str | None],
    result: GameResult,
    detail: str,
    faulty: Color | None,
    fault: str | None,
    seconds: float,
    metadata: dict[str, str],
) -> GameOutcome:
    record = record_from_state(state, result, {**metadata, "GC": detail})
    record = replace(record, comments=tuple(comments[: len(record.moves)]))
    return GameOutcome(record, result, detail, faulty, fault, seconds)


def _is_gnugo(engine: GtpClient) -> bool:
    return Path(engine.argv[0]).name.startswith("gnugo")


def _count(state: GameState, engines: dict[Color, GtpClient]) -> tuple[GameResult, str]:
    if state.resigned is not None:
        return GameResult(
            state.resigned.opponent, "resign"
        ), f"{state.resigned.name.lower()} resigned"
    detail = "two passes" if state.consecutive_passes >= 2 else f"move cap ({len(state.moves)})"
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
