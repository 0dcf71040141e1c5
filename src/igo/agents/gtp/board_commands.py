"""GTP commands that set up or show the board: the game's size, komi, rules, start and record.

``BoardCommands`` answers the commands that change the game other than by a move, or only read
it: ``boardsize``, ``clear_board``, ``komi`` and the rules (``kgs-rules``, ``kata-set-rules``,
``kata-get-rules``), ``loadsgf``, handicap placement (``fixed_handicap``, ``place_free_handicap``,
``set_free_handicap``) and the queries (``showboard``, ``list_stones``, ``captures``,
``is_legal``, ``printsgf``). It sees the engine as an ``EngineContext``.
"""

from __future__ import annotations

import numpy as np

from igo.agents.gtp.arguments import (
    color_arg,
    parse_int,
    parse_number,
    rules_from_katago,
    rules_from_kgs,
    rules_to_katago,
    vertex_arg,
    vertex_list,
)
from igo.agents.gtp.context import EngineContext
from igo.agents.gtp.game import StartPosition
from igo.agents.handicap import fixed_handicap, free_handicap, max_free_handicap
from igo.go.coords import MAX_SIZE, MIN_SIZE, Color, Point, from_gtp
from igo.io import sgf
from igo.io.gtp import GtpError
from igo.io.sgf import SgfError

__all__ = ["BoardCommands"]


class BoardCommands:
    """The setup, rules, handicap and query command handlers of one engine."""

    def __init__(self, engine: EngineContext) -> None:
        self.engine = engine

    def _vertices(self, points: list[Point] | np.ndarray) -> str:
        return vertex_list(points, self.engine.size)

    # ----- setup commands -----
    def boardsize(self, args: list[str]) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        size = parse_int(args[0])
        refusal = self._size_refusal(size)
        if refusal is not None:
            # The standard reply, and the reason on the log: GUIs such as Lizzie ignore errors.
            self.engine.log(refusal)
            raise GtpError("unacceptable size")
        self.engine.new_game(size)
        return ""

    def _size_refusal(self, size: int) -> str | None:
        """Why the engine cannot play a ``size`` board (one log line), or None if it can."""
        if not MIN_SIZE <= size <= MAX_SIZE:
            return f"igo plays board sizes {MIN_SIZE} to {MAX_SIZE}, not {size}"
        sizes = self.engine.board_sizes
        if sizes is None or size in sizes:
            return None
        plays = " and ".join(f"{n}x{n}" for n in sizes)
        wanted = f"{size}x{size}"
        return (
            f"{self.engine.player.name} plays {plays} only (its networks are {plays}); "
            f"for {wanted} use --player auto (the default) or a --checkpoint with pooled heads"
        )

    def clear_board(self, args: list[str]) -> str:
        self.engine.new_game()
        return ""

    def komi(self, args: list[str]) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        komi = parse_number(args[0])
        if abs(komi) > 1000:
            raise GtpError("syntax error")
        # GTP says an engine must accept any komi; the rules count in quarter points.
        quarters = round(komi * 4) / 4
        if quarters != komi:
            self.engine.log(
                f"komi {komi:g} is played as {quarters:g} (komi goes in quarter points)"
            )
        self.engine.set_rules(self.engine.rules.with_komi(quarters))
        return ""

    def kgs_rules(self, args: list[str]) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        self.engine.set_rules(rules_from_kgs(args[0], self.engine.rules.komi))
        return ""

    def kata_set_rules(self, args: list[str]) -> str:
        if not args:
            raise GtpError("syntax error")
        rules = rules_from_katago(" ".join(args), self.engine.rules.komi)
        self.engine.set_rules(rules)
        return ""

    def kata_get_rules(self, args: list[str]) -> str:
        return rules_to_katago(self.engine.rules)

    def loadsgf(self, args: list[str]) -> str:
        """``loadsgf FILE [MOVE]``: the game of FILE, up to the position before move MOVE."""
        if len(args) not in (1, 2):
            raise GtpError("syntax error")
        path, move_number = args[0], parse_int(args[1]) if len(args) == 2 else None
        try:
            record = sgf.read_sgf(path)
        except OSError as err:
            raise GtpError(f"cannot load file: {path}: {_os_reason(err)}") from None
        except SgfError as err:  # the message names the file
            raise GtpError(f"cannot load file: {err}") from None
        refusal = self._size_refusal(record.size)
        if refusal is not None:
            self.engine.log(refusal)
            raise GtpError(
                f"cannot load file: {path}: a {record.size}x{record.size} game; {refusal}"
            )
        try:
            self.engine.game.load(record, None if move_number is None else max(0, move_number - 1))
        except SgfError as err:
            raise GtpError(f"cannot load file: {err}") from None
        self.engine.clocks.reset()
        self.engine.position_changed()
        return ""

    # ----- handicap -----
    def _check_empty_board(self) -> None:
        if not self.engine.game.is_empty():
            raise GtpError("board not empty")

    def _handicap(self, args: list[str], place: bool) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        count = parse_int(args[0])
        self._check_empty_board()
        try:
            points = (free_handicap if place else fixed_handicap)(self.engine.size, count)
        except ValueError:
            raise GtpError("invalid number of stones") from None
        self.engine.new_game(start=StartPosition(tuple(points), (), Color.WHITE, len(points)))
        return self._vertices(points)

    def fixed_handicap(self, args: list[str]) -> str:
        return self._handicap(args, place=False)

    def place_free_handicap(self, args: list[str]) -> str:
        return self._handicap(args, place=True)

    def set_free_handicap(self, args: list[str]) -> str:
        size = self.engine.size
        try:
            points = [from_gtp(word, size) for word in args]
        except ValueError:
            raise GtpError("bad vertex list") from None
        if len(set(points)) != len(points) or size * size in points:
            raise GtpError("bad vertex list")
        if not 2 <= len(points) <= max_free_handicap(size):
            raise GtpError("invalid number of stones")
        self._check_empty_board()
        self.engine.new_game(start=StartPosition(tuple(points), (), Color.WHITE, len(points)))
        return ""

    # ----- queries -----
    def showboard(self, args: list[str]) -> str:
        state = self.engine.state
        captured = (
            f"black captured {state.captures(Color.BLACK)}, "
            f"white captured {state.captures(Color.WHITE)}; {state.to_play.name.lower()} to play"
        )
        return f"\n{state.to_ascii()}\n{captured}"

    def list_stones(self, args: list[str]) -> str:
        color = color_arg(args)
        return self._vertices(np.flatnonzero(self.engine.state.stones() == int(color)))

    def captures(self, args: list[str]) -> str:
        return str(self.engine.state.captures(color_arg(args)))

    def is_legal(self, args: list[str]) -> str:
        if len(args) != 2:
            raise GtpError("syntax error")
        color = color_arg(args[:1])
        point = vertex_arg(args[1], self.engine.size)
        return "1" if self.engine.game.is_legal(point, color) else "0"

    def printsgf(self, args: list[str]) -> str:
        if len(args) > 1:
            raise GtpError("syntax error")
        record = self.engine.game.record()
        if not args:
            return sgf.write_sgf(record)
        try:
            sgf.save_sgf(record, args[0])
        except OSError as err:
            raise GtpError(f"cannot write file: {args[0]}: {_os_reason(err)}") from None
        return ""


def _os_reason(err: OSError) -> str:
    """An OSError's reason in words (``no such file or directory``), without its class name."""
    reason = err.strerror or "input/output error"
    return reason[:1].lower() + reason[1:]
