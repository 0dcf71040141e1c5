"""GTP commands that play or take back moves: ``play``, ``genmove``, ``reg_genmove``,
``kgs-genmove_cleanup`` and ``undo``.

A controller's ``play`` goes into the game if the rules allow it. A ``genmove`` asks the player
for a move from the engine's ``move_context`` (the position with that colour to play, and its
clock) once the player is ready, timed; the engine settles it (charges the clock, passes instead
of an illegal move) and plays it. ``reg_genmove`` settles without playing. A player that refuses
the position (a ValueError, such as a board size its network does not play) gets
``? cannot generate a move: REASON``.

``igo-search_stats`` (an igo extension) answers what the engine's moves cost since the last new
game: ``moves M seconds S``, and ``visits V`` where the player says how many simulations each
search ran (``VisitCounting``): an arena reads it after each game to report the mean visits per
move, which is what a faster network buys at equal time per move.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import numpy as np

from igo.agents.gtp.arguments import color_arg, vertex_arg
from igo.agents.gtp.context import EngineContext
from igo.agents.player import Resign, VisitCounting
from igo.go.coords import Color, Point, to_gtp
from igo.go.sensible import sensible_moves
from igo.go.state import CannotUndo
from igo.io.gtp import GtpError

__all__ = ["MoveCommands"]

_Method = Callable[["MoveCommands", list[str]], str]


def _player_refusals(handler: _Method) -> _Method:
    """``handler`` (a genmove) answering ``? cannot generate a move: REASON`` where the player
    refuses the position (a ValueError, such as a board size its network does not play)."""

    @functools.wraps(handler)
    def refusing(self: MoveCommands, args: list[str]) -> str:
        try:
            return handler(self, args)
        except ValueError as err:
            raise GtpError(f"cannot generate a move: {err}") from None

    return refusing


class MoveCommands:
    """The move command handlers of one engine."""

    def __init__(self, engine: EngineContext) -> None:
        self.engine = engine
        self._cleanup_rng = np.random.default_rng(0)
        self.reset_stats()

    def reset_stats(self) -> None:
        """Start counting ``igo-search_stats`` afresh (a new game)."""
        self._moves, self._visits, self._seconds = 0, 0, 0.0

    def search_stats(self, args: list[str]) -> str:
        """``moves M seconds S`` since the last new game, with ``visits V`` for a searcher."""
        text = f"moves {self._moves} seconds {self._seconds:.3f}"
        if isinstance(self.engine.player, VisitCounting):
            text += f" visits {self._visits}"
        return text

    def play(self, args: list[str]) -> str:
        if len(args) != 2:
            raise GtpError("syntax error")
        color = color_arg(args[:1])
        point = vertex_arg(args[1], self.engine.size)
        if not self.engine.game.is_legal(point, color):
            raise GtpError("illegal move")
        self.engine.play_move(color, point)
        return ""

    def _choose(self, color: Color) -> Point | Resign:
        """Ask the player for ``color``'s move, timed, and settle it with the engine."""
        self.engine.wait_for_player()
        state, clock = self.engine.move_context(color)
        started = time.monotonic()
        player = self.engine.player
        move = player.genmove(state, clock)
        elapsed = time.monotonic() - started
        self._moves, self._seconds = self._moves + 1, self._seconds + elapsed
        if isinstance(player, VisitCounting):
            self._visits += player.last_visits or 0
        return self.engine.settle(color, clock, elapsed, move)

    @_player_refusals
    def genmove(self, args: list[str]) -> str:
        color = color_arg(args)
        return self.engine.play_move(color, self._choose(color))

    @_player_refusals
    def reg_genmove(self, args: list[str]) -> str:
        move = self._choose(color_arg(args))
        return "resign" if isinstance(move, Resign) else to_gtp(move, self.engine.size)

    @_player_refusals
    def genmove_cleanup(self, args: list[str]) -> str:
        """Like genmove, but never pass while a sensible move remains (KGS cleanup phase), so
        dead opponent stones end up captured."""
        color = color_arg(args)
        move = self._choose(color)
        size = self.engine.size
        if move == size * size:
            candidates = sensible_moves(self.engine.game.view(color), color)
            if candidates.size:
                move = int(self._cleanup_rng.choice(candidates))
        return self.engine.play_move(color, move)

    def undo(self, args: list[str]) -> str:
        try:
            self.engine.game.undo()
        except CannotUndo:
            raise GtpError("cannot undo") from None
        self.engine.position_changed()
        return ""
