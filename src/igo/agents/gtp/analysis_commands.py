"""GTP analysis extensions for search players: Leela Zero's and KataGo's, and GoGui heat maps.

| command                                   | reply                                          |
|-------------------------------------------|------------------------------------------------|
| ``lz-analyze [color] [interval] [k v]``   | ``=``, an ``info`` line every interval until   |
|                                           | the next input line, then a blank line         |
| ``kata-analyze [color] [interval] [k v]`` | the same in KataGo's format (``ownership``)    |
| ``lz-genmove_analyze [color] [interval]`` | ``info`` lines while the move is searched,     |
|                                           | then ``play VERTEX``: the move is played       |
| ``kata-genmove_analyze ...``              | the same in KataGo's format                    |
| ``igo-policy [color]``                    | GoGui gfx: INFLUENCE and LABEL of the priors   |
| ``igo-visits [color]``                    | GoGui gfx: the visits of a genmove-sized       |
|                                           | search (nothing is played)                     |

Intervals are in centiseconds (default 100; 0: no periodic lines). The keys are KataGo's:
``interval N``, ``maxmoves N``, ``ownership true|false``; ``minmoves``, ``pvVisits``,
``rootInfo``, ``ownershipStdev``, ``movesOwnership`` (one value each) and ``allow`` / ``avoid``
(three values) are accepted and ignored.

An ``info`` line lists every visited root move, best first: Leela Zero writes ``winrate``,
``prior`` and ``lcb`` as integers in 1/10000, KataGo as floats in [0, 1] (and ``utility``, the
value in [-1, 1]); both from the side to move's view. igo's networks predict no score, so the
score fields are left out. KataGo's ``ownership`` is row-major from the top-left point (A19 on
19x19), +1 for the side to move; it comes from random playouts (``SearchSession.ownership``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from igo.agents.analysis import AnalysisPlayer, MoveInfo, SearchSession
from igo.agents.gtp.arguments import parse_int
from igo.agents.gtp.context import EngineContext
from igo.go.coords import Color, parse_color, to_gtp
from igo.go.state import GameState
from igo.io.gtp import GtpError, Handler, Stream

DEFAULT_INTERVAL = 1.0
"""Seconds between info lines when the controller gives no interval."""
SLICE_SECONDS = 0.05
"""Longest search slice between two looks at the input (how fast an analysis stops)."""
GOGUI_ANALYZE_COMMANDS = ("gfx/Policy/igo-policy", "gfx/Visits/igo-visits")
_IGNORED_KEYS = {"minmoves": 1, "pvvisits": 1, "pvedgevisits": 1, "rootinfo": 1}
_IGNORED_KEYS |= {"ownershipstdev": 1, "movesownership": 1, "allow": 3, "avoid": 3}


@dataclass(frozen=True)
class AnalyzeRequest:
    """The arguments of an analysis command."""

    color: Color | None
    """The side to analyse for (None: the side to move)."""
    interval: float
    """Seconds between info lines (0: none until the end)."""
    ownership: bool = False
    """KataGo: append the ownership of every point."""
    max_moves: int | None = None
    """Report at most this many moves."""


def _bool(word: str) -> bool:
    if word.lower() in ("true", "1", "yes"):
        return True
    if word.lower() in ("false", "0", "no"):
        return False
    raise GtpError("syntax error")


def _interval(word: str) -> float:
    try:
        centiseconds = float(word)
    except ValueError:
        raise GtpError("syntax error") from None
    if not math.isfinite(centiseconds) or centiseconds < 0:
        raise GtpError("syntax error")
    return centiseconds / 100.0


def parse_request(args: Sequence[str]) -> AnalyzeRequest:
    """``[color] [interval] [key value ...]`` as KataGo reads it.

    Raises:
        GtpError: ``syntax error`` on anything else.
    """
    words = list(args)
    color = None
    if words:
        try:
            color = parse_color(words[0])
            words.pop(0)
        except ValueError:
            pass
    interval, ownership, max_moves = DEFAULT_INTERVAL, False, None
    if words and words[0].replace(".", "", 1).isdigit():
        interval = _interval(words.pop(0))
    while words:
        key = words.pop(0).lower()
        arity = _IGNORED_KEYS.get(key, 1)
        if len(words) < arity:
            raise GtpError("syntax error")
        values, words = words[:arity], words[arity:]
        if key == "interval":
            interval = _interval(values[0])
        elif key == "ownership":
            ownership = _bool(values[0])
        elif key == "maxmoves":
            max_moves = max(0, parse_int(values[0]))
        elif key not in _IGNORED_KEYS:
            raise GtpError("syntax error")
    return AnalyzeRequest(color, interval, ownership, max_moves)


def _pv(info: MoveInfo, size: int) -> str:
    return " ".join(to_gtp(move, size) for move in info.pv)


def format_lz(infos: Sequence[MoveInfo], size: int) -> str:
    """One Leela Zero ``info`` line for all moves (winrate, prior, lcb in 1/10000)."""
    return " ".join(
        f"info move {to_gtp(i.move, size)} visits {i.visits} winrate {round(i.winrate * 10000)} "
        f"prior {round(i.prior * 10000)} lcb {round(i.lcb * 10000)} order {i.order} "
        f"pv {_pv(i, size)}"
        for i in infos
    )


def format_kata(infos: Sequence[MoveInfo], size: int, ownership: np.ndarray | None) -> str:
    """One KataGo ``info`` line for all moves (floats), then ``ownership`` if given; empty (no
    line at all) before the search has visited a move, as ownership belongs to an info line."""
    if not infos:
        return ""
    text = " ".join(
        f"info move {to_gtp(i.move, size)} visits {i.visits} utility {2 * i.winrate - 1:.6f} "
        f"winrate {i.winrate:.6f} prior {i.prior:.6f} lcb {i.lcb:.6f} order {i.order} "
        f"pv {_pv(i, size)}"
        for i in infos
    )
    if ownership is not None:
        text += " ownership " + " ".join(f"{v:.4f}" for v in ownership)
    return text.strip()


LineFn = Callable[[SearchSession], str]


def line_fn(kata: bool, request: AnalyzeRequest, size: int) -> LineFn:
    """The function that writes one report of a session in the requested format."""

    def lz_line(session: SearchSession) -> str:
        return format_lz(session.infos(request.max_moves), size)

    def kata_line(session: SearchSession) -> str:
        own = session.ownership() if request.ownership else None
        return format_kata(session.infos(request.max_moves), size, own)

    return kata_line if kata else lz_line


def analysis_chunks(session: SearchSession, interval: float, line: LineFn) -> Iterator[str]:
    """Search in slices forever, yielding a report every ``interval`` seconds and ``""`` after
    every other slice (so the server can look for input); idles once the session is done."""
    next_report = time.monotonic() + interval
    while True:
        wait = next_report - time.monotonic() if interval > 0 else SLICE_SECONDS
        seconds = min(SLICE_SECONDS, max(0.0, wait))
        if session.done:
            time.sleep(seconds)
        else:
            session.step(seconds)
        if interval > 0 and time.monotonic() >= next_report:
            next_report = time.monotonic() + interval
            yield line(session) + "\n"
        else:
            yield ""


class AnalysisCommands:
    """The analysis command handlers of one engine whose player is an ``AnalysisPlayer``."""

    def __init__(self, engine: EngineContext, player: AnalysisPlayer) -> None:
        self.engine = engine
        self.player = player

    def table(self) -> dict[str, Handler]:
        """Command name -> handler."""
        return {
            "lz-analyze": lambda args: self._analyze(args, kata=False),
            "kata-analyze": lambda args: self._analyze(args, kata=True),
            "lz-genmove_analyze": lambda args: self._genmove_analyze(args, kata=False),
            "kata-genmove_analyze": lambda args: self._genmove_analyze(args, kata=True),
            "igo-policy": self._policy_gfx,
            "igo-visits": self._visits_gfx,
            "gogui-analyze_commands": lambda args: "\n".join(GOGUI_ANALYZE_COMMANDS),
        }

    def _color(self, color: Color | None) -> Color:
        return self.engine.state.to_play if color is None else color

    def _analyze(self, args: list[str], kata: bool) -> Stream:
        request = parse_request(args)
        state = self.engine.game.view(self._color(request.color))
        line = line_fn(kata, request, self.engine.size)
        if not self.engine.player_ready:
            # A cold start prepares the player for minutes: wait inside the stream, so that the
            # next input line stops the wait as it would stop the analysis.
            return Stream(self._when_ready(state, request.interval, line), interruptible=True)
        session = self._start_analysis(state)
        return Stream(analysis_chunks(session, request.interval, line), interruptible=True)

    def _start_analysis(self, state: GameState) -> SearchSession:
        self.engine.wait_for_player()
        try:
            return self.player.start_analysis(state)
        except ValueError as err:
            raise GtpError(str(err)) from None

    def _when_ready(self, state: GameState, interval: float, line: LineFn) -> Iterator[str]:
        """The analysis stream of a player still preparing: empty chunks until it is ready."""
        while not self.engine.player_ready:
            time.sleep(SLICE_SECONDS)
            yield ""
        try:
            session = self._start_analysis(state)
        except GtpError as err:  # the reply has begun: say why on the log, end it
            self.engine.log(f"analysis not started: {err}")
            return
        yield from analysis_chunks(session, interval, line)

    def _genmove_analyze(self, args: list[str], kata: bool) -> Stream:
        request = parse_request(args)
        color = self._color(request.color)
        state, clock = self.engine.move_context(color)
        self.engine.wait_for_player()
        started = time.monotonic()
        try:
            session = self.player.start_genmove(state, clock)
        except ValueError as err:
            raise GtpError(str(err)) from None
        line = line_fn(kata, request, self.engine.size)

        def chunks() -> Iterator[str]:
            next_report = started + request.interval
            slice_seconds = SLICE_SECONDS if request.interval > 0 else math.inf
            while session.step(slice_seconds):
                if request.interval > 0 and time.monotonic() >= next_report:
                    next_report = time.monotonic() + request.interval
                    yield line(session) + "\n"
            if request.interval > 0:
                yield line(session) + "\n"
            move = self.player.finish_genmove(state, session)
            elapsed = time.monotonic() - started
            yield f"play {self.engine.play_chosen(color, clock, elapsed, move)}\n"

        return Stream(chunks(), interruptible=False)

    def _gfx_color(self, args: list[str]) -> Color:
        if len(args) > 1:
            raise GtpError("syntax error")
        if not args:
            return self.engine.state.to_play
        try:
            return parse_color(args[0])
        except ValueError:
            raise GtpError("syntax error") from None

    def _policy_gfx(self, args: list[str]) -> str:
        state = self.engine.game.view(self._gfx_color(args))
        self.engine.wait_for_player()
        try:
            priors = self.player.policy_priors(state)
        except ValueError as err:
            raise GtpError(str(err)) from None
        labels = [f"{round(100 * p)}" for p in priors]
        return gfx_heat_map(priors[:-1], labels, self.engine.size)

    def _visits_gfx(self, args: list[str]) -> str:
        state = self.engine.game.view(self._gfx_color(args))
        self.engine.wait_for_player()
        try:
            result = self.player.start_genmove(state, None).run()
        except ValueError as err:
            raise GtpError(str(err)) from None
        visits = result.visit_counts.astype(np.float64)
        return gfx_heat_map(visits[:-1], [str(int(v)) for v in visits], self.engine.size)


def gfx_heat_map(values: np.ndarray, labels: Sequence[str], size: int) -> str:
    """GoGui gfx: ``INFLUENCE`` with ``values`` [P] scaled to [0, 1] by their maximum, and a
    ``LABEL`` on every point with a value (``labels`` [>= P])."""
    points = [int(p) for p in np.flatnonzero(values > 0)]
    top = float(values.max()) if points else 1.0
    influence = " ".join(f"{to_gtp(p, size)} {values[p] / top:.3f}" for p in points)
    label = " ".join(f"{to_gtp(p, size)} {labels[p]}" for p in points)
    return f"INFLUENCE {influence}\nLABEL {label}".strip()
