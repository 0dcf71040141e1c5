"""A game between a person at a terminal and a Player: ASCII board in, moves like ``D4`` out.

The person types a vertex (``D4``), ``pass``, ``undo`` (takes back their last move and the
reply to it), ``resign``, ``quit`` or ``help``; anything else re-prompts with the reason. The end
of input leaves quietly, like ``quit``. Streams are arguments, so tests drive it with strings.
"""

from __future__ import annotations

from typing import TextIO

from igo.agents.player import Player, Resign
from igo.go.coords import Color, Point, from_gtp, to_gtp
from igo.go.result import GameResult
from igo.go.scoring import final_score
from igo.go.state import GameState

HELP = "Enter a move like D4, or: pass, undo, resign, quit, help."


class _Quit(Exception):
    """The person left (quit or end of input)."""


class TerminalGame:
    """One game; ``run`` plays it to the end and returns the process exit status."""

    def __init__(
        self,
        player: Player,
        state: GameState,
        human: Color,
        stdin: TextIO,
        stdout: TextIO,
    ) -> None:
        self.player, self.state, self.human = player, state, human
        self.stdin, self.stdout = stdin, stdout

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def run(self) -> int:
        """Play until the game ends or the person quits. Returns 0."""
        self.player.reset(self.state.copy())
        self.say(f"You play {self.human.name.lower()}. {HELP}")
        try:
            while not self.state.is_over():
                if self.state.to_play == self.human:
                    self.say(f"\n{self.state.to_ascii()}")
                    self._human_turn()
                else:
                    self._engine_turn()
        except _Quit:
            self.say("\nGame abandoned.")
            return 0
        self.say(f"\n{self.state.to_ascii()}")
        self.say(f"Result: {self._result().to_sgf()}")
        return 0

    def _result(self) -> GameResult:
        if self.state.resigned is not None:
            return GameResult(self.state.resigned.opponent, "resign")
        return final_score(self.state)

    def _ask(self) -> str:
        self.stdout.write(f"{self.human.name.lower()} to play> ")
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            raise _Quit
        return line.strip()

    def _human_turn(self) -> None:
        """Read lines until one is a legal move or a command that ends the turn."""
        while True:
            word = self._ask()
            command = word.lower()
            if command == "quit":
                raise _Quit
            if command in ("help", "?"):
                self.say(HELP)
            elif command == "resign":
                self.state.resign(self.human)
                return
            elif command == "undo":
                self._undo()
                self.say(f"\n{self.state.to_ascii()}")
            elif command == "":
                self.say(HELP)
            elif self._try_move(word):
                return

    def _try_move(self, word: str) -> bool:
        try:
            point = from_gtp(word, self.state.size)
        except ValueError:
            self.say(f"Not a move: {word!r}. {HELP}")
            return False
        reason = self.state.legality(point, self.human)
        if reason is not None:
            self.say(f"Illegal move {word.upper()}: {reason}.")
            return False
        self._play(point, self.human)
        return True

    def _undo(self) -> None:
        """Take back the person's last move and everything after it (the engine's reply)."""
        if not any(color == self.human for color, _ in self.state.moves):
            self.say("Nothing to undo.")
            return
        while True:
            color, _ = self.state.moves[-1]
            self.state.undo()
            if color == self.human:
                break
        self.player.reset(self.state.copy())

    def _engine_turn(self) -> None:
        color = self.state.to_play
        move = self.player.genmove(self.state, None)
        if isinstance(move, Resign):
            self.say(f"igo ({color.name.lower()}) resigns.")
            self.state.resign(color)
            return
        self._play(move, color)
        self.say(f"igo ({color.name.lower()}) plays {to_gtp(move, self.state.size)}.")

    def _play(self, point: Point, color: Color) -> None:
        self.state.play(point, color)
        self.player.observe(color, point)


def play_in_terminal(
    player: Player, state: GameState, human: Color, stdin: TextIO, stdout: TextIO
) -> int:
    """Play ``player`` against a person on ``stdin``/``stdout``; returns the exit status (0)."""
    return TerminalGame(player, state, human, stdin, stdout).run()
