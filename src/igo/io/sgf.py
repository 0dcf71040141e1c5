"""SGF game records: read and write FF[4] Go records (through sgfmill) as ``GameRecord`` values.

Only the main line is kept (the first child at every branch). sgfmill's grammar layer does the
tokenising, tree building and text escaping; everything Go-specific (points, rules, results,
handicap conventions) is decided here, against the ``igo.go`` API.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sgfmill import sgf_grammar, sgf_properties

from igo.go.coords import MAX_SIZE, MIN_SIZE, Color, Point, from_sgf, pass_point, to_gtp, to_sgf
from igo.go.result import GameResult
from igo.go.rules import Rules, rules_from_name, rules_name
from igo.go.state import GameState, IllegalMove
from igo.io.atomic import write_text_atomic

Move = tuple[Color, Point]
PropertyMap = dict[str, list[bytes]]

# Root properties that GameRecord fields carry; they never go into ``metadata``.
_STRUCTURAL = frozenset("FF GM CA SZ KM HA AB AW AE PL RE B W C".split())
# Board markup says nothing about the game, so it is dropped rather than kept as metadata.
_MARKUP = frozenset("AR CR DD LB LN MA SL SQ TR VW TB TW".split())
_NOT_METADATA = _STRUCTURAL | _MARKUP
# FF[4] game-info properties; only these are taken from nodes below the root.
_GAME_INFO = frozenset("AN BR BT CP DT EV GN GC ON OT PB PC PW RO RU SO TM US WR WT".split())
# How RU usually spells the presets; the others are just capitalised ("Chinese").
_PRESET_LABELS = {"tromp-taylor": "Tromp-Taylor", "aga": "AGA", "new-zealand": "NZ"}
# KataGo's rule strings (``koPOSITIONALscoreAREAtaxNONEsui1whbN``), for rules no preset names.
_KATAGO_RULES = re.compile(
    r"ko(?P<ko>SIMPLE|POSITIONAL|SITUATIONAL)score(?P<scoring>AREA|TERRITORY)(?:tax[A-Z]+)?"
    r"sui(?P<sui>[01])(?:button[01])?(?:whb(?P<whb>N-1|N|0))?(?:fpok[01])?",
    re.IGNORECASE,
)
_VALUE_OR_PAREN = re.compile(rb"\[[^\\\]]*(?:\\.[^\\\]]*)*\]|[()]", re.DOTALL)
_GAME_START = re.compile(rb"\(\s*;")
_EXTRA_CLOSE = re.compile(rb"\s*\)")
_UTF8_BOM = b"\xef\xbb\xbf"


class SgfError(ValueError):
    """A record that cannot be read, written or replayed; the message names the source."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class GameRecord:
    """One game's main line: the starting position, the moves, the result and the metadata."""

    size: int = 19
    rules: Rules = field(default_factory=Rules)
    """The rule set, komi included (``komi`` reads it)."""
    handicap: int = 0
    """The HA value: number of black handicap stones (0 for an even game)."""
    setup_black: tuple[Point, ...] = ()
    setup_white: tuple[Point, ...] = ()
    first_player: Color = Color.BLACK
    """Who plays first; always the colour of ``moves[0]`` when there are moves."""
    moves: tuple[Move, ...] = ()
    result: GameResult | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    """Other game properties by SGF name (PB, PW, DT, EV, the raw RU, the root comment C...)."""
    comments: tuple[str | None, ...] = ()
    """The comment on each move's node, aligned with ``moves`` (``()`` means none at all)."""
    source: str = field(default="<string>", compare=False)
    """Where the record came from, for error messages; not part of equality."""

    def __post_init__(self) -> None:
        if not self.comments:
            object.__setattr__(self, "comments", (None,) * len(self.moves))
        problem = self._problem()
        if problem:
            raise SgfError(self.source, problem)

    def _problem(self) -> str | None:
        """Why this record is inconsistent, or None."""
        if not isinstance(self.size, int) or not MIN_SIZE <= self.size <= MAX_SIZE:
            return f"board size must be {MIN_SIZE}..{MAX_SIZE}, not {self.size!r}"
        stones, moves = (*self.setup_black, *self.setup_white), range(self.size**2 + 1)
        if len(set(stones)) != len(stones) or any(p not in moves[:-1] for p in stones):
            return "setup stones must be distinct points on the board"
        if any(c not in (Color.BLACK, Color.WHITE) or p not in moves for c, p in self.moves):
            return "every move must be a colour and a point on the board (or pass)"
        if self.moves and self.moves[0][0] != self.first_player:
            return "first_player disagrees with the colour of the first move"
        if len(self.comments) != len(self.moves) or self.handicap < 0:
            return "there must be one comment (or None) per move, and no negative handicap"
        return None

    @property
    def komi(self) -> float:
        """Points given to white (the rules' komi)."""
        return self.rules.komi


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
        if not (text.isascii() and text.isdigit()):
            raise self.error(f"bad HA[{text}]")
        return int(text)

    def rules(self, root: PropertyMap) -> Rules:
        text = self.first(root, "KM")
        try:
            # A decimal comma is a common slip in hand-made files.
            return _rules_from_ru(self.first(root, "RU"), float((text or "0").replace(",", ".")))
        except ValueError as exc:  # not a number, or not a whole or half number
            raise self.error(f"bad KM[{text}]: {exc}") from None

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


def _rules_from_ru(text: str | None, komi: float) -> Rules:
    """The rules an RU value names; an absent or unknown RU means the default (Chinese-like)."""
    if text:
        with contextlib.suppress(ValueError):
            return rules_from_name(text, komi)
        match = _KATAGO_RULES.fullmatch(text.strip())
        if match:
            ko, scoring = match["ko"].lower(), match["scoring"].lower()
            bonus = (match["whb"] or "0").upper()
            return Rules(ko, match["sui"] == "1", scoring, komi, bonus)  # type: ignore[arg-type]
    return Rules(komi=komi)


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
    return GameRecord(
        size, rules, handicap, black, white, first, moves, result, meta, notes, source
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


def _default_first(handicap: int, setup_black: Sequence[Point]) -> Color:
    """Who plays first when neither a move nor PL says: white after handicap stones."""
    return Color.WHITE if handicap >= 2 and setup_black else Color.BLACK


def write_sgf(record: GameRecord) -> str:
    """Serialise ``record`` as an FF[4] UTF-8 SGF game (passes written as ``[]``).

    Raises:
        SgfError: A metadata key is not an SGF property name.
    """
    size, black, white = record.size, record.setup_black, record.setup_white
    root = {key: [_escape(value)] for key, value in (("FF", "4"), ("GM", "1"), ("CA", "UTF-8"))}
    root |= {"SZ": [b"%d" % size], "KM": [_escape(f"{record.komi:g}")]}
    # No RU read in and default rules: write none, so that the record reads back the same.
    ru = {"RU": _ru_value(record)}
    if "RU" not in record.metadata and record.rules == _rules_from_ru(None, record.komi):
        ru = {}
    for key, value in {**record.metadata, **ru}.items():
        if not sgf_grammar.is_valid_property_identifier(key):
            raise SgfError(record.source, f"metadata key {key!r} is not an SGF property name")
        if key not in _STRUCTURAL or key == "C":
            root[key] = [_escape(value)]
    if record.handicap:
        root["HA"] = [b"%d" % record.handicap]
    if record.result is not None:
        root["RE"] = [_escape(record.result.to_sgf())]
    for ident, points in (("AB", black), ("AW", white)):
        if points:
            root[ident] = [to_sgf(point, size).encode() for point in points]
    if not record.moves and record.first_player != _default_first(record.handicap, black):
        root["PL"] = [record.first_player.letter.encode()]
    tree = sgf_grammar.Coarse_game_tree()
    tree.sequence = [root]
    for (color, point), comment in zip(record.moves, record.comments, strict=True):
        node: PropertyMap = {color.letter: [to_sgf(point, size).encode()]}
        if comment is not None:
            node["C"] = [_escape(comment)]
        tree.sequence.append(node)
    return bytes(sgf_grammar.serialise_game_tree(tree)).decode("utf-8")


def save_sgf(record: GameRecord, path: str | os.PathLike[str]) -> None:
    """Write ``record`` to ``path`` atomically: a temporary file in the same folder, then a rename,
    so a reader never sees half a file and a crash never destroys the old one."""
    write_text_atomic(path, write_sgf(record))


def _escape(text: str) -> bytes:
    return bytes(sgf_grammar.escape_text(text.encode("utf-8")))


def _ru_value(record: GameRecord) -> str:
    """The RU to write: the raw RU read in if it still names these rules, else a name for them."""
    raw, rules = record.metadata.get("RU"), record.rules
    if raw is not None and _rules_from_ru(raw, rules.komi) == rules:
        return raw
    name = rules_name(rules)
    if name is not None:
        return _PRESET_LABELS.get(name, name.capitalize())
    return (
        f"ko{rules.ko.upper()}score{rules.scoring.upper()}"
        f"sui{int(rules.multi_stone_suicide)}whb{rules.white_handicap_bonus}"
    )


def replay(record: GameRecord) -> GameState:
    """Play the record's moves with the engine and return the final position.

    Moves after two passes are played too (the game was resumed); a resignation in ``result``
    is not applied.

    Raises:
        SgfError: The setup is impossible or a move is illegal (the message gives its number).
    """
    state = GameState.new(size=record.size, rules=record.rules, move_cap=None)
    black, white = record.setup_black, record.setup_white
    try:
        if record.handicap >= 2 and len(black) == record.handicap and not white:
            state.place_handicap(black)  # not setup(): scoring needs the handicap count
            black = ()
        if black or white or record.first_player != state.to_play:
            state.setup(black, white, to_play=record.first_player)
    except ValueError as exc:
        raise SgfError(record.source, f"impossible setup stones: {exc}") from exc
    for number, (color, point) in enumerate(record.moves, 1):
        if state.consecutive_passes >= 2:
            state.resume()  # play went on after two passes (a disputed end, a GTP game)
        try:
            state.play(point, color)
        except IllegalMove as exc:
            where = f"{color.letter}[{to_sgf(point, record.size)}] {to_gtp(point, record.size)}"
            reason = f"move {number} ({where}) is illegal: {exc.reason}"
            raise SgfError(record.source, reason) from exc
    return state


def record_from_state(
    state: GameState, result: GameResult | None = None, metadata: dict[str, str] | None = None
) -> GameRecord:
    """The record of the game ``state`` has played (its setup stones, handicap and moves).

    Args:
        state: The game; it is not changed.
        result: The result to record; by default a resignation if ``state`` has one, else none.
        metadata: Extra properties by SGF name (PB, PW, DT...).
    """
    start = state.start_position()  # where the setup and handicap stones are
    stones = start.stones().tolist()
    black, white = (tuple(p for p, s in enumerate(stones) if s == c) for c in (1, 2))
    if result is None and state.resigned is not None:
        result = GameResult(state.resigned.opponent, "resign")
    moves = tuple((Color(color), int(point)) for color, point in state.moves)
    first = moves[0][0] if moves else start.to_play
    size, rules, handicap = state.size, state.rules, state.num_handicap
    record = GameRecord(size, rules, handicap, black, white, first, moves, result)
    # Name the rules in the metadata as write_sgf will, so that a game read back is equal.
    return replace(record, metadata={"RU": _ru_value(record), **(metadata or {})})
