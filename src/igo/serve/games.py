"""Games against igo in the browser: one ``PlayGame`` per game, kept by id in ``Games``.

A game holds its ``GameState``; the person's moves are checked by the rules engine (an illegal
move is an error with the rules' reason), igo's moves come from the search thread. While igo
thinks, the game refuses other moves (``409``-style errors). The result is counted when the game
ends (two passes: ``final_score``, dead stones by playouts) or on a resignation.
"""

from __future__ import annotations

import threading
from typing import Any

from igo.agents.player import Resign
from igo.go.coords import Color, Point, from_gtp, to_gtp
from igo.go.result import GameResult
from igo.go.rules import rules_from_name
from igo.go.scoring import final_score
from igo.go.state import GameState
from igo.io.sgf import record_from_state
from igo.serve.channels import Channel
from igo.serve.positions import board_text, record_query
from igo.serve.recent import Recent
from igo.serve.worker import Worker

ANALYSE_EVERY = 0.3
"""Seconds between the interim answers of a position analysed on request."""
MAX_GAMES = 64
"""Games kept at once; the oldest is dropped for a new one (a server left open for days)."""


class GameError(ValueError):
    """A request the game cannot take (its message is shown on the page)."""


class PlayGame:
    """One game: a person against igo."""

    def __init__(self, game_id: str, state: GameState, human: Color, worker: Worker) -> None:
        self.id = game_id
        self.state = state
        self.human = human
        self.worker = worker
        self.thinking: Channel | None = None
        """igo's last search: streaming while it thinks, then replayable to its last event."""
        self.busy = False
        """Whether igo is thinking."""
        self.last_igo: str | None = None
        """igo's last move (GTP vertex, ``pass`` or ``resign``), for the page's message."""
        self.error: str | None = None
        self._lock = threading.RLock()  # _moved builds the view under the lock

    def view(self) -> dict[str, Any]:
        """The game as the page draws it."""
        with self._lock:
            return self._view()

    def _view(self) -> dict[str, Any]:
        state = self.state
        result = self.result()
        return {
            "id": self.id,
            "size": state.size,
            "komi": state.rules.komi,
            "human": "B" if self.human == Color.BLACK else "W",
            "toPlay": "B" if state.to_play == Color.BLACK else "W",
            "board": board_text(state),
            "moves": [
                ["B" if c == Color.BLACK else "W", to_gtp(p, state.size)] for c, p in state.moves
            ],
            "captures": {"B": state.captures(Color.BLACK), "W": state.captures(Color.WHITE)},
            "thinking": self.busy,
            "lastIgo": self.last_igo,
            "over": result is not None,
            "result": None if result is None else result.to_sgf(),
            "error": self.error,
        }

    def result(self) -> GameResult | None:
        """The result once the game is over, else None."""
        if self.state.resigned is not None:
            return GameResult(self.state.resigned.opponent, "resign")
        if self.state.is_over():
            return final_score(self.state)
        return None

    def play(self, word: str) -> None:
        """The person plays ``word`` (a GTP vertex or ``pass``); then igo thinks."""
        with self._lock:
            self._check_turn()
            try:
                point = from_gtp(word, self.state.size)
            except ValueError as err:
                raise GameError(f"not a move: {word!r}") from err
            reason = self.state.legality(point, self.human)
            if reason is not None:
                raise GameError(f"illegal move {word.upper()}: {reason}")
            self.state.play(point, self.human)
            self._igo_turn()

    def resign(self) -> None:
        """The person resigns."""
        with self._lock:
            self._check_turn()
            self.state.resign(self.human)
            self.thinking = None  # its last event would show the game before the resignation

    def undo(self) -> None:
        """Take back the person's last move and igo's reply."""
        with self._lock:
            if self.busy:
                raise GameError("igo is thinking: wait for its move")
            if self.state.resigned is not None:
                raise GameError("the game is over: someone resigned")
            if not any(color == self.human for color, _ in self.state.moves):
                raise GameError("nothing to undo")
            while True:
                color, _ = self.state.moves[-1]
                self.state.undo()
                if color == self.human:
                    break
            self.last_igo = None
            self.thinking = None

    def analyse(self, visits: int) -> Channel:
        """The analysis engine's search of the position as it stands (interim answers every
        ``ANALYSE_EVERY`` seconds), for the page to show while the person thinks."""
        with self._lock:
            if self.busy:
                raise GameError("igo is thinking: its own search is shown")
            if self.result() is not None:
                raise GameError("the game is over")
            record = record_from_state(self.state)
        turn = len(record.moves)
        return self.worker.analyse(record_query(record, visits, [turn], ANALYSE_EVERY), 1)

    def start(self) -> None:
        """Let igo move first if it plays black."""
        with self._lock:
            self._igo_turn()

    def _check_turn(self) -> None:
        if self.result() is not None:
            raise GameError("the game is over")
        if self.busy:
            raise GameError("igo is thinking: wait for its move")
        if self.state.to_play != self.human:
            raise GameError("it is igo's turn")

    def _igo_turn(self) -> None:
        """Ask the search thread for igo's move when it is igo's turn."""
        if self.state.is_over() or self.state.to_play == self.human:
            return
        self.error = None
        self.busy = True
        self.thinking = self.worker.think(self.state.copy(), self._moved)

    def _moved(self, move: Point | Resign | None, error: str | None) -> dict[str, Any]:
        """igo's move is in (on the search thread): play it, give the stream's last event."""
        with self._lock:
            self.busy = False
            color = self.state.to_play
            try:
                if move is None:
                    self.error = f"igo could not move: {error}"
                elif isinstance(move, Resign):
                    self.state.resign(color)
                    self.last_igo = "resign"
                else:
                    self.state.play(move, color)
                    self.last_igo = to_gtp(move, self.state.size)
            except ValueError as err:  # an illegal move from the player: a bug, shown
                self.error = f"igo's move was refused by the rules: {err}"
            return {"state": self.view()}


class Games:
    """Every game of the server, by id (the oldest dropped beyond ``MAX_GAMES``)."""

    def __init__(self, worker: Worker, sizes: tuple[int, ...]) -> None:
        self.worker = worker
        self.sizes = sizes
        self._games: Recent[PlayGame] = Recent("g", MAX_GAMES, "game")

    def new(self, size: Any, komi: Any, color: Any) -> PlayGame:
        """A new game; ``color`` is the person's (``B``, ``W``)."""
        if not isinstance(size, int) or isinstance(size, bool) or size not in self.sizes:
            raise GameError(f"size must be one of {', '.join(map(str, self.sizes))}, not {size!r}")
        if color not in ("B", "W"):
            raise GameError(f"color must be B or W, not {color!r}")
        if isinstance(komi, bool) or not isinstance(komi, int | float):
            raise GameError(f"komi must be a number, not {komi!r}")
        if not -400 <= komi <= 400 or (2 * komi) % 1 != 0:
            raise GameError(f"komi must be a whole or half number in [-400, 400], not {komi}")
        rules = rules_from_name("chinese", float(komi))
        state = GameState.new(size, rules)
        human = Color.BLACK if color == "B" else Color.WHITE
        game = self._games.add(lambda key: PlayGame(key, state, human, self.worker))
        game.start()
        return game

    def get(self, game_id: str) -> PlayGame:
        """The game ``game_id`` (GameError if there is none)."""
        try:
            return self._games.get(game_id)
        except LookupError as err:
            raise GameError(str(err)) from err
