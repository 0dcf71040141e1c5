"""GameResult: how a game ended, and its SGF ``RE`` forms (``B+3.5``, ``W+R``, ``0``, ``Void``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from igo.go.coords import Color

Reason = Literal["score", "resign", "time", "forfeit", "draw", "void", "unknown"]

_RE_FORM = re.compile(r"^([BW])\+(.*)$")


@dataclass(frozen=True)
class GameResult:
    """The outcome of one game."""

    winner: Color | None
    """BLACK or WHITE; None for a draw, a void game or an unknown result."""
    reason: Reason = "score"
    """How it was decided: by score, resignation, time, forfeit; or draw / void / unknown."""
    margin: float | None = None
    """Winning margin in points when decided by score (0 for a draw by score)."""
    black_score: float | None = None
    """Black's total under the game's scoring method, when counted."""
    white_score: float | None = None
    """White's total including komi and any handicap bonus, when counted."""

    def __post_init__(self) -> None:
        if self.reason == "score" and self.winner is not None and self.margin is None:
            raise ValueError("a result by score needs a margin")

    @staticmethod
    def by_score(black_score: float, white_score: float) -> GameResult:
        """The result of counting: the higher total wins; equal totals are a draw."""
        diff = black_score - white_score
        if diff == 0:
            return GameResult(None, "draw", 0.0, black_score, white_score)
        winner = Color.BLACK if diff > 0 else Color.WHITE
        return GameResult(winner, "score", abs(diff), black_score, white_score)

    @property
    def score_for_black(self) -> float:
        """+1 black win, -1 white win, else 0: the papers' reward z from black's view."""
        if self.winner is None:
            return 0.0
        return 1.0 if self.winner == Color.BLACK else -1.0

    def to_sgf(self) -> str:
        """The SGF ``RE`` value."""
        if self.winner is None:
            return {"draw": "0", "void": "Void"}.get(self.reason, "?")
        letter = self.winner.letter
        if self.reason == "score":
            assert self.margin is not None
            return f"{letter}+{self.margin:g}"
        return f"{letter}+" + {"resign": "R", "time": "T", "forfeit": "F"}.get(self.reason, "")

    @staticmethod
    def from_sgf(text: str) -> GameResult:
        """Parse any common ``RE`` form; anything unreadable is an unknown result, not an error."""
        word = text.strip()
        upper = word.upper()
        if upper in ("0", "DRAW", "JIGO", "D"):
            return GameResult(None, "draw", 0.0)
        if upper == "VOID":
            return GameResult(None, "void")
        match = _RE_FORM.match(upper)
        if not match:
            return GameResult(None, "unknown")
        winner = Color.BLACK if match.group(1) == "B" else Color.WHITE
        rest = match.group(2).strip()
        named: dict[str, Reason] = {
            "R": "resign",
            "RESIGN": "resign",
            "T": "time",
            "TIME": "time",
            "F": "forfeit",
            "FORFEIT": "forfeit",
            "": "unknown",
        }
        if rest in named:
            return GameResult(winner, named[rest])
        try:
            margin = float(rest)
        except ValueError:
            return GameResult(winner, "unknown")
        return GameResult(winner, "score", margin)

    def __str__(self) -> str:
        return self.to_sgf()
