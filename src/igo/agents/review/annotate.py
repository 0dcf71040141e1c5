"""The annotated SGF: the game's main line unchanged, with the review in comments, marks and
variations (plain FF[4], so any SGF editor shows it: Sabaki, KaTrain, CGoban, GoGui).

- Each move's comment (after the record's own): black's win rate after the move, the best move
  of the position before it with its win rate and visits (and the played move's own numbers),
  and the loss with its label. The root's comment: the player and the opening position's
  verdict; the last move's also names the best next move.
- Marks: ``DO[]`` an inaccuracy, ``BM[1]`` a mistake, ``BM[2]`` a blunder, ``TE[1]`` a tesuji.
- Where the played move was not the best, the best line is a variation beside the played move
  (a second child of the node before it), so the main line stays the first child everywhere.
"""

from __future__ import annotations

from sgfmill import sgf_grammar

from igo.agents.review.analyse import PositionAnalysis
from igo.agents.review.judge import MoveVerdict
from igo.go.coords import Color, to_gtp, to_sgf
from igo.io.sgf import GameRecord, PropertyMap, escape, game_tree, serialise

MARKS = {
    "inaccuracy": ("DO", b""),
    "mistake": ("BM", b"1"),
    "blunder": ("BM", b"2"),
    "tesuji": ("TE", b"1"),
}
"""Each label's SGF property and value."""


def percent(winrate: float) -> str:
    """A win rate as ``52.3%``."""
    return f"{100.0 * winrate:.1f}%"


def move_comment(verdict: MoveVerdict, size: int) -> str:
    """The review of one move, as its node's comment."""
    side = "Black" if verdict.color == Color.BLACK else "White"
    played = to_gtp(verdict.move, size)
    lines = [f"Move {verdict.number}: {verdict.color.letter} {played}"]
    lines.append(f"Black's win rate: {percent(verdict.winrate)}")
    best = verdict.best
    if best is None:
        lines.append("The position before this move was not searched.")
        return "\n".join(lines)
    lines.append(
        f"Best: {to_gtp(best.move, size)}, black {percent(best.winrate)} ({best.visits} visits)"
        + (" (played)" if verdict.was_best else "")
    )
    if not verdict.was_best:
        mine = verdict.played
        numbers = f"black {percent(mine.winrate)} ({mine.visits} visits)" if mine else "not tried"
        lines.append(f"Played {played}: {numbers}")
        lost = f"{side} lost {percent(verdict.loss)}" if verdict.loss >= 0.0005 else "No loss"
        lines.append(lost + _said(verdict.label))
    elif verdict.label == "tesuji":
        lines.append("Tesuji: the only good move")
    return "\n".join(lines)


def _said(label: str | None) -> str:
    return f": {label}" if label else ""


def root_comment(first: PositionAnalysis, player: str, visits: int, size: int) -> str:
    """The review's note on the root: who reviewed, and the opening position."""
    text = f"Reviewed by igo ({player}, {visits} visits a position).\n"
    text += f"Black's win rate before the first move: {percent(first.winrate)}"
    return text + _next(first, size)


def _next(analysis: PositionAnalysis, size: int) -> str:
    if not analysis.candidates:
        return ""
    best = analysis.candidates[0]
    who = analysis.to_play.letter
    move = to_gtp(best.move, size)
    return f"\nBest next: {who} {move}, black {percent(best.winrate)} ({best.visits} visits)"


def annotated_sgf(
    record: GameRecord,
    analyses: list[PositionAnalysis],
    verdicts: list[MoveVerdict],
    player: str,
    visits: int,
) -> str:
    """The record as SGF text with the review in it (see the module docstring)."""
    tree = game_tree(record)
    nodes: list[PropertyMap] = tree.sequence
    size = record.size
    _add_comment(nodes[0], root_comment(analyses[0], player, visits, size))
    variations: dict[int, list[PropertyMap]] = {}
    for verdict in verdicts:
        node = nodes[verdict.number]
        text = move_comment(verdict, size)
        if verdict.number == len(verdicts):
            text += _next(analyses[-1], size)
        _add_comment(node, text)
        if verdict.label is not None:
            ident, value = MARKS[verdict.label]
            node[ident] = [value]
        if verdict.best is not None and not verdict.was_best:
            variations[verdict.number] = _line(verdict, size)
    return serialise(_branch(nodes, variations))


def _add_comment(node: PropertyMap, text: str) -> None:
    """Append ``text`` to the node's comment (the record's own comes first)."""
    old = node.get("C")
    own = bytes(sgf_grammar.text_value(old[0])).decode("utf-8") if old else ""
    node["C"] = [escape(f"{own}\n\n{text}" if own else text)]


def _line(verdict: MoveVerdict, size: int) -> list[PropertyMap]:
    """The best line instead of the played move, as nodes (colours alternating)."""
    assert verdict.best is not None
    color, nodes = verdict.color, []
    for move in verdict.best.pv:
        nodes.append({color.letter: [to_sgf(move, size).encode()]})
        color = color.opponent
    best = verdict.best
    note = f"igo's line instead of move {verdict.number}: black {percent(best.winrate)}"
    nodes[0]["C"] = [escape(f"{note} ({best.visits} visits)")]
    return nodes


def _branch(
    nodes: list[PropertyMap], variations: dict[int, list[PropertyMap]]
) -> sgf_grammar.Coarse_game_tree:
    """The main line ``nodes`` split before each node that has a variation beside it, built from
    the end (so no recursion, however many variations); the main line is always child 0."""
    cuts = sorted(variations)
    ends = [*cuts[1:], len(nodes)]
    children: list[sgf_grammar.Coarse_game_tree] = []
    for cut, end in reversed(list(zip(cuts, ends, strict=True))):
        main = _tree(nodes[cut:end], children)
        children = [main, _tree(variations[cut], [])]
    return _tree(nodes[: cuts[0] if cuts else len(nodes)], children)


def _tree(
    sequence: list[PropertyMap], children: list[sgf_grammar.Coarse_game_tree]
) -> sgf_grammar.Coarse_game_tree:
    tree = sgf_grammar.Coarse_game_tree()
    tree.sequence, tree.children = sequence, children
    return tree
