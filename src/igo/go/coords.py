"""Points and colours: the engine's one coordinate system and its conversions.

Inside the engine a move is a flat ``Point`` index, ``row * size + col`` with row 0 the top row,
and ``PASS`` is the index ``size * size`` (one past the last point). GTP, SGF and (row, col)
appear only at the edges, through the functions below.

| point           | flat (9x9) | (row, col) | SGF  | GTP    |
|-----------------|------------|------------|------|--------|
| upper-left      | 0          | (0, 0)     | aa   | A9     |
| upper-right     | 8          | (0, 8)     | ia   | J9     |
| lower-left      | 72         | (8, 0)     | ai   | A1     |
| pass            | 81         | --         | ""   | pass   |

GTP letters skip ``I``; GTP rows count from the bottom. SGF also writes a pass as ``tt`` on
boards of 19 and smaller, and we read that form too.
"""

from __future__ import annotations

from enum import IntEnum

Point = int

MIN_SIZE = 2
MAX_SIZE = 25
GTP_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
SGF_LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Color(IntEnum):
    """Contents of a point, and the side to play. Values match the compiled board arrays."""

    EMPTY = 0
    BLACK = 1
    WHITE = 2

    @property
    def opponent(self) -> Color:
        """The other side (EMPTY stays EMPTY)."""
        return Color(3 - self.value) if self else Color.EMPTY

    @property
    def letter(self) -> str:
        """``B`` or ``W`` (``.`` for empty), as SGF and GTP write colours."""
        return ".BW"[self.value]


def pass_point(size: int) -> Point:
    """The flat index that means pass on a ``size`` board."""
    return size * size


def check_size(size: int) -> int:
    """Return ``size`` if it is a supported board size, else raise ValueError."""
    if not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(
            f"board size must be an integer from {MIN_SIZE} to {MAX_SIZE}, not {size!r}"
        )
    return size


def parse_color(text: str) -> Color:
    """Read a colour as GTP writes it: ``b``, ``black``, ``w``, ``white`` (any case)."""
    word = text.strip().lower()
    if word in ("b", "black"):
        return Color.BLACK
    if word in ("w", "white"):
        return Color.WHITE
    raise ValueError(f"invalid color {text!r}")


def to_rowcol(point: Point, size: int) -> tuple[int, int]:
    """Flat index -> (row, col), row 0 at the top. Raises ValueError for pass or off-board."""
    if not 0 <= point < size * size:
        raise ValueError(f"point {point} is not on a {size}x{size} board")
    return divmod(point, size)


def from_rowcol(row: int, col: int, size: int) -> Point:
    """(row, col) -> flat index. Raises ValueError off the board."""
    if not (0 <= row < size and 0 <= col < size):
        raise ValueError(f"({row}, {col}) is not on a {size}x{size} board")
    return row * size + col


def to_gtp(point: Point, size: int) -> str:
    """Flat index -> GTP vertex (``D4``, ``pass``)."""
    if point == pass_point(size):
        return "pass"
    row, col = to_rowcol(point, size)
    return f"{GTP_LETTERS[col]}{size - row}"


def from_gtp(text: str, size: int) -> Point:
    """GTP vertex (any case, ``pass``) -> flat index. Raises ValueError for a bad vertex."""
    word = text.strip().upper()
    if word == "PASS":
        return pass_point(size)
    if len(word) < 2 or word[0] not in GTP_LETTERS or not word[1:].isdigit():
        raise ValueError(f"invalid vertex {text!r}")
    col = GTP_LETTERS.index(word[0])
    row = size - int(word[1:])
    if not (0 <= col < size and 0 <= row < size):
        raise ValueError(f"vertex {text!r} is off the {size}x{size} board")
    return row * size + col


def to_sgf(point: Point, size: int) -> str:
    """Flat index -> SGF point (``cd``); pass is the empty string."""
    if point == pass_point(size):
        return ""
    row, col = to_rowcol(point, size)
    return SGF_LETTERS[col] + SGF_LETTERS[row]


def from_sgf(text: str, size: int) -> Point:
    """SGF point -> flat index; ``""`` and (on boards up to 19) ``tt`` are pass."""
    word = text.strip()
    if word == "" or (word == "tt" and size <= 19):
        return pass_point(size)
    if len(word) != 2 or word[0] not in SGF_LETTERS or word[1] not in SGF_LETTERS:
        raise ValueError(f"invalid SGF point {text!r}")
    col, row = SGF_LETTERS.index(word[0]), SGF_LETTERS.index(word[1])
    if not (col < size and row < size):
        raise ValueError(f"SGF point {text!r} is off the {size}x{size} board")
    return row * size + col
