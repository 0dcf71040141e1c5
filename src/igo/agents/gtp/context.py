"""``EngineContext``: what the GTP command groups need from the engine that holds them.

The command groups (``board_commands``, ``move_commands``, ``score_commands``,
``analysis_commands``) answer commands on a game they do not own: ``GoEngine``
(``igo.agents.gtp.engine``) keeps the game, the player, the clocks and the player's start-up,
and hands itself to each group as this protocol. The groups import the protocol, never the
engine, so the engine builds its command table from them without an import loop, and a group
can be tested against any object with these members.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from igo.agents.gtp.clocks import GameClocks
from igo.agents.gtp.game import GtpGame, StartPosition
from igo.agents.player import Clock, Player, Resign
from igo.go.coords import Color, Point
from igo.go.rules import Rules
from igo.go.state import GameState

__all__ = ["EngineContext"]


class EngineContext(Protocol):
    """The game a command group answers on, and the engine's moves, clocks and player."""

    log: Callable[[str], None]
    """Where diagnostics go (never standard output: that is the GTP channel)."""

    @property
    def game(self) -> GtpGame:
        """The game: start position, history, rules; replayed on undo."""
        ...

    @property
    def clocks(self) -> GameClocks:
        """Both sides' clocks under the time control in force."""
        ...

    @property
    def player(self) -> Player:
        """The player that answers ``genmove``."""
        ...

    @property
    def board_sizes(self) -> tuple[int, ...] | None:
        """The board sizes the player can play (None: any)."""
        ...

    @property
    def num_scoring_playouts(self) -> int:
        """Random playouts used to judge dead stones when scoring."""
        ...

    @property
    def state(self) -> GameState:
        """The current position."""
        ...

    @property
    def size(self) -> int:
        """The current board size."""
        ...

    @property
    def rules(self) -> Rules:
        """The rules in force, komi included."""
        ...

    @property
    def player_ready(self) -> bool:
        """Whether the player's background start-up has finished."""
        ...

    def new_game(self, size: int | None = None, start: StartPosition | None = None) -> None:
        """Start a new game (same size by default), with fresh clocks; tell the player."""
        ...

    def set_rules(self, rules: Rules) -> None:
        """Play on under ``rules`` from the current position; tell the player."""
        ...

    def position_changed(self) -> None:
        """Tell the player the position changed other than by a move."""
        ...

    def wait_for_player(self) -> None:
        """Block until the player can move (``GtpError`` saying why it cannot)."""
        ...

    def move_context(self, color: Color) -> tuple[GameState, Clock | None]:
        """The position with ``color`` to play, and ``color``'s clock, for choosing a move."""
        ...

    def settle(
        self, color: Color, clock: Clock | None, elapsed: float, move: Point | Resign
    ) -> Point | Resign:
        """Charge a chosen move's seconds to ``color``'s clock; the move, or pass if illegal."""
        ...

    def play_move(self, color: Color, move: Point | Resign) -> str:
        """Play a legal move (RESIGN plays nothing) and tell the player: its GTP text."""
        ...

    def play_chosen(
        self, color: Color, clock: Clock | None, elapsed: float, move: Point | Resign
    ) -> str:
        """``settle`` a move chosen from ``move_context``, then ``play_move`` it."""
        ...
