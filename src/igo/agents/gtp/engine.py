"""GoEngine: a GTP engine that keeps the game and asks a Player for moves.

It implements the ``Engine`` protocol of ``igo.io.gtp``: the standard GTP 2 commands, the
tournament commands (handicap, scoring, time), and the extensions Sabaki, GoGui, Lizzie, KGS and
KataGo-aware tools send. The game lives here, not in the player: the engine replays its own
history when a move is undone, applies a rule change from the current position on
(``igo.agents.gtp.game``), and tells the player with ``reset``.

This module holds the engine itself: the game, the player and its start-up, the clocks, the
path of a chosen move into the game, and the command table. The commands are answered by the
command groups, which see the engine only as an ``EngineContext`` (``igo.agents.gtp.context``):

| group (module.class)                   | commands                                                |
|----------------------------------------|---------------------------------------------------------|
| ``board_commands.BoardCommands``       | setup, rules, handicap, ``loadsgf``, board queries      |
| ``move_commands.MoveCommands``         | ``play``, the ``genmove`` family, ``undo``              |
| ``clocks.TimeCommands``                | ``time_settings``, ``kgs-time_settings``, ``time_left`` |
| ``score_commands.ScoreCommands``       | ``final_score``, ``final_status_list``                  |
| ``analysis_commands.AnalysisCommands`` | ``lz-analyze``, ``kata-analyze`` and the like           |

A player that supports analysis (``igo.agents.analysis.AnalysisPlayer``: the search players)
also gets the analysis commands; a player whose networks play some board sizes only
(``board_sizes``) makes ``boardsize`` refuse the others.

GTP has no notion of a finished game, so after two passes ``play`` and ``genmove`` simply go on
(KGS's cleanup phase relies on that); resignation is reported but never recorded as an end.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import metadata

from igo.agents.analysis import supports_analysis
from igo.agents.gtp.analysis_commands import AnalysisCommands
from igo.agents.gtp.board_commands import BoardCommands
from igo.agents.gtp.clocks import GameClocks, TimeCommands
from igo.agents.gtp.game import GtpGame, StartPosition
from igo.agents.gtp.move_commands import MoveCommands
from igo.agents.gtp.score_commands import ScoreCommands
from igo.agents.gtp.startup import Startup, StartupError
from igo.agents.player import (
    Clock,
    Player,
    Resign,
    Seedable,
    board_sizes_of,
    prepare_player,
)
from igo.go.coords import Color, Point, to_gtp
from igo.go.rules import PRESETS, Rules
from igo.go.state import GameState
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
            (``igo.agents.gtp.startup``); otherwise the first move prepares it.
        version: what ``version`` answers instead of igo's version, as KataGo's
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
        self.clocks = GameClocks()
        self._startup = Startup(player, self.log).start() if background else None
        self.game = GtpGame(size, rules if komi is None else rules.with_komi(komi))
        self._moves = MoveCommands(self)  # keeps the cleanup phase's random generator
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
        board, moves = BoardCommands(self), self._moves
        times, score = TimeCommands(self.clocks), ScoreCommands(self)
        table: dict[str, Handler] = standard_commands(self, lambda: list(table))
        table.update(
            {
                "boardsize": board.boardsize,
                "clear_board": board.clear_board,
                "komi": board.komi,
                "play": moves.play,
                "genmove": moves.genmove,
                "reg_genmove": moves.reg_genmove,
                "kgs-genmove_cleanup": moves.genmove_cleanup,
                "undo": moves.undo,
                "showboard": board.showboard,
                "fixed_handicap": board.fixed_handicap,
                "place_free_handicap": board.place_free_handicap,
                "set_free_handicap": board.set_free_handicap,
                "final_score": score.final_score,
                "final_status_list": score.final_status_list,
                "loadsgf": board.loadsgf,
                "printsgf": board.printsgf,
                "time_settings": times.time_settings,
                "kgs-time_settings": times.kgs_time_settings,
                "time_left": times.time_left,
                "kgs-rules": board.kgs_rules,
                "kata-set-rules": board.kata_set_rules,
                "kata-get-rules": board.kata_get_rules,
                "list_stones": board.list_stones,
                "captures": board.captures,
                "is_legal": board.is_legal,
                "gogui-analyze_commands": lambda args: "",
                "igo-search_stats": moves.search_stats,
            }
        )
        if isinstance(self.player, Seedable):
            table["set_random_seed"] = self._set_random_seed
        if supports_analysis(self.player):
            table.update(AnalysisCommands(self, self.player).table())
        return table

    def _set_random_seed(self, args: list[str]) -> str:
        """GNU Go's ``set_random_seed N``: the player's generators restart from N (an arena
        keeps one engine for many games and gives each game its own seed this way)."""
        if len(args) != 1 or not args[0].lstrip("-").isdigit():
            raise GtpError("syntax error: set_random_seed takes one whole number")
        assert isinstance(self.player, Seedable)
        self.player.reseed(int(args[0]))
        return ""

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
        """Start a new game (same size by default), with fresh clocks; tell the player (and the
        log, what plays a new size: a ``SizedPlayer``'s ``size_note``)."""
        resized = size is not None and size != self.size
        self.game.new_game(size, start)
        self.clocks.reset()
        self._moves.reset_stats()
        self.position_changed()
        note = getattr(self.player, "size_note", None)
        if resized and note is not None:
            self.log(note(self.size))

    def set_rules(self, rules: Rules) -> None:
        """Play on under ``rules`` (komi included) from the current position; tell the player."""
        self.game.set_rules(rules)
        self.position_changed()

    # ----- a chosen move's way into the game -----
    def move_context(self, color: Color) -> tuple[GameState, Clock | None]:
        """The position with ``color`` to play, and ``color``'s clock, for choosing a move."""
        return self.game.view(color), self.clocks.get(color)

    def settle(
        self, color: Color, clock: Clock | None, elapsed: float, move: Point | Resign
    ) -> Point | Resign:
        """Charge ``elapsed`` seconds to ``color``'s clock and check the player's move: the move,
        or pass instead of an illegal one."""
        self.clocks.charge(color, clock, elapsed)
        if not isinstance(move, Resign) and not self.game.is_legal(move, color):
            # A player bug must not forfeit the game: pass instead, and say so.
            self.log(f"{self.player.name} chose the illegal move {move!r}; passing instead")
            move = self.size * self.size
        return move

    def play_move(self, color: Color, move: Point | Resign) -> str:
        """Play a move the rules allow, record it and tell the player (RESIGN plays nothing):
        its GTP text."""
        if isinstance(move, Resign):
            return "resign"
        self.game.play(move, color)
        self.player.observe(color, move)
        return to_gtp(move, self.size)

    def play_chosen(
        self, color: Color, clock: Clock | None, elapsed: float, move: Point | Resign
    ) -> str:
        """Settle a move chosen from ``move_context`` and play it: its GTP text (or resign)."""
        return self.play_move(color, self.settle(color, clock, elapsed, move))

    # ----- the player's start-up -----
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


def _stderr_log(message: str) -> None:
    print(f"igo: {message}", file=sys.stderr, flush=True)
