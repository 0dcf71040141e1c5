"""Coordinate conversions: flat index <-> (row, col) <-> GTP <-> SGF, the I-skip, pass and tt."""

from __future__ import annotations

import pytest

from igo.go.coords import (
    Color,
    check_size,
    from_gtp,
    from_rowcol,
    from_sgf,
    parse_color,
    pass_point,
    to_gtp,
    to_rowcol,
    to_sgf,
)

# (size, flat, (row, col), GTP, SGF)
TABLE = [
    (9, 0, (0, 0), "A9", "aa"),
    (9, 8, (0, 8), "J9", "ia"),
    (9, 72, (8, 0), "A1", "ai"),
    (9, 80, (8, 8), "J1", "ii"),
    (9, 40, (4, 4), "E5", "ee"),
    (9, 7, (0, 7), "H9", "ha"),
    (19, 0, (0, 0), "A19", "aa"),
    (19, 18, (0, 18), "T19", "sa"),
    (19, 342, (18, 0), "A1", "as"),
    (19, 360, (18, 18), "T1", "ss"),
    (19, 8 * 19 + 8, (8, 8), "J11", "ii"),
    (19, 15 * 19 + 3, (15, 3), "D4", "dp"),
    (2, 3, (1, 1), "B1", "bb"),
    (25, 24, (0, 24), "Z25", "ya"),
    (25, 624, (24, 24), "Z1", "yy"),
]


@pytest.mark.parametrize(("size", "flat", "rowcol", "gtp", "sgf"), TABLE)
def test_conversion_table(
    size: int, flat: int, rowcol: tuple[int, int], gtp: str, sgf: str
) -> None:
    assert to_rowcol(flat, size) == rowcol
    assert from_rowcol(*rowcol, size) == flat
    assert to_gtp(flat, size) == gtp
    assert from_gtp(gtp, size) == flat
    assert from_gtp(gtp.lower(), size) == flat
    assert to_sgf(flat, size) == sgf
    assert from_sgf(sgf, size) == flat


@pytest.mark.parametrize("size", [2, 5, 9, 13, 19, 25])
def test_round_trip_every_point(size: int) -> None:
    for p in range(size * size + 1):
        assert from_gtp(to_gtp(p, size), size) == p
        assert from_sgf(to_sgf(p, size), size) == p
        if p < size * size:
            assert from_rowcol(*to_rowcol(p, size), size) == p


def test_gtp_skips_i() -> None:
    assert to_gtp(8, 19) == "J19"
    assert to_gtp(7, 19) == "H19"
    assert "I" not in {to_gtp(p, 25)[0] for p in range(625)}
    with pytest.raises(ValueError):
        from_gtp("I5", 19)


@pytest.mark.parametrize("size", [9, 19, 20, 25])
def test_pass_forms(size: int) -> None:
    pss = pass_point(size)
    assert pss == size * size
    assert to_gtp(pss, size) == "pass"
    assert from_gtp("pass", size) == pss
    assert from_gtp("PASS", size) == pss
    assert to_sgf(pss, size) == ""
    assert from_sgf("", size) == pss
    if size <= 19:
        assert from_sgf("tt", size) == pss
    else:
        # On boards over 19 "tt" is the point (col 19, row 19).
        assert from_sgf("tt", size) == 19 * size + 19


@pytest.mark.parametrize("text", ["", "A", "A0", "A10", "K1", "Z9", "I1", "11", "AA1", "A-1"])
def test_bad_gtp_vertices(text: str) -> None:
    with pytest.raises(ValueError):
        from_gtp(text, 9)


@pytest.mark.parametrize("text", ["a", "abc", "ja", "aj", "A1", "a1"])
def test_bad_sgf_points(text: str) -> None:
    with pytest.raises(ValueError):
        from_sgf(text, 9)


def test_rowcol_errors() -> None:
    with pytest.raises(ValueError):
        to_rowcol(81, 9)
    with pytest.raises(ValueError):
        to_rowcol(-1, 9)
    with pytest.raises(ValueError):
        from_rowcol(9, 0, 9)


def test_colors() -> None:
    assert Color.BLACK.opponent == Color.WHITE
    assert Color.WHITE.opponent == Color.BLACK
    assert Color.EMPTY.opponent == Color.EMPTY
    assert [c.letter for c in Color] == [".", "B", "W"]
    for text, color in [
        ("b", Color.BLACK),
        ("Black", Color.BLACK),
        ("W", Color.WHITE),
        (" white ", Color.WHITE),
    ]:
        assert parse_color(text) == color
    with pytest.raises(ValueError):
        parse_color("red")


@pytest.mark.parametrize("size", [1, 26, 0, -3, 9.0, "9"])
def test_bad_sizes(size: object) -> None:
    with pytest.raises(ValueError):
        check_size(size)  # type: ignore[arg-type]
