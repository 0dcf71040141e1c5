"""GoEngine: a GTP engine that keeps the game and asks a Player for moves.

It implements the ``Engine`` protocol of ``igo.io.gtp``: the standard GTP 2 commands, the
tournament commands (handicap, scoring, time), and the extensions Sabaki, GoGui, Lizzie, KGS and
KataGo-aware tools send. The game lives here, not in the player: the engine replays its own
history when a move is undone, applies a rule change from the current position on
(``igo.agents.gtp_game``), and tells the player with ``reset``.

This module holds the engine itself (the game, the player, the clocks and the command table),
the move commands (``play``, the ``genmove`` family, ``undo``) and the time commands. The setup,
handicap, scoring and query commands are ``BoardCommands`` in ``igo.agents.gtp_board``.

A player that supports analysis (``igo.agents.analysis.AnalysisPlayer``: the search players)
also gets the analysis commands of ``gtp_analysis`` (lz-analyze, kata-analyze and their genmove
forms, GoGui heat maps); a player whose networks play some board sizes only (``board_sizes``)
makes ``boardsize`` refuse the others.

GTP has no notion of a finished game, so after two passes ``play`` and ``genmove`` simply go on
(KGS's cleanup phase relies on that); resignation is reported but never recorded as an end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from importlib import metadata

import numpy as np

from igo.agents import gtp_rules
from igo.agents.analysis import supports_analysis
from igo.agents.gtp_analysis import AnalysisCommands
from igo.agents.gtp_board import BoardCommands, color_arg, player_refusals, vertex_arg
from igo.agents.gtp_game import GtpGame, StartPosition
from igo.agents.gtp_rules import parse_int, parse_number
from igo.agents.player import (
    Clock,
    Player,
    Resign,
    TimeSettings,
    board_sizes_of,
    prepare_player,
)
from igo.agents.startup import Startup, StartupError
from igo.go.coords import Color, Point, to_gtp
from igo.go.rules import PRESETS, Rules
from igo.go.sensible import sensible_moves
from igo.go.state import CannotUndo, GameState
from igo.io.gtp import GtpError, Handler, standard_commands

__all__ = ["GoEngine"]


def _package_version() -> str:
    try:
        return metadata.version("igo")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class GoEngine:
    """GTP engine around one ``Player``.

    Args:
        player: chooses moves for ``genmove`` and friends.
        size: initial board size (``boardsize`` changes it).
        rules: initial rules (default: Chinese); ``komi`` overrides their komi.
        num_scoring_playouts: random playouts used to judge dead stones when scoring.
        log: where diagnostics go (never standard output: that is the GTP channel).
        background: prepare the player (networks, compiled kernels) on a background thread
            from the start, answering every command that needs no move at once meanwhile
            (``igo.agents.startup``); otherwise the first move prepares it.
        version: what ``version`` answers instead of igo's own version, as KataGo's
            ``override-version``: Lizzie reads a Leela Zero version there and wants 0.15 or
            later (``--gtp-version 0.17``).
    """

    def __init__(
        self,
        player: Player,
        size: int = 19,
        rules: Rules | None = None,
        komi: float | None = None,
        num_scoring_playouts: int = 256,
        log: Callable[[str], None] | None = None,
        background: bool = False,
        version: str | None = None,
    ) -> None:
        rules = rules if rules is not None else PRESETS["chinese"]
        self.player = player
        self.board_sizes = board_sizes_of(player)
        if self.board_sizes is not None and size not in self.board_sizes:
            size = self.board_sizes[0]
        self.num_scoring_playouts = num_scoring_playouts
        self.log = log or _stderr_log
        self._version = version
        self.time_settings: TimeSettings | None = None
        self._clocks: dict[Color, Clock] = {}
        self._cleanup_rng = np.random.default_rng(0)
        self._startup = Startup(player, self.log).start() if background else None
        self.game = GtpGame(size, rules if komi is None else rules.with_komi(komi))
        self.position_changed()

    @property
    def name(self) -> str:
        """The engine name, as GTP ``name`` reports it."""
        return f"igo ({self.player.name})"

    @property
    def version(self) -> str:
        """The igo package version, or the version the engine was told to answer."""
        return _package_version() if self._version is None else self._version

    def commands(self) -> Mapping[str, Handler]:
        """The full command table (standard commands first)."""
        board = BoardCommands(self)
        table: dict[str, Handler] = standard_commands(self, lambda: list(table))
        table.update(
            {
                "boardsize": board.boardsize,
                "clear_board": board.clear_board,
                "komi": board.komi,
                "play": self._play,
                "genmove": player_refusals(self._genmove),
                "reg_genmove": player_refusals(self._reg_genmove),
                "kgs-genmove_cleanup": player_refusals(self._genmove_cleanup),
                "undo": self._undo,
                "showboard": board.showboard,
                "fixed_handicap": board.fixed_handicap,
                "place_free_handicap": board.place_free_handicap,
                "set_free_handicap": board.set_free_handicap,
                "final_score": board.final_score,
                "final_status_list": board.final_status_list,
                "loadsgf": board.loadsgf,
                "printsgf": board.printsgf,
                "time_settings": self._time_settings,
                "kgs-time_settings": self._kgs_time_settings,
                "time_left": self._time_left,
                "kgs-rules": board.kgs_rules,
                "kata-set-rules": board.kata_set_rules,
                "kata-get-rules": lambda args: gtp_rules.rules_to_katago(self.rules),
                "list_stones": board.list_stones,
                "captures": board.captures,
                "is_legal": board.is_legal,
                "gogui-analyze_commands": lambda args: "",
            }
        )
        if supports_analysis(self.player):
            table.update(AnalysisCommands(self, self.player).table())
        return table

    @property
    def state(self) -> GameState:
        """The current position."""
        return self.game.state

    @property
    def size(self) -> int:
        """The current board size."""
        return self.game.size

    @property
    def rules(self) -> Rules:
        """The rules in force, komi included."""
        return self.game.rules

    def position_changed(self) -> None:
        """Tell the player the position changed other than by a move."""
        self.player.reset(self.state.copy())

    def new_game(self, size: int | None = None, start: StartPosition | None = None) -> None:
        """Start a new game (same size by default), with fresh clocks; tell the player."""
        self.game.new_game(size, start)
        self.reset_clocks()
        self.position_changed()

    def reset_clocks(self) -> None:
        """Start both clocks afresh under the current time settings (none without them)."""
        settings = self.time_settings
        self._clocks = {}
        if settings is not None:
            self._clocks = {c: Clock.start(settings) for c in (Color.BLACK, Color.WHITE)}

    def set_rules(self, rules: Rules) -> None:
        """Play on under ``rules`` (komi included) from the current position; tell the player."""
        self.game.set_rules(rules)
        self.position_changed()

    def _commit(self, color: Color, point: Point) -> None:
        """Play a move the rules allow, record it, and tell the player."""
        self.game.play(point, color)
        self.player.observe(color, point)

    # ----- moves -----
    def _play(self, args: list[str]) -> str:
        if len(args) != 2:
            raise GtpError("syntax error")
        color = color_arg(args[:1])
        point = vertex_arg(args[1], self.size)
        if not self.game.is_legal(point, color):
            raise GtpError("illegal move")
        self._commit(color, point)
        return ""

    def move_context(self, color: Color) -> tuple[GameState, Clock | None]:
        """The position with ``color`` to play, and ``color``'s clock, for choosing a move."""
        return self.game.view(color), self._clocks.get(color)

    def _settle(
        self, color: Color, clock: Clock | None, elapsed: float, move: Point | Resign
    ) -> Point | Resign:
        """Charge ``elapsed`` seconds to ``color``'s clock and check the player's move."""
        if clock is not None:
            self._clocks[color] = clock.after_move(elapsed)
        if not isinstance(move, Resign) and not self.game.is_legal(move, color):
            # A player bug must not forfeit the game: pass instead, and say so.
            self.log(f"{self.player.name} chose the illegal move {move!r}; passing instead")
            move = self.size * self.size
        return move

    def play_chosen(
        self, color: Color, clock: Clock | None, elapsed: float, move: Point | Resign
    ) -> str:
        """Settle a move chosen from ``move_context`` and play it: its GTP text (or resign)."""
        return self._play_settled(color, self._settle(color, clock, elapsed, move))

    def _play_settled(self, color: Color, move: Point | Resign) -> str:
        if isinstance(move, Resign):
            return "resign"
        self._commit(color, move)
        return to_gtp(move, self.size)

    @property
    def player_ready(self) -> bool:
        """Whether the player's background start-up has finished (True without one)."""
        return self._startup is None or self._startup.done

    def wait_for_player(self) -> None:
        """Block until the player can move: its start-up done, or its preparation run now.

        Raises:
            GtpError: saying why the player cannot be prepared.
        """
        try:
            if self._startup is not None:
                self._startup.wait()
            else:
                prepare_player(self.player)
        except StartupError as err:
            raise GtpError(str(err)) from None
        except (ValueError, OSError, RuntimeError) as err:
            raise GtpError(f"cannot prepare {self.player.name}: {err}") from None

    def _choose(self, color: Color) -> Point | Resign:
        """Ask the player for ``color``'s move, keeping our own copy of its clock."""
        self.wait_for_player()
        state, clock = self.move_context(color)
        started = time.monotonic()
        move = self.player.genmove(state, clock)
        return self._settle(color, clock, time.monotonic() - started, move)

    def _genmove(self, args: list[str]) -> str:
        color = color_arg(args)
        return self._play_settled(color, self._choose(color))

    def _reg_genmove(self, args: list[str]) -> str:
        move = self._choose(color_arg(args))
        return "resign" if isinstance(move, Resign) else to_gtp(move, self.size)

    def _genmove_cleanup(self, args: list[str]) -> str:
        """Like genmove, but never pass while a sensible move remains (KGS cleanup phase), so
        dead opponent stones end up captured."""
        color = color_arg(args)
        move = self._choose(color)
        if move == self.size * self.size:
            candidates = sensible_moves(self.game.view(color), color)
            if candidates.size:
                move = int(self._cleanup_rng.choice(candidates))
        return self._play_settled(color, move)

    def _undo(self, args: list[str]) -> str:
        try:
            self.game.undo()
        except CannotUndo:
            raise GtpError("cannot undo") from None
        self.position_changed()
        return ""

    # ----- time -----
    def _set_time(self, settings: TimeSettings | None) -> str:
        self.time_settings = settings
        self.reset_clocks()
        return ""

    def _time_settings(self, args: list[str]) -> str:
        return self._set_time(gtp_rules.time_settings_from_gtp(args))

    def _kgs_time_settings(self, args: list[str]) -> str:
        return self._set_time(gtp_rules.time_settings_from_kgs(args))

    def _time_left(self, args: list[str]) -> str:
        if len(args) != 3:
            raise GtpError("syntax error")
        color = color_arg(args[:1])
        seconds, stones = parse_number(args[1]), parse_int(args[2])
        if seconds < 0 or stones < 0:
            raise GtpError("syntax error")
        if self.time_settings is not None:
            self._clocks[color] = Clock(self.time_settings, seconds, stones)
        return ""


def _stderr_log(message: str) -> None:
    print(f"igo: {message}", file=sys.stderr, flush=True)
