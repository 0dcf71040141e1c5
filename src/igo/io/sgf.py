"""SGF game records: read FF[4] Go records (through sgfmill) as ``GameRecord`` values.

Only the main line is kept (the first child at every branch). sgfmill's grammar layer does the
tokenising, tree building and text escaping; everything Go-specific (points, rules, results,
handicap conventions) is decided here, against the ``igo.go`` API.

The record type and its other conversions (``write_sgf``, ``save_sgf``, ``replay``,
``record_from_state``) live in ``igo.io.sgf_record`` and are re-exported here, so this module is
still the one to import for reading and writing alike.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sgfmill import sgf_grammar, sgf_properties

from igo.go.coords import MAX_SIZE, MIN_SIZE, Color, Point, from_sgf, pass_point
from igo.go.result import GameResult
from igo.go.rules import Rules
from igo.io.sgf_record import (
    _STRUCTURAL,
    RULES_CHANGE,
    GameRecord,
    Move,
    PropertyMap,
    SgfError,
    _default_first,
    _rules_from_ru,
    escape,
    game_tree,
    play_rules_from_text,
    record_from_state,
    replay,
    save_sgf,
    serialise,
    write_sgf,
)

__all__ = [
    "GameRecord",
    "Move",
    "PropertyMap",
    "SgfError",
    "escape",
    "game_tree",
    "parse_collection",
    "parse_sgf",
    "read_collection",
    "read_sgf",
    "record_from_state",
    "replay",
    "save_sgf",
    "serialise",
    "write_sgf",
]

# Board markup says nothing about the game, so it is dropped rather than kept as metadata.
_MARKUP = frozenset("AR CR DD LB LN MA SL SQ TR VW TB TW".split())
_NOT_METADATA = _STRUCTURAL | _MARKUP
# FF[4] game-info properties; only these are taken from nodes below the root.
_GAME_INFO = frozenset("AN BR BT CP DT EV GN GC ON OT PB PC PW RO RU SO TM US WR WT".split())
_VALUE_OR_PAREN = re.compile(rb"\[[^\\\]]*(?:\\.[^\\\]]*)*\]|[()]", re.DOTALL)
_GAME_START = re.compile(rb"\(\s*;")
_EXTRA_CLOSE = re.compile(rb"\s*\)")
_UTF8_BOM = b"\xef\xbb\xbf"


def parse_sgf(text: str | bytes, source: str = "<string>") -> GameRecord:
    """Read the first game of an SGF text.

    Args:
        text: SGF data. Bytes are decoded by their CA property; with a BOM as UTF-8; with
            neither as UTF-8 if they are valid UTF-8, else as Latin-1.
        source: The name that error messages give (usually the file name).

    Raises:
        SgfError: The data is not a readable Go record.
    """
    return _parse(text, source, first_only=True)[0]


def parse_collection(text: str | bytes, source: str = "<string>") -> list[GameRecord]:
    """Read every game of an SGF collection, in file order (see ``parse_sgf``)."""
    return _parse(text, source, first_only=False)


def read_sgf(path: str | os.PathLike[str]) -> GameRecord:
    """Read the first game of an SGF file (errors name the file)."""
    return parse_sgf(Path(path).read_bytes(), str(path))


def read_collection(path: str | os.PathLike[str]) -> list[GameRecord]:
    """Read every game of an SGF file (errors name the file)."""
    return parse_collection(Path(path).read_bytes(), str(path))


def _parse(text: str | bytes, source: str, first_only: bool) -> list[GameRecord]:
    if isinstance(text, str):
        # A str is already decoded, so its CA property no longer describes it.
        data, encoding = text.lstrip("\ufeff").encode("utf-8", "replace"), "utf-8"
    elif text.startswith(_UTF8_BOM):
        data, encoding = bytes(text[len(_UTF8_BOM) :]), "utf-8"
    else:
        data, encoding = bytes(text), None
    _check_balance(data, source)
    try:
        # sgfmill's grammar layer keeps an explicit stack, so deep trees cannot overflow.
        if first_only:
            trees = [sgf_grammar.parse_sgf_game(data)]
        else:
            trees = sgf_grammar.parse_sgf_collection(data)
    except (ValueError, IndexError, RecursionError) as exc:
        raise SgfError(source, f"malformed SGF: {exc}") from exc
    names = [f"{source} (game {i + 1})" for i in range(len(trees))] if len(trees) > 1 else [source]
    return [_build_record(tree, encoding, name) for tree, name in zip(trees, names, strict=True)]


def _check_balance(data: bytes, source: str) -> None:
    """Reject an empty input or unbalanced parentheses (sgfmill silently drops an extra ')').

    Text between and after games is allowed, as sgfmill allows it, unless it starts with ')'.
    """
    start = _GAME_START.search(data)
    if start is None:
        raise SgfError(source, "no SGF game found (empty input or no '(;')")
    while start is not None:
        depth = 0
        for match in _VALUE_OR_PAREN.finditer(data, start.start()):
            depth += {b"(": 1, b")": -1}.get(match.group(), 0)
            if depth == 0:
                break
        if depth > 0:
            raise SgfError(source, f"unbalanced tree: {depth} '(' never closed")
        extra = _EXTRA_CLOSE.match(data, match.end())
        if extra:
            raise SgfError(source, f"unbalanced tree: ')' without '(' at byte {extra.end() - 1}")
        start = _GAME_START.search(data, match.end())


class _Reader:
    """Decodes one game's raw property values, naming the source in every error."""

    def __init__(self, root: PropertyMap, encoding: str | None, source: str) -> None:
        self.source, self.encoding = source, encoding
        if encoding is None and root.get("CA"):
            with contextlib.suppress(LookupError, ValueError):  # an unknown CA: guess, below
                name = root["CA"][0].decode("ascii", "replace").strip()
                self.encoding = str(sgf_properties.normalise_charset_name(name))

    def text(self, raw: bytes) -> str:
        value = bytes(sgf_grammar.text_value(raw))
        if self.encoding is not None:
            return value.decode(self.encoding, "replace")
        try:  # No CA: modern files are UTF-8, old ones mostly Latin-1.
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")

    def first(self, node: PropertyMap, ident: str) -> str | None:
        values = node.get(ident)
        return self.text(values[0]).strip() if values else None

    def error(self, reason: str) -> SgfError:
        return SgfError(self.source, reason)

    def size(self, root: PropertyMap) -> int:
        text = self.first(root, "SZ") or "19"
        width, _, height = text.partition(":")  # FF[4] writes a rectangle as SZ[w:h]
        if height and height.strip() != width.strip():
            raise self.error(f"SZ[{text}]: only square boards are supported")
        try:
            size = int(width)
        except ValueError:
            raise self.error(f"bad SZ[{text}]") from None
        if not MIN_SIZE <= size <= MAX_SIZE:
            raise self.error(f"SZ[{text}] is out of range {MIN_SIZE}..{MAX_SIZE}")
        return size

    def handicap(self, root: PropertyMap) -> int:
        text = self.first(root, "HA") or "0"
        if not (text.isascii() and text.isdigit()) or len(text) > 3:  # no board holds 1000
            raise self.error(f"bad HA[{text}]")
        return int(text)

    def rules(self, root: PropertyMap) -> Rules:
        text = self.first(root, "KM")
        try:
            # A decimal comma is a common slip in hand-made files.
            return _rules_from_ru(self.first(root, "RU"), float((text or "0").replace(",", ".")))
        except ValueError as exc:  # not a number, or not a multiple of 0.25
            raise self.error(f"bad KM[{text}]: {exc}") from None

    def play_rules(self, text: str, rules: Rules) -> Rules:
        try:
            return play_rules_from_text(text, rules)
        except ValueError as exc:
            raise self.error(f"bad {RULES_CHANGE}[{text}]: {exc}") from None

    def points(self, values: Iterable[bytes], size: int, ident: str) -> list[Point]:
        """A point list, expanding FF[4] ``aa:cc`` rectangles; empty values and passes drop."""
        points: list[Point] = []
        for raw in values:
            text = raw.decode("ascii", "replace").strip()
            first, _, last = text.partition(":")
            try:
                (r0, c0), (r1, c1) = (
                    divmod(from_sgf(p, size), size) for p in (first, last or first)
                )
            except ValueError as exc:
                raise self.error(f"{ident}[{text}]: {exc}") from None
            rows, cols = range(min(r0, r1), max(r0, r1) + 1), range(min(c0, c1), max(c0, c1) + 1)
            points += [r * size + c for r in rows for c in cols]
        return [point for point in points if point != pass_point(size)]

    def move(self, node: PropertyMap, size: int, number: int) -> Move | None:
        colors = [color for color in (Color.BLACK, Color.WHITE) if node.get(color.letter)]
        if len(colors) != 1:
            if colors:
                raise self.error(f"move {number}: one node holds both B and W")
            return None
        text = node[colors[0].letter][0].decode("ascii", "replace").strip()
        try:
            return colors[0], from_sgf(text, size)
        except ValueError as exc:
            raise self.error(f"move {number} ({colors[0].letter}[{text}]): {exc}") from None


@dataclass
class _Line:
    """The main line as it is read, before it becomes a frozen GameRecord."""

    black: dict[Point, None] = field(default_factory=dict)  # dicts: ordered sets
    white: dict[Point, None] = field(default_factory=dict)
    player: Color | None = None
    moves: list[Move] = field(default_factory=list)
    comments: list[str | None] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    result: GameResult | None = None
    rule_changes: dict[int, str] = field(default_factory=dict)  # moves played -> IGORULES text


def _build_record(tree: Any, encoding: str | None, source: str) -> GameRecord:
    nodes: list[PropertyMap] = list(sgf_grammar.main_sequence_iter(tree))
    root = nodes[0]
    reader = _Reader(root, encoding, source)
    if reader.first(root, "GM") not in (None, "1"):
        raise reader.error(f"GM[{reader.first(root, 'GM')}] is not a Go record")
    size, handicap, rules = reader.size(root), reader.handicap(root), reader.rules(root)
    line = _Line()
    for depth, node in enumerate(nodes):
        _read_node(reader, node, size, line, is_root=depth == 0)
    if handicap >= 2 and not line.black and not line.white:
        _moves_to_handicap(line, handicap, size)
    black, white, moves = tuple(line.black), tuple(line.white), tuple(line.moves)
    first = moves[0][0] if moves else line.player or _default_first(handicap, black)
    result, meta, notes = line.result, line.metadata, tuple(line.comments)
    changes = tuple((n, reader.play_rules(text, rules)) for n, text in line.rule_changes.items())
    return GameRecord(
        size, rules, handicap, black, white, first, moves, result, meta, notes, source, changes
    )


def _read_node(reader: _Reader, node: PropertyMap, size: int, line: _Line, is_root: bool) -> None:
    """Fold one main-line node into ``line``."""
    if any(node.get(ident) for ident in ("AB", "AW", "AE")):
        if line.moves:
            raise reader.error(f"setup stones (AB/AW/AE) after move {len(line.moves)}")
        # Later AB/AW/AE override earlier ones on the same point, as on a real board.
        for ident, mine in (("AE", {}), ("AB", line.black), ("AW", line.white)):
            for point in reader.points(node.get(ident, ()), size, ident):
                line.black.pop(point, None)
                line.white.pop(point, None)
                mine[point] = None
    player = reader.first(node, "PL")
    if player and not line.moves:
        line.player = Color.WHITE if player.upper() in ("W", "2") else Color.BLACK
    if node.get("RE") and line.result is None:  # a duplicated RE: the first one counts
        line.result = GameResult.from_sgf(reader.first(node, "RE") or "")
    for ident, values in node.items():
        wanted = ident not in _NOT_METADATA if is_root else ident in _GAME_INFO
        # An all-lower-case FF[3] identifier strips to "": ignore it, as FF[3] readers do.
        if wanted and ident and values and ident not in line.metadata:
            line.metadata[ident] = reader.text(values[0])
    comment = reader.text(node["C"][0]) if node.get("C") else None
    move = reader.move(node, size, len(line.moves) + 1)
    if move is not None:
        line.moves.append(move)
        line.comments.append(comment)
    elif comment is not None and line.moves:  # a comment on a node without a move: keep it
        line.comments[-1] = "\n".join(c for c in (line.comments[-1], comment) if c is not None)
    elif comment is not None:
        line.metadata["C"] = "\n".join(c for c in (line.metadata.get("C"), comment) if c)
    change = reader.first(node, RULES_CHANGE)
    if change is not None:  # after this node's move, if it has one
        line.rule_changes[len(line.moves)] = change


def _moves_to_handicap(line: _Line, handicap: int, size: int) -> None:
    """HA[n] with no AB but n black moves first: those moves are the handicap stones."""
    opening = line.moves[:handicap]
    points = {point for _, point in opening} - {pass_point(size)}
    if len(points) == handicap and all(color == Color.BLACK for color, _ in opening):
        line.black = dict.fromkeys(point for _, point in opening)
        comments = [line.metadata.get("C"), *line.comments[:handicap]]
        if any(comments):
            line.metadata["C"] = "\n".join(c for c in comments if c)
        line.moves, line.comments = line.moves[handicap:], line.comments[handicap:]
        line.player = Color.WHITE
