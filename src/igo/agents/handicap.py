"""Handicap stone placement: GTP's fixed placements (spec section 4.1.1) and a free placement.

Fixed placements use the star points: the 3-3 points on boards up to 11, the 4-4 points from 12
up (as GNU Go). Boards of even size, and 7x7, have no centre or side star points, so they take at
most 4 stones; odd boards from 9 up take up to 9. Boards smaller than 7 have no fixed placement. The
order of the stones, and which star points are chosen for each count, follow the specification
(and GNU Go, its reference implementation):

| stones | 19x19 points                                  |
|--------|-----------------------------------------------|
| 2      | D4 Q16                                        |
| 3      | D4 Q16 D16                                    |
| 4      | D4 Q16 D16 Q4                                 |
| 5      | D4 Q16 D16 Q4 K10                             |
| 6      | D4 Q16 D16 Q4 D10 Q10                         |
| 7      | D4 Q16 D16 Q4 D10 Q10 K10                     |
| 8      | D4 Q16 D16 Q4 D10 Q10 K4 K16                  |
| 9      | D4 Q16 D16 Q4 D10 Q10 K4 K16 K10              |
"""

from __future__ import annotations

from igo.go.coords import Point, from_rowcol

MIN_STONES = 2


def max_fixed_handicap(size: int) -> int:
    """The most stones a fixed placement can give on a ``size`` board (0: none defined)."""
    if size < 7:
        return 0
    return 9 if size % 2 == 1 and size >= 9 else 4


def max_free_handicap(size: int) -> int:
    """The most stones a free placement may use: all points but one (GTP 2, place_free_handicap)."""
    return size * size - 1


def fixed_handicap(size: int, num_stones: int) -> list[Point]:
    """The fixed placement of ``num_stones`` stones on a ``size`` board.

    Raises:
        ValueError: if the count is not defined for this size (see ``max_fixed_handicap``).
    """
    if not MIN_STONES <= num_stones <= max_fixed_handicap(size):
        raise ValueError(f"invalid number of stones: {num_stones} on {size}x{size}")
    edge = 3 if size >= 12 else 2
    low, mid, high = edge, size // 2, size - 1 - edge
    # (row, col) with row 0 at the top: lower-left, upper-right, upper-left, lower-right, ...
    corners = [(high, low), (low, high), (low, low), (high, high)]
    sides_lr = [(mid, low), (mid, high)]
    sides_tb = [(high, mid), (low, mid)]
    centre = [(mid, mid)]
    by_count = {
        2: corners[:2],
        3: corners[:3],
        4: corners,
        5: corners + centre,
        6: corners + sides_lr,
        7: corners + sides_lr + centre,
        8: corners + sides_lr + sides_tb,
        9: corners + sides_lr + sides_tb + centre,
    }
    return [from_rowcol(row, col, size) for row, col in by_count[num_stones]]


def free_handicap(size: int, num_stones: int) -> list[Point]:
    """An engine-chosen placement: the fixed one as far as it goes, then spread out.

    Each further stone goes on the point farthest (in Manhattan distance) from every stone
    already placed, preferring points off the first two lines, so the stones cover the board.

    Raises:
        ValueError: for fewer than 2 stones or more than ``max_free_handicap(size)``.
    """
    if not MIN_STONES <= num_stones <= max_free_handicap(size):
        raise ValueError(f"invalid number of stones: {num_stones} on {size}x{size}")
    fixed_count = min(num_stones, max_fixed_handicap(size))
    placed = fixed_handicap(size, fixed_count) if fixed_count >= MIN_STONES else []
    taken = set(placed)
    margin = 2 if size >= 7 else 0
    while len(placed) < num_stones:
        free = [p for p in range(size * size) if p not in taken]
        inner = [p for p in free if _line(p, size) >= margin]
        best = max(inner or free, key=lambda p: (_spread(p, placed, size), _line(p, size), -p))
        placed.append(best)
        taken.add(best)
    return placed


def _line(point: Point, size: int) -> int:
    """Distance to the nearest edge (0 on the first line)."""
    row, col = divmod(point, size)
    return min(row, col, size - 1 - row, size - 1 - col)


def _spread(point: Point, placed: list[Point], size: int) -> int:
    row, col = divmod(point, size)
    if not placed:
        return 0
    return min(abs(row - r) + abs(col - c) for r, c in (divmod(q, size) for q in placed))
