"""Each move judged by the win rate it lost against the search's best move.

A move's loss is, from the mover's view, black's win rate in the position before it less black's
win rate in the position after it: the roots of two full searches, as KaTrain compares them (a
root's value averages all its visits, so it is steadier than the best move's own few visits,
and a little below the best move's worth while visits are few: losses are, if anything,
understated). A move the search itself would have played loses nothing (the difference of two
searches is noise there). Labels by loss, as KaTrain-like tools give them and SGF marks
them: inaccuracy ``DO``, mistake ``BM[1]``, blunder ``BM[2]``; ``TE`` (tesuji) marks a played
best move whose next best choice would have lost at least ``only_move``.
"""

from __future__ import annotations

from dataclasses import dataclass

from igo.agents.review.analyse import Candidate, PositionAnalysis
from igo.go.coords import Color, Point


@dataclass(frozen=True)
class Thresholds:
    """Win-rate losses (fractions of 1) at which a move gets each label."""

    inaccuracy: float = 0.05
    """An inaccuracy (SGF ``DO``, doubtful)."""
    mistake: float = 0.10
    """A mistake (SGF ``BM[1]``, bad move)."""
    blunder: float = 0.20
    """A blunder (SGF ``BM[2]``, very bad move)."""
    only_move: float = 0.10
    """A played best move whose runner-up loses this much is a tesuji (SGF ``TE[1]``)."""


LABELS = ("inaccuracy", "mistake", "blunder")
"""The mistake labels, mildest first."""


@dataclass(frozen=True)
class MoveVerdict:
    """One played move, judged."""

    number: int
    """The move's number, from 1."""
    color: Color
    """Who played it."""
    move: Point
    """What was played."""
    winrate: float
    """Black's win rate after it (the next position's root)."""
    best: Candidate | None
    """The search's best move in the position before it (None: not searched)."""
    played: Candidate | None
    """The played move's own statistics in that search (None: the search did not try it)."""
    loss: float
    """Win rate the mover lost (the position before it, less the position after it), from the
    mover's view, >= 0; 0 for the search's own best move."""
    label: str | None
    """``inaccuracy``, ``mistake``, ``blunder``, ``tesuji``, or None."""

    @property
    def was_best(self) -> bool:
        """Whether the search would have played the same move."""
        return self.best is not None and self.best.move == self.move


def judge(
    moves: tuple[tuple[Color, Point], ...],
    analyses: list[PositionAnalysis],
    thresholds: Thresholds | None = None,
) -> list[MoveVerdict]:
    """A verdict for each move; ``analyses`` has one position more than ``moves``."""
    limits = thresholds or Thresholds()
    out = []
    for number, (color, move) in enumerate(moves, 1):
        before, after = analyses[number - 1], analyses[number]
        best = before.candidates[0] if before.candidates else None
        sign = 1.0 if color == Color.BLACK else -1.0
        loss = 0.0
        if best is not None and best.move != move:
            loss = max(0.0, sign * (before.winrate - after.winrate))
        label = _label(loss, limits)
        if label is None and _only_move(before, move, sign, limits):
            label = "tesuji"
        verdict = MoveVerdict(
            number, color, move, after.winrate, best, before.candidate(move), loss, label
        )
        out.append(verdict)
    return out


def _only_move(before: PositionAnalysis, move: Point, sign: float, limits: Thresholds) -> bool:
    """Whether ``move`` was the search's best and its runner-up loses ``only_move`` (a pass that
    ends a won game is no tesuji, however bad the alternatives)."""
    if len(before.candidates) < 2 or move == before.size**2:
        return False
    best, runner_up = before.candidates[:2]
    return best.move == move and sign * (best.winrate - runner_up.winrate) >= limits.only_move


def plural(label: str) -> str:
    """``inaccuracies``, ``mistakes``, ``blunders``."""
    return label[:-1] + "ies" if label.endswith("y") else label + "s"


def _label(loss: float, limits: Thresholds) -> str | None:
    for name, limit in reversed(
        list(zip(LABELS, (limits.inaccuracy, limits.mistake, limits.blunder), strict=True))
    ):
        if loss >= limit:
            return name
    return None


def biggest_mistakes(verdicts: list[MoveVerdict], color: Color, count: int) -> list[MoveVerdict]:
    """``color``'s ``count`` costliest labelled mistakes, costliest first."""
    mine = [v for v in verdicts if v.color == color and v.label in LABELS]
    return sorted(mine, key=lambda v: (-v.loss, v.number))[:count]
