"""Boards as text: ``GameState.to_ascii``'s picture and ``GameState.from_ascii``'s parsing.

``X`` is black, ``O`` white and ``.`` empty; the picture has GTP coordinates around it.
"""

from __future__ import annotations

import numpy as np

from igo.go.coords import GTP_LETTERS, Point


def format_ascii(stones: np.ndarray, size: int) -> str:
    """The board ``stones`` [size*size] (0 empty, 1 black, 2 white) as text: ``X`` black, ``O``
    white, ``.`` empty, GTP coordinates around."""
    letters = " ".join(GTP_LETTERS[:size])
    lines = [f"   {letters}"]
    for row in range(size):
        cells = " ".join(".XO"[v] for v in stones[row * size : (row + 1) * size])
        lines.append(f"{size - row:2d} {cells} {size - row:2d}")
    lines.append(f"   {letters}")
    return "\n".join(lines)


def parse_ascii(text: str) -> tuple[int, list[Point], list[Point]]:
    """(size, black points, white points) of rows of ``X`` (black), ``O`` (white) and ``.``,
    top row first; spaces are ignored; the board size is the number of rows."""
    rows = ["".join(line.split()) for line in text.strip().splitlines() if line.strip()]
    size = len(rows)
    if any(len(row) != size for row in rows):
        raise ValueError("an ASCII board must be square")
    flat = "".join(rows)
    black = [p for p, ch in enumerate(flat) if ch in "Xx#@"]
    white = [p for p, ch in enumerate(flat) if ch in "Oo"]
    return size, black, white
