"""SGF game records: the ``GameRecord`` value, and its conversions other than reading.

``GameRecord`` (one game's main line) and ``SgfError`` live here, with everything that turns a
record into something else or builds one from a game: ``write_sgf`` / ``save_sgf`` (FF[4] text,
atomic files), ``replay`` (record -> ``GameState``) and ``record_from_state`` (``GameState`` ->
record), and the RU (rules) names both ways, with igo's ``IGORULES`` node property for a ko or
suicide rule changed mid-game. Reading SGF text is ``igo.io.sgf``, which re-exports
all of this, so ``igo.io.sgf`` stays the one import for callers.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sgfmill import sgf_grammar

from igo.files import write_text_atomic
from igo.go.coords import MAX_SIZE, MIN_SIZE, Color, Point, to_gtp, to_sgf
from igo.go.result import GameResult
from igo.go.rules import Rules, rules_from_name, rules_name
from igo.go.state import GameState, IllegalMove

__all__ = [
    "RULES_CHANGE",
    "GameRecord",
    "Move",
    "PropertyMap",
    "SgfError",
    "escape",
    "game_tree",
    "play_rules_from_text",
    "play_rules_text",
    "record_from_state",
    "replay",
    "save_sgf",
    "serialise",
    "write_sgf",
]

Move = tuple[Color, Point]
PropertyMap = dict[str, list[bytes]]

RULES_CHANGE = "IGORULES"
"""igo's own SGF property for a change of the ko or suicide rule mid-game, on the node after which
it applies: ``IGORULES[koSIMPLEsui0]`` (KataGo's spelling of the two rules). Other readers ignore
it, as SGF readers ignore unknown properties."""
# Root properties that GameRecord fields carry; they never go into ``metadata``.
_STRUCTURAL = frozenset(f"FF GM CA SZ KM HA AB AW AE PL RE B W C {RULES_CHANGE}".split())
# How RU usually spells the presets; the others are just capitalised ("Chinese").
_PRESET_LABELS = {"tromp-taylor": "Tromp-Taylor", "aga": "AGA", "new-zealand": "NZ"}
# KataGo's rule strings (``koPOSITIONALscoreAREAtaxNONEsui1whbN``), for rules no preset names.
_PLAY_RULES = re.compile(r"ko(?P<ko>SIMPLE|POSITIONAL|SITUATIONAL)sui(?P<sui>[01])", re.IGNORECASE)
_KATAGO_RULES = re.compile(
    r"ko(?P<ko>SIMPLE|POSITIONAL|SITUATIONAL)score(?P<scoring>AREA|TERRITORY)(?:tax[A-Z]+)?"
    r"sui(?P<sui>[01])(?:button[01])?(?:whb(?P<whb>N-1|N|0))?(?:fpok[01])?",
    re.IGNORECASE,
)


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
    rule_changes: tuple[tuple[int, Rules], ...] = ()
    """Changes of the ko or suicide rule during the game (a GTP controller may change the rules
    mid-game), in order: (moves played before the change, the rules from there on). The rules
    differ from ``rules`` in ko and suicide only: scoring, komi and handicap bonus hold for the
    whole game (see ``Rules.playing_as``)."""

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
        changed_at = [-1] + [number for number, _ in self.rule_changes]
        if any(not a < b <= len(self.moves) for a, b in itertools.pairwise(changed_at)):
            return "rule changes must come in order, each after 0 to len(moves) moves"
        if any(rules.playing_as(self.rules) != self.rules for _, rules in self.rule_changes):
            return "a rule change may change the ko and suicide rules only"
        return None

    @property
    def komi(self) -> float:
        """Points given to white (the rules' komi)."""
        return self.rules.komi

    def rules_at(self, num_moves: int) -> Rules:
        """The rules in force once ``num_moves`` moves are played (after any change there)."""
        rules = self.rules
        for number, changed in self.rule_changes:
            if number <= num_moves:
                rules = changed
        return rules

    @property
    def final_rules(self) -> Rules:
        """The rules in force at the end of the game (``rules`` unless they changed)."""
        return self.rules_at(len(self.moves))


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


def _default_first(handicap: int, setup_black: Sequence[Point]) -> Color:
    """Who plays first when neither a move nor PL says: white after handicap stones."""
    return Color.WHITE if handicap >= 2 and setup_black else Color.BLACK


def write_sgf(record: GameRecord) -> str:
    """Serialise ``record`` as an FF[4] UTF-8 SGF game (passes written as ``[]``).

    Raises:
        SgfError: A metadata key is not an SGF property name.
    """
    return serialise(game_tree(record))


def serialise(tree: sgf_grammar.Coarse_game_tree) -> str:
    """SGF text of a tree of property maps (``game_tree``'s, perhaps with variations added)."""
    return bytes(sgf_grammar.serialise_game_tree(tree)).decode("utf-8")


def escape(text: str) -> bytes:
    """``text`` as an SGF property value (UTF-8, ``]`` and ``\\`` escaped)."""
    return bytes(sgf_grammar.escape_text(text.encode("utf-8")))


def game_tree(record: GameRecord) -> sgf_grammar.Coarse_game_tree:
    """``record`` as sgfmill's tree of raw property maps: one sequence, the root then one node a
    move (``write_sgf`` serialises it; a review adds properties and variations first).

    Raises:
        SgfError: A metadata key is not an SGF property name.
    """
    size, black, white = record.size, record.setup_black, record.setup_white
    root = {key: [escape(value)] for key, value in (("FF", "4"), ("GM", "1"), ("CA", "UTF-8"))}
    root |= {"SZ": [b"%d" % size], "KM": [escape(f"{record.komi:g}")]}
    # No RU read in and default rules: write none, so that the record reads back the same.
    ru = {"RU": _ru_value(record)}
    if "RU" not in record.metadata and record.rules == _rules_from_ru(None, record.komi):
        ru = {}
    for key, value in {**record.metadata, **ru}.items():
        if not sgf_grammar.is_valid_property_identifier(key):
            raise SgfError(record.source, f"metadata key {key!r} is not an SGF property name")
        if key not in _STRUCTURAL or key == "C":
            root[key] = [escape(value)]
    if record.handicap:
        root["HA"] = [b"%d" % record.handicap]
    if record.result is not None:
        root["RE"] = [escape(record.result.to_sgf())]
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
            node["C"] = [escape(comment)]
        tree.sequence.append(node)
    for number, rules in record.rule_changes:  # node ``number`` is the one after that many moves
        tree.sequence[number][RULES_CHANGE] = [play_rules_text(rules).encode()]
    return tree


def play_rules_text(rules: Rules) -> str:
    """The ko and suicide rules as ``IGORULES`` writes them: ``koPOSITIONALsui1``."""
    return f"ko{rules.ko.upper()}sui{int(rules.multi_stone_suicide)}"


def play_rules_from_text(text: str, rules: Rules) -> Rules:
    """``rules`` with the ko and suicide rules an ``IGORULES`` value names.

    Raises:
        ValueError: the text names no ko and suicide rules.
    """
    match = _PLAY_RULES.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a ko and suicide rule such as {play_rules_text(rules)!r}")
    ko = match["ko"].lower()
    return replace(rules, ko=ko, multi_stone_suicide=match["sui"] == "1")  # type: ignore[arg-type]


def save_sgf(record: GameRecord, path: str | os.PathLike[str]) -> None:
    """Write ``record`` to ``path`` atomically: a temporary file in the same folder, then a rename,
    so a reader never sees half a file and a crash never destroys the old one."""
    write_text_atomic(path, write_sgf(record))


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
    is not applied. Each move is judged by the rules in force when it was played
    (``rule_changes``), and the state ends under ``final_rules``.

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
            # HA counts for scoring even when the setup stones are not just the handicap.
            state.setup(black, white, to_play=record.first_player, num_handicap=record.handicap)
    except ValueError as exc:
        raise SgfError(record.source, f"impossible setup stones: {exc}") from exc
    changes = dict(record.rule_changes)
    for number, (color, point) in enumerate(record.moves, 1):
        if number - 1 in changes:
            state.change_rules(changes[number - 1])
        if state.consecutive_passes >= 2:
            state.resume()  # play went on after two passes (a disputed end, a GTP game)
        try:
            state.play(point, color)
        except IllegalMove as exc:
            where = f"{color.letter}[{to_sgf(point, record.size)}] {to_gtp(point, record.size)}"
            reason = f"move {number} ({where}) is illegal: {exc.reason}"
            raise SgfError(record.source, reason) from exc
    if len(record.moves) in changes:
        state.change_rules(changes[len(record.moves)])
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
