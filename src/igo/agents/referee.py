"""The GTP referee: games between GTP engines, refereed by igo's rules engine.

igo keeps the authoritative board: every move an engine generates is checked against the game's
rules before the other side hears of it. An illegal move, a crash, a hang past the move deadline,
a malformed reply, a refused command or an overrun clock is a fault of that engine's side: the
game ends there and says why (``RefereedGame.fault``), it never raises. A game ends by two
passes, resignation or the move cap; ``count`` (the caller's) then counts it.

Two callers share it: ``igo.eval.engine_game`` (a match game between two engines, counted by
GNU Go or the dead stones both agree on) and ``igo.data.generate`` (one engine playing both
colours after a random opening, counted by the engine itself). It sits in ``igo.agents``, below
both ``igo.data`` and ``igo.eval``, and keeps the engines' clocks with the players' ``Clock``.
One engine may play both colours (the same client for both): it is set up once and is never
told the moves it generated itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from igo.agents.player import Clock, TimeSettings
from igo.go.coords import Color, Point, from_gtp, to_gtp
from igo.go.result import GameResult
from igo.go.state import GameState
from igo.io.gtp_client import GtpClient, GtpCommandError, GtpEngineError

MoveCallback = Callable[[GameState, Color, Point, float], None]
"""Called after each refereed move with (state, colour, point, seconds taken)."""
CountFn = Callable[[GameState, dict[Color, GtpClient]], tuple[GameResult, str]]
"""Counts a game that ended by two passes or the move cap (``ending`` says which): the result
and how it ended. It may ask the engines (``final_score``...)."""

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


@dataclass(frozen=True)
class RefereedGame:
    """A game played to its end, or to an engine's fault."""

    state: GameState
    """The final position: the moves it started with, then every checked move."""
    comments: tuple[str | None, ...]
    """One per move of ``state``: the seconds its engine took (``"1.23s"``), None for the moves
    the game started with."""
    result: GameResult
    """Who won, and how (a fault loses: ``forfeit``, or ``time`` on the clock)."""
    detail: str
    """Human-readable ending: ``two passes``, ``white resigned``, ``illegal move D4 by ...``."""
    faulty: Color | None = None
    """The side whose engine misbehaved, if any."""
    fault: str | None = None
    """What it did, one of ``FAULTS`` (``illegal``, ``exit`` for a crash, ``timeout``...)."""
    seconds: float = 0.0
    """Wall-clock length of the game."""


def referee_game(
    engines: dict[Color, GtpClient],
    state: GameState,
    limits: GameLimits,
    count: CountFn,
    on_move: MoveCallback | None = None,
) -> RefereedGame:
    """Play ``state`` to its end between ``engines`` (started; one client may play both
    colours); engine faults end the game, never raise.

    Each engine is set up (board size, komi, time settings) and told the moves ``state`` starts
    with (an opening); the side to move then plays. A resignation ends the game as such; two
    passes or the move cap are counted by ``count``.
    """
    referee = _Referee(engines, state, limits, on_move)
    started = time.perf_counter()
    try:
        referee.prepare()
        referee.play()
        if state.resigned is not None:
            result = GameResult(state.resigned.opponent, "resign")
            detail = f"{state.resigned.name.lower()} resigned"
        else:
            result, detail = count(state, engines)
    except _Forfeit as forfeit:
        lost = GameResult(forfeit.color.opponent, "time" if forfeit.fault == "time" else "forfeit")
        return RefereedGame(
            state,
            tuple(referee.comments),
            lost,
            forfeit.detail,
            forfeit.color,
            forfeit.fault,
            time.perf_counter() - started,
        )
    return RefereedGame(
        state, tuple(referee.comments), result, detail, seconds=time.perf_counter() - started
    )


def ending(state: GameState) -> str:
    """How a game that was not resigned ended: ``two passes`` or ``move cap (N)``."""
    return "two passes" if state.consecutive_passes >= 2 else f"move cap ({len(state.moves)})"


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
        self.comments: list[str | None] = [None] * len(state.moves)
        self.moved: set[Color] = set()
        tc = limits.time_control
        self.clocks = {c: Clock.start(tc) for c in engines} if tc is not None else {}

    def prepare(self) -> None:
        """Set every engine up (once, if it plays both colours) and tell it the opening."""
        size, komi, tc = self.state.size, self.state.rules.komi, self.limits.time_control
        seen: list[GtpClient] = []
        for color, engine in self.engines.items():
            if any(engine is other for other in seen):
                continue
            seen.append(engine)
            _send(engine, color, f"boardsize {size}")
            _send(engine, color, "clear_board")
            _send(engine, color, f"komi {komi:g}")
            if tc is not None:
                main, period, stones = tc.main_time, tc.byo_yomi_time, tc.byo_yomi_stones
                _send(engine, color, f"time_settings {main:g} {period:g} {stones}")
            for mover, point in self.state.moves:
                _send(engine, color, f"play {mover.letter} {to_gtp(point, size)}")

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
            if opponent is not self.engines[color]:  # an engine playing both sides knows
                _send(opponent, color.opponent, f"play {color.letter} {to_gtp(point, state.size)}")
