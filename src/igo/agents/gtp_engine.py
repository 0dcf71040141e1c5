"""GoEngine: a GTP engine that keeps the game and asks a Player for moves.

It implements the ``Engine`` protocol of ``igo.io.gtp``: the standard GTP 2 commands, the
tournament commands (handicap, scoring, time), and the extensions Sabaki, GoGui, Lizzie, KGS and
KataGo-aware tools send. The game lives here, not in the player: the engine replays its own
history when the rules change or a move is undone, and tells the player with ``reset``.

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
from igo.agents.gtp_game import GtpGame, StartPosition, stone_strings
from igo.agents.gtp_rules import parse_int, parse_number
from igo.agents.handicap import fixed_handicap, free_handicap, max_free_handicap
from igo.agents.player import Clock, Player, Resign, TimeSettings, board_sizes_of
from igo.agents.random_player import sensible_moves
from igo.go.coords import MAX_SIZE, MIN_SIZE, Color, Point, from_gtp, parse_color, to_gtp
from igo.go.rules import PRESETS, Rules
from igo.go.scoring import final_score, final_status, seki_stones
from igo.go.state import CannotUndo, GameState
from igo.io import sgf
from igo.io.gtp import GtpError, Handler, standard_commands


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
    """

    def __init__(
        self,
        player: Player,
        size: int = 19,
        rules: Rules | None = None,
        komi: float | None = None,
        num_scoring_playouts: int = 256,
        log: Callable[[str], None] | None = None,
    ) -> None:
        rules = rules if rules is not None else PRESETS["chinese"]
        self.player = player
        self.board_sizes = board_sizes_of(player)
        if self.board_sizes is not None and size not in self.board_sizes:
            size = self.board_sizes[0]
        self.num_scoring_playouts = num_scoring_playouts
        self.log = log or _stderr_log
        self.time_settings: TimeSettings | None = None
        self._clocks: dict[Color, Clock] = {}
        self._cleanup_rng = np.random.default_rng(0)
        self.game = GtpGame(size, rules if komi is None else rules.with_komi(komi))
        self._position_changed()

    @property
    def name(self) -> str:
        """The engine name, as GTP ``name`` reports it."""
        return f"igo ({self.player.name})"

    @property
    def version(self) -> str:
        """The igo package version."""
        return _package_version()

    def commands(self) -> Mapping[str, Handler]:
        """The full command table (standard commands first)."""
        table: dict[str, Handler] = standard_commands(self, lambda: list(table))
        table.update(
            {
                "boardsize": self._boardsize,
                "clear_board": self._clear_board,
                "komi": self._komi,
                "play": self._play,
                "genmove": self._genmove,
                "reg_genmove": self._reg_genmove,
                "kgs-genmove_cleanup": self._genmove_cleanup,
                "undo": self._undo,
                "showboard": self._showboard,
                "fixed_handicap": self._fixed_handicap,
                "place_free_handicap": self._place_free_handicap,
                "set_free_handicap": self._set_free_handicap,
                "final_score": self._final_score,
                "final_status_list": self._final_status_list,
                "loadsgf": self._loadsgf,
                "printsgf": self._printsgf,
                "time_settings": self._time_settings,
                "kgs-time_settings": self._kgs_time_settings,
                "time_left": self._time_left,
                "kgs-rules": self._kgs_rules,
                "kata-set-rules": self._kata_set_rules,
                "kata-get-rules": lambda args: gtp_rules.rules_to_katago(self.rules),
                "list_stones": self._list_stones,
                "captures": self._captures,
                "is_legal": self._is_legal,
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

    def _position_changed(self) -> None:
        """Tell the player the position changed other than by a move."""
        self.player.reset(self.state.copy())

    def _new_game(self, size: int | None = None, start: StartPosition | None = None) -> None:
        self.game.new_game(size, start)
        self._new_game_clocks()
        self._position_changed()

    def _new_game_clocks(self) -> None:
        settings = self.time_settings
        self._clocks = {}
        if settings is not None:
            self._clocks = {c: Clock.start(settings) for c in (Color.BLACK, Color.WHITE)}

    def _commit(self, color: Color, point: Point) -> None:
        """Play a move the rules allow, record it, and tell the player."""
        self.game.play(point, color)
        self.player.observe(color, point)

    # ----- arguments -----
    def _vertex(self, word: str) -> Point:
        try:
            return from_gtp(word, self.size)
        except ValueError:
            raise GtpError("syntax error") from None

    def _vertices(self, points: list[Point] | np.ndarray) -> str:
        return " ".join(to_gtp(int(p), self.size) for p in points)

    @staticmethod
    def _color(args: list[str], arity: int = 1) -> Color:
        if len(args) != arity:
            raise GtpError("syntax error")
        try:
            return parse_color(args[0])
        except ValueError:
            raise GtpError("syntax error") from None

    # ----- setup commands -----
    def _boardsize(self, args: list[str]) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        size = parse_int(args[0])
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise GtpError("unacceptable size")
        if self.board_sizes is not None and size not in self.board_sizes:
            raise GtpError("unacceptable size")
        self._new_game(size)
        return ""

    def _clear_board(self, args: list[str]) -> str:
        self._new_game()
        return ""

    def _set_rules(self, rules: Rules) -> None:
        self.game.set_rules(rules)
        self._position_changed()

    def _komi(self, args: list[str]) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        komi = parse_number(args[0])
        if abs(komi) > 1000:
            raise GtpError("syntax error")
        # Rules hold whole or half komi; a controller sending 6.75 gets the nearest half point.
        self._set_rules(self.rules.with_komi(round(komi * 2) / 2))
        return ""

    def _kgs_rules(self, args: list[str]) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        self._set_rules(gtp_rules.rules_from_kgs(args[0], self.rules.komi))
        return ""

    def _kata_set_rules(self, args: list[str]) -> str:
        if not args:
            raise GtpError("syntax error")
        self._set_rules(gtp_rules.rules_from_katago(" ".join(args), self.rules.komi))
        return ""

    def _loadsgf(self, args: list[str]) -> str:
        if len(args) not in (1, 2):
            raise GtpError("syntax error")
        move_number = parse_int(args[1]) if len(args) == 2 else None
        try:
            record = sgf.read_sgf(args[0])
        except (OSError, ValueError):
            raise GtpError("cannot load file") from None
        try:
            self.game.load(record, None if move_number is None else max(0, move_number - 1))
        except ValueError:
            raise GtpError("cannot load file") from None
        self._new_game_clocks()
        self._position_changed()
        return ""

    # ----- moves -----
    def _play(self, args: list[str]) -> str:
        if len(args) != 2:
            raise GtpError("syntax error")
        color = self._color(args[:1])
        point = self._vertex(args[1])
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

    def _choose(self, color: Color) -> Point | Resign:
        """Ask the player for ``color``'s move, keeping our own copy of its clock."""
        state, clock = self.move_context(color)
        started = time.monotonic()
        move = self.player.genmove(state, clock)
        return self._settle(color, clock, time.monotonic() - started, move)

    def _genmove(self, args: list[str]) -> str:
        color = self._color(args)
        return self._play_settled(color, self._choose(color))

    def _reg_genmove(self, args: list[str]) -> str:
        move = self._choose(self._color(args))
        return "resign" if isinstance(move, Resign) else to_gtp(move, self.size)

    def _genmove_cleanup(self, args: list[str]) -> str:
        """Like genmove, but never pass while a sensible move remains (KGS cleanup phase), so
        dead opponent stones end up captured."""
        color = self._color(args)
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
        self._position_changed()
        return ""

    # ----- handicap -----
    def _check_empty_board(self) -> None:
        if not self.game.is_empty():
            raise GtpError("board not empty")

    def _handicap(self, args: list[str], place: bool) -> str:
        if len(args) != 1:
            raise GtpError("syntax error")
        count = parse_int(args[0])
        self._check_empty_board()
        try:
            points = (free_handicap if place else fixed_handicap)(self.size, count)
        except ValueError:
            raise GtpError("invalid number of stones") from None
        self._new_game(start=StartPosition(tuple(points), (), Color.WHITE, len(points)))
        return self._vertices(points)

    def _fixed_handicap(self, args: list[str]) -> str:
        return self._handicap(args, place=False)

    def _place_free_handicap(self, args: list[str]) -> str:
        return self._handicap(args, place=True)

    def _set_free_handicap(self, args: list[str]) -> str:
        try:
            points = [from_gtp(word, self.size) for word in args]
        except ValueError:
            raise GtpError("bad vertex list") from None
        if len(set(points)) != len(points) or self.size * self.size in points:
            raise GtpError("bad vertex list")
        if not 2 <= len(points) <= max_free_handicap(self.size):
            raise GtpError("invalid number of stones")
        self._check_empty_board()
        self._new_game(start=StartPosition(tuple(points), (), Color.WHITE, len(points)))
        return ""

    # ----- scoring -----
    def _dead(self) -> np.ndarray:
        return final_status(self.state, self.num_scoring_playouts)

    def _final_score(self, args: list[str]) -> str:
        return final_score(self.state, self._dead(), self.num_scoring_playouts).to_sgf()

    def _final_status_list(self, args: list[str]) -> str:
        if len(args) != 1 or args[0].lower() not in ("alive", "dead", "seki"):
            raise GtpError("syntax error")
        dead = self._dead()
        seki = seki_stones(self.state, dead, self.num_scoring_playouts)
        stones = self.state.stones() != 0
        wanted = {"dead": dead, "seki": seki & ~dead, "alive": stones & ~dead & ~seki}
        mask = wanted[args[0].lower()] & stones
        # One string per line, as GNU Go answers.
        return "\n".join(self._vertices(s) for s in stone_strings(self.state, mask))

    # ----- time -----
    def _set_time(self, settings: TimeSettings | None) -> str:
        self.time_settings = settings
        self._new_game_clocks()
        return ""

    def _time_settings(self, args: list[str]) -> str:
        return self._set_time(gtp_rules.time_settings_from_gtp(args))

    def _kgs_time_settings(self, args: list[str]) -> str:
        return self._set_time(gtp_rules.time_settings_from_kgs(args))

    def _time_left(self, args: list[str]) -> str:
        if len(args) != 3:
            raise GtpError("syntax error")
        color = self._color(args[:1])
        seconds, stones = parse_number(args[1]), parse_int(args[2])
        if seconds < 0 or stones < 0:
            raise GtpError("syntax error")
        if self.time_settings is not None:
            self._clocks[color] = Clock(self.time_settings, seconds, stones)
        return ""

    # ----- queries -----
    def _showboard(self, args: list[str]) -> str:
        state = self.state
        captured = (
            f"black captured {state.captures(Color.BLACK)}, "
            f"white captured {state.captures(Color.WHITE)}; {state.to_play.name.lower()} to play"
        )
        return f"\n{state.to_ascii()}\n{captured}"

    def _list_stones(self, args: list[str]) -> str:
        color = self._color(args)
        return self._vertices(np.flatnonzero(self.state.stones() == int(color)))

    def _captures(self, args: list[str]) -> str:
        return str(self.state.captures(self._color(args)))

    def _is_legal(self, args: list[str]) -> str:
        if len(args) != 2:
            raise GtpError("syntax error")
        color = self._color(args[:1])
        return "1" if self.game.is_legal(self._vertex(args[1]), color) else "0"

    def _printsgf(self, args: list[str]) -> str:
        if len(args) > 1:
            raise GtpError("syntax error")
        text = sgf.write_sgf(self.game.record())
        if not args:
            return text
        try:
            with open(args[0], "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as err:
            raise GtpError(f"cannot write file: {err.strerror}") from None
        return ""


def _stderr_log(message: str) -> None:
    print(f"igo: {message}", file=sys.stderr, flush=True)
