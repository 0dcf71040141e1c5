"""Both sides' clocks as a GTP engine keeps them, and the time commands that set them.

The controller sets a time control (``time_settings``, ``kgs-time_settings``) and may correct a
clock before each move (``time_left``); between corrections the engine keeps its own books:
each move charges the seconds it took to its side's clock (``GameClocks.charge``). A new game
or a loaded record starts both clocks afresh (``reset``). Without a time control there are no
clocks, and players move without a limit.
"""

from __future__ import annotations

from igo.agents.gtp.arguments import (
    color_arg,
    parse_int,
    parse_number,
    time_settings_from_gtp,
    time_settings_from_kgs,
)
from igo.agents.player import Clock, TimeSettings
from igo.go.coords import Color
from igo.io.gtp import GtpError

__all__ = ["GameClocks", "TimeCommands"]


class GameClocks:
    """The time control in force and each side's clock under it (none without a control)."""

    def __init__(self) -> None:
        self.settings: TimeSettings | None = None
        """The controller's time control; None: no limit."""
        self._clocks: dict[Color, Clock] = {}

    def get(self, color: Color) -> Clock | None:
        """``color``'s clock now (None without a time control)."""
        return self._clocks.get(color)

    def set_control(self, settings: TimeSettings | None) -> None:
        """Play on under ``settings`` (None: no limit), both clocks afresh."""
        self.settings = settings
        self.reset()

    def reset(self) -> None:
        """Start both clocks afresh under the current time control (none without one)."""
        settings = self.settings
        self._clocks = {}
        if settings is not None:
            self._clocks = {c: Clock.start(settings) for c in (Color.BLACK, Color.WHITE)}

    def charge(self, color: Color, clock: Clock | None, elapsed: float) -> None:
        """``color`` spent ``elapsed`` seconds on a move begun with ``clock`` (its clock then)."""
        if clock is not None:
            self._clocks[color] = clock.after_move(elapsed)

    def set_left(self, color: Color, seconds: float, stones: int) -> None:
        """The controller's word on ``color``'s clock (``time_left``); ignored without a time
        control."""
        if self.settings is not None:
            self._clocks[color] = Clock(self.settings, seconds, stones)


class TimeCommands:
    """The handlers of ``time_settings``, ``kgs-time_settings`` and ``time_left``."""

    def __init__(self, clocks: GameClocks) -> None:
        self.clocks = clocks

    def time_settings(self, args: list[str]) -> str:
        self.clocks.set_control(time_settings_from_gtp(args))
        return ""

    def kgs_time_settings(self, args: list[str]) -> str:
        self.clocks.set_control(time_settings_from_kgs(args))
        return ""

    def time_left(self, args: list[str]) -> str:
        if len(args) != 3:
            raise GtpError("syntax error")
        color = color_arg(args[:1])
        seconds, stones = parse_number(args[1]), parse_int(args[2])
        if seconds < 0 or stones < 0:
            raise GtpError("syntax error")
        self.clocks.set_left(color, seconds, stones)
        return ""
