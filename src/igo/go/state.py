"""GameState: a board plus everything the rules need: side to play, history, ko, passes, result.

The board itself lives in one compiled int64 vector (see ``board.py``); this class is the small,
typed surface over it. Superko is checked against the Zobrist hashes of every earlier position
(positional: stones only; situational: stones and the side to play). ``undo`` replays the game
from its starting position, which keeps ``copy`` cheap (no per-move snapshots to copy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar, Self

import numpy as np

from igo.go import board, board_core
from igo.go.board import KERNELS, Geometry, geometry
from igo.go.coords import Color, Point, check_size
from igo.go.errors import CannotUndo, IllegalMove
from igo.go.jit import KernelSet
from igo.go.rules import Rules
from igo.go.text import format_ascii, parse_ascii

__all__ = ["CannotUndo", "GameState", "IllegalMove"]

# XOR-ed into the hash when white is to play, for situational superko.
_WHITE_TO_PLAY_KEY = 0x3C6EF372FE94F82A
_REASONS = {board.OCCUPIED: "occupied", board.SUICIDE: "suicide", board.KO: "ko"}
# Module constants, so that the per-move paths build no union type or enum member.
_POINT_TYPES = (int, np.integer)
_OPPONENT = (Color.EMPTY, Color.WHITE, Color.BLACK)


def _as_color(color: Color | int) -> Color:
    """``color`` as a Color (ValueError if it is none); a Color passes through untouched."""
    return color if type(color) is Color else Color(color)


class GameState:
    """A game in progress on a ``size`` board under ``rules``. Mutable: ``play``, ``undo``."""

    kernels: ClassVar[KernelSet] = KERNELS
    """The board kernels this class calls: compiled, or their interpreted twins while a cold
    start compiles them (``igo.go.warm``)."""

    def __init__(self, size: int, rules: Rules, move_cap: int | None = None) -> None:
        self.size = check_size(size)
        self.rules = rules
        self.move_cap = move_cap
        self.geometry: Geometry = geometry(size)
        self._s = board.new_board(size, self.kernels)
        self._n = size * size  # num_points, read on every move
        self._hash_at = board_core.NUM_FIELDS * self._n + board_core.M_HASH
        self.to_play = Color.BLACK
        self.num_handicap = 0
        self.consecutive_passes = 0
        self.resigned: Color | None = None
        self._moves: list[tuple[Color, Point]] = []
        self._initial = (self._s.copy(), self.to_play, self.num_handicap)
        self._seen: set[int] = set()
        self._remember()

    @classmethod
    def new(cls, size: int = 19, rules: Rules | None = None, move_cap: int | None = None) -> Self:
        """An empty board, black to play."""
        return cls(size, rules if rules is not None else Rules(), move_cap)

    # ----- reading the position -----
    @property
    def num_points(self) -> int:
        """size * size; also the PASS index."""
        return self._n

    @property
    def board_vector(self) -> np.ndarray:
        """The compiled board vector (read it, never write it; see ``board.py`` for the layout)."""
        return self._s

    @property
    def moves(self) -> tuple[tuple[Color, Point], ...]:
        """Moves played since the starting position, as (colour, point); pass is ``size**2``."""
        return tuple(self._moves)

    @property
    def hash(self) -> int:
        """Zobrist hash of the stones."""
        return int(self._s[self._hash_at])

    @property
    def ko_point(self) -> Point | None:
        """The point the side to play may not take back this turn (simple ko), if any."""
        m = board_core.NUM_FIELDS * self.num_points
        ko = int(self._s[m + board_core.M_KO])
        return ko if ko >= 0 and int(self._s[m + board_core.M_KO_COLOR]) == self.to_play else None

    def stones(self) -> np.ndarray:
        """int8 [size*size]: 0 empty, 1 black, 2 white (a copy)."""
        return self._s[: self.num_points].astype(np.int8)

    def color_at(self, point: Point) -> Color:
        """The colour on ``point``."""
        self._check_point(point, allow_pass=False)
        return Color(int(self._s[point]))

    def captures(self, color: Color) -> int:
        """Stones captured by ``color`` so far."""
        m = board_core.NUM_FIELDS * self.num_points
        return int(self._s[m + board_core.M_CAP_B + int(color) - 1])

    def liberties(self, point: Point) -> int:
        """Exact liberties of the string through ``point`` (0 for an empty point)."""
        if self.color_at(point) == Color.EMPTY:
            return 0
        return int(self.kernels.count_liberties(self._s, self.geometry.neighbours, point))

    def is_eye(self, point: Point, color: Color) -> bool:
        """Whether empty ``point`` is a true eye of ``color`` (see ``board.is_eye``)."""
        self._check_point(point, allow_pass=False)
        g = self.geometry
        return bool(self.kernels.is_eye(self._s, g.neighbours, g.diagonals, point, int(color)))

    # ----- legality -----
    def _position_key(self, stone_hash: int, to_play: Color) -> int:
        if self.rules.ko == "situational" and to_play == Color.WHITE:
            return stone_hash ^ _WHITE_TO_PLAY_KEY
        return stone_hash

    def _remember(self) -> None:
        self._seen.add(self._position_key(self.hash, self.to_play))

    def _on_board(self, point: Point, allow_pass: bool = True) -> bool:
        """Whether ``point`` is an integer index of a point (or pass, if allowed)."""
        return isinstance(point, _POINT_TYPES) and 0 <= point < self._n + allow_pass

    def _check_point(self, point: Point, allow_pass: bool = True) -> None:
        if not self._on_board(point, allow_pass):
            raise IllegalMove("off board", self._off_board_message(point))

    def _off_board_message(self, point: object) -> str:
        return f"point {point!r} is not on the {self.size}x{self.size} board"

    def legality(self, point: Point, color: Color | None = None) -> str | None:
        """None if ``color`` may play ``point`` now, else the reason it may not: wrong color,
        game over, off board, occupied, suicide, ko or superko."""
        color = self.to_play if color is None else _as_color(color)
        if color == Color.EMPTY:
            return "wrong color"
        if self.is_over():
            return "game over"
        if not self._on_board(point):
            return "off board"
        if point == self._n:
            return None
        g = self.geometry
        code = self.kernels.check(
            self._s, g.neighbours, point, int(color), self.rules.multi_stone_suicide
        )
        if code != board.OK:
            return _REASONS[code]
        if self.rules.ko != "simple":
            k = self.kernels
            after = int(k.hash_after(self._s, g.neighbours, g.zobrist, point, int(color)))
            if self._position_key(after, _OPPONENT[color]) in self._seen:
                return "superko"
        return None

    def is_legal(self, point: Point, color: Color | None = None) -> bool:
        """Whether ``color`` (default: the side to play) may play ``point``; pass is always legal
        while the game is not over, an off-board point never is."""
        return self.legality(point, color) is None

    def legal_mask(self, color: Color | None = None) -> np.ndarray:
        """bool [size*size + 1]: legal points of ``color``, then pass (all False once over)."""
        color = self.to_play if color is None else _as_color(color)
        n = self._n
        mask = np.zeros(n + 1, dtype=np.bool_)
        if self.is_over():
            return mask
        g = self.geometry
        multi = self.rules.multi_stone_suicide
        if self.rules.ko == "simple":  # no position repeats to look up: no move hashes needed
            self.kernels.legal_mask(self._s, g.neighbours, int(color), multi, mask)
        else:
            hashes = np.zeros(n, dtype=np.int64)
            k = self.kernels
            k.legal_points(self._s, g.neighbours, g.zobrist, int(color), multi, mask, hashes)
            # _position_key inlined over plain ints: this loop visits every legal point
            situational = self.rules.ko == "situational" and color == Color.BLACK
            flip = _WHITE_TO_PLAY_KEY if situational else 0
            seen = self._seen
            points = np.flatnonzero(mask[:n])
            for p, after in zip(points.tolist(), hashes[points].tolist(), strict=True):
                if after ^ flip in seen:
                    mask[p] = False
        mask[n] = True
        return mask

    def legal_moves(self, color: Color | None = None) -> list[Point]:
        """Legal points of ``color``, pass last."""
        moves: list[Point]
        if self.rules.ko != "simple" or self.is_over():
            moves = np.flatnonzero(self.legal_mask(color)).tolist()
            return moves
        # Under simple ko one kernel lists the points: no mask, no hashes, no nonzero pass.
        color = self.to_play if color is None else _as_color(color)
        out = np.empty(self._n + 1, dtype=np.int64)
        multi, g = self.rules.multi_stone_suicide, self.geometry
        num = self.kernels.legal_list(self._s, g.neighbours, int(color), multi, out)
        out[num] = self._n
        moves = out[: num + 1].tolist()
        return moves

    # ----- changing the position -----
    def play(self, point: Point, color: Color | None = None) -> None:
        """Play ``point`` (``size**2`` to pass) for ``color`` (default: the side to play).

        Raises:
            IllegalMove: with the reason; the state is unchanged.
        """
        color = self.to_play if color is None else _as_color(color)
        reason = self.legality(point, color)
        if reason is not None:
            off = reason == "off board"
            raise IllegalMove(reason, self._off_board_message(point) if off else None)
        self._apply(int(point), color)

    def _apply(self, point: Point, color: Color) -> None:
        """Play a move already known to be legal."""
        if point == self._n:
            self.consecutive_passes += 1
            self._s[board_core.NUM_FIELDS * self._n + board_core.M_KO] = -1
        else:
            g = self.geometry
            self.kernels.play(self._s, g.neighbours, g.zobrist, point, int(color))
            self.consecutive_passes = 0
        self._moves.append((color, point))
        self.to_play = _OPPONENT[color]
        self._remember()

    def pass_move(self, color: Color | None = None) -> None:
        """Pass for ``color`` (default: the side to play)."""
        self.play(self.num_points, color)

    def resign(self, color: Color | None = None) -> None:
        """``color`` (default: the side to play) resigns; the game is over.

        Raises:
            IllegalMove: ("game over") if the game is already over.
        """
        if self.is_over():
            raise IllegalMove("game over")
        self.resigned = self.to_play if color is None else _as_color(color)

    def undo(self) -> None:
        """Take back the last move (or resignation).

        Raises:
            CannotUndo: at the starting position.
        """
        if self.resigned is not None:
            self.resigned = None
            return
        if not self._moves:
            raise CannotUndo("cannot undo")
        moves = self._moves[:-1]
        self._restart()
        # The moves were legal when first played, so they replay without checks. A move after two
        # passes means the game was resumed (as GTP controllers allow), so the replay resumes too,
        # also before the move being taken back.
        for color, point in moves:
            if self.consecutive_passes >= 2:
                self.resume()
            self._apply(point, color)
        if self.consecutive_passes >= 2:
            self.resume()

    def _restart(self) -> None:
        s, to_play, handicap = self._initial
        self._s = s.copy()
        self.to_play, self.num_handicap = to_play, handicap
        self.consecutive_passes = 0
        self.resigned = None
        self._moves = []
        self._seen = set()
        self._remember()

    def _set_start(self) -> None:
        """Make the current position the starting position (after setup or handicap)."""
        self._moves = []
        self.consecutive_passes = 0
        self._seen = set()
        self._remember()
        self._initial = (self._s.copy(), self.to_play, self.num_handicap)

    def setup(
        self,
        black: Iterable[Point] = (),
        white: Iterable[Point] = (),
        empty: Iterable[Point] = (),
        to_play: Color | None = None,
        num_handicap: int | None = None,
    ) -> None:
        """Place or clear stones freely (SGF AB/AW/AE) and start the game from there; ``to_play``
        and ``num_handicap`` (the HA count, for scoring) are set when given.

        Raises:
            IllegalMove: if a point is off the board or a string is left with no liberty.
        """
        stones = self._s[: self.num_points].copy()
        for value, points in ((Color.EMPTY, empty), (Color.BLACK, black), (Color.WHITE, white)):
            for p in points:
                self._check_point(p, allow_pass=False)
                stones[int(p)] = value
        g = self.geometry
        trial = self._s.copy()
        self.kernels.rebuild(trial, g.neighbours, g.zobrist, stones)
        for stone in np.flatnonzero(stones):
            if self.kernels.count_liberties(trial, g.neighbours, int(stone)) == 0:
                raise IllegalMove(
                    "suicide", f"setup leaves the string at {int(stone)} without liberties"
                )
        self._s = trial
        if to_play is not None:
            self.to_play = Color(to_play)
        if num_handicap is not None:
            self.num_handicap = num_handicap
        self._set_start()

    def place_handicap(self, points: Sequence[Point]) -> None:
        """Put black handicap stones on an empty board; white plays next.

        Raises:
            ValueError: if the board is not empty, a point repeats, or fewer than 2 stones.
        """
        if self._moves or np.any(self._s[: self.num_points]):
            raise ValueError("board not empty")
        if len(points) < 2 or len(set(points)) != len(points):
            raise ValueError("invalid number of stones")
        self.setup(black=points, to_play=Color.WHITE)
        self.num_handicap = len(points)
        self._initial = (self._s.copy(), self.to_play, self.num_handicap)

    def resume(self) -> None:
        """Let a game that ended by passes or resignation go on (GTP controllers do this, e.g. to
        settle a disputed count)."""
        self.consecutive_passes = 0
        self.resigned = None

    def change_rules(self, rules: Rules) -> None:
        """Play on under ``rules`` from this position (GTP controllers change the rules mid-game).

        The stones, captures, history and side to play stay exactly as they are, and every
        earlier position still counts for superko from now on; the moves already played are not
        judged again (a multi-stone suicide played under Tromp-Taylor stays on the record).
        ``undo`` keeps the new rules.
        """
        # Situational superko keys positions with the side to play; the other rules do not.
        rekey = (rules.ko == "situational") != (self.rules.ko == "situational")
        self.rules = rules
        if rekey:
            replay = self.start_position()  # remembers the start under the new rules
            for color, point in self._moves:
                replay._apply(point, color)
            self._seen = replay._seen

    def start_position(self) -> GameState:
        """A copy of this game rewound to its starting position (after setup and handicap)."""
        start = self.copy()
        start._restart()
        return start

    def is_over(self) -> bool:
        """Two passes in a row, a resignation, or the move cap reached."""
        if self.resigned is not None or self.consecutive_passes >= 2:
            return True
        return self.move_cap is not None and len(self._moves) >= self.move_cap

    def copy(self) -> GameState:
        """An independent copy (the board vector and history are copied, tables shared)."""
        other = type(self).__new__(type(self))
        other.__dict__.update(self.__dict__)
        other._s = self._s.copy()
        other._moves = list(self._moves)
        other._seen = set(self._seen)
        return other

    # ----- text -----
    def to_ascii(self) -> str:
        """The board as text: ``X`` black, ``O`` white, ``.`` empty, GTP coordinates around."""
        return format_ascii(self.stones(), self.size)

    def __str__(self) -> str:
        return self.to_ascii()

    @classmethod
    def from_ascii(
        cls,
        text: str,
        rules: Rules | None = None,
        to_play: Color = Color.BLACK,
        move_cap: int | None = None,
    ) -> Self:
        """A position from rows of ``X`` (black), ``O`` (white) and ``.``, top row first; spaces
        are ignored; the board size is the number of rows."""
        size, black, white = parse_ascii(text)
        state = cls.new(size, rules, move_cap)
        state.setup(black=black, white=white, to_play=to_play)
        return state
