"""The game as a GTP engine keeps it: a start position plus a move history, replayed on demand.

GTP controllers change the rules mid-game (``komi``, ``kgs-rules``, ``kata-set-rules``), take
moves back, load records and keep playing after two passes (KGS's cleanup phase). ``GtpGame``
absorbs all of that on top of ``GameState``. A rule change applies from the current position on:
the stones stay as they are, and each move keeps the ko and suicide rules it was played under
(a multi-stone suicide played under Tromp-Taylor stays legal history under Chinese rules), while
scoring, komi and the handicap bonus are those of the current rules (``Rules.playing_as``).
``undo`` rebuilds the state by replaying the game as a record (``igo.io.sgf.replay``), each move
under its own rules, so it works across rule changes, and ``printsgf`` writes those changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from igo.go.coords import Color, Point
from igo.go.rules import Rules
from igo.go.state import CannotUndo, GameState
from igo.io.sgf import GameRecord, SgfError, replay


@dataclass(frozen=True)
class StartPosition:
    """Where a game starts: handicap or setup stones and the side to play first."""

    black: tuple[Point, ...] = ()
    white: tuple[Point, ...] = ()
    to_play: Color = Color.BLACK
    num_handicap: int = 0
    """Black handicap stones among ``black`` (for the handicap bonus of area scoring)."""


class GtpGame:
    """A mutable game: ``state`` always reflects ``size``, ``rules``, ``start`` and ``history``."""

    def __init__(self, size: int, rules: Rules) -> None:
        self.size = size
        self.rules = rules
        """The rules in force now, komi included."""
        self.start = StartPosition()
        self.history: list[tuple[Color, Point]] = []
        self.played_under: list[Rules] = []
        """The rules each move of ``history`` was played under (their ko and suicide count)."""
        self.state = self._build()

    def _build(self) -> GameState:
        """A fresh state for the current size, rules, start position and history.

        Raises:
            SgfError: if the history does not replay (the caller restores what it had).
        """
        return replay(self.record())

    def new_game(self, size: int | None = None, start: StartPosition | None = None) -> None:
        """Start over, on a new board size and/or from a handicap or setup position."""
        self.size = self.size if size is None else size
        self.start = start or StartPosition()
        self.history, self.played_under = [], []
        self.state = self._build()

    def set_rules(self, rules: Rules) -> None:
        """Play on under ``rules`` (komi included) from the current position; never fails."""
        self.rules = rules
        self.state.change_rules(rules)

    def load(self, record: GameRecord, num_moves: int | None = None) -> None:
        """Load a record's start position and its first ``num_moves`` moves (all when None).

        Raises:
            SgfError: if the record does not replay (naming the record and the move); the game
                is then left as it was.
        """
        saved = (self.size, self.rules, self.start, self.history, self.played_under)
        moves = record.moves if num_moves is None else record.moves[:num_moves]
        self.size, self.rules = record.size, record.rules_at(len(moves))
        self.start = StartPosition(
            tuple(record.setup_black),
            tuple(record.setup_white),
            record.first_player,
            record.handicap,
        )
        self.history = list(moves)
        self.played_under = [record.rules_at(number) for number in range(len(moves))]
        try:
            self.state = self._build()
        except SgfError as err:
            self.size, self.rules, self.start, self.history, self.played_under = saved
            self.state = self._build()
            raise SgfError(record.source, err.reason) from None

    def record(self) -> GameRecord:
        """The game so far as a record (start position, every move and rule change, no result)."""
        now = self.rules
        # rules[n]: in force after n moves; scoring and komi are the current ones throughout.
        rules = [now.playing_as(played) for played in self.played_under] + [now]
        changes = tuple((n, rules[n]) for n in range(1, len(rules)) if rules[n] != rules[n - 1])
        start, moves = self.start, tuple(self.history)
        first = moves[0][0] if moves else start.to_play
        black, white, handicap = start.black, start.white, start.num_handicap
        return GameRecord(
            self.size, rules[0], handicap, black, white, first, moves, rule_changes=changes
        )

    def is_empty(self) -> bool:
        """No stone on the board and no move played."""
        return not self.history and not np.any(self.state.stones())

    def is_legal(self, point: Point, color: Color) -> bool:
        """Whether ``color`` may play ``point`` now (two passes do not end a GTP game)."""
        return _playable(self.state).is_legal(point, color)

    def play(self, point: Point, color: Color) -> None:
        """Play and record a move. Raises IllegalMove, leaving the game unchanged."""
        _force_play(self.state, point, color)
        self.history.append((color, point))
        self.played_under.append(self.rules)

    def undo(self) -> None:
        """Take back the last move (the rules in force stay). Raises CannotUndo at the start."""
        if not self.history:
            raise CannotUndo("cannot undo")
        self.history.pop()
        self.played_under.pop()
        self.state = self._build()

    def view(self, color: Color) -> GameState:
        """The position with ``color`` to play, for asking a player's move: the state itself when
        it is ``color``'s turn in a live game, otherwise an adjusted copy."""
        if self.state.to_play == color and not _over_by_passes(self.state):
            return self.state
        state = _playable(self.state)
        if state is self.state:
            state = state.copy()
        # A GTP controller may ask either colour to move at any time.
        state.to_play = color
        return state


def _over_by_passes(state: GameState) -> bool:
    return state.consecutive_passes >= 2 and state.resigned is None


def _playable(state: GameState) -> GameState:
    """``state``, or a copy whose two final passes no longer end the game."""
    if not _over_by_passes(state):
        return state
    state = state.copy()
    state.consecutive_passes = 0
    return state


def _force_play(state: GameState, point: Point, color: Color) -> None:
    """Play even after two passes: a GTP game only ends when the controller says so."""
    passes = state.consecutive_passes
    if _over_by_passes(state):
        state.consecutive_passes = 0
    try:
        state.play(point, color)
    except ValueError:
        state.consecutive_passes = passes
        raise
