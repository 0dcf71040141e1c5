"""The running score of a match, its confidence interval, and the end-of-match table.

Scores count a draw as half a point. The interval on the first engine's score is Wilson's (it
stays inside [0, 1] and is sensible at 0 or n wins), and the Elo difference is the logistic
inverse of the score, ``-400 log10(1 / score - 1)``, applied to the interval's ends.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from igo.eval.engine_game import GameOutcome
from igo.eval.sprt import Decision, Sprt
from igo.go.coords import Color, Point, to_gtp
from igo.go.state import GameState

_Z95 = 1.959963984540054


def wilson_interval(points: float, games: int, z: float = _Z95) -> tuple[float, float]:
    """95% Wilson score interval of a score of ``points`` out of ``games`` (0..1 each end)."""
    if games == 0:
        return 0.0, 1.0
    p = points / games
    centre = (p + z * z / (2 * games)) / (1 + z * z / games)
    half = z * math.sqrt(p * (1 - p) / games + z * z / (4 * games * games)) / (1 + z * z / games)
    return max(0.0, centre - half), min(1.0, centre + half)


def elo_from_score(score: float) -> float:
    """Logistic Elo difference for an expected score (±inf at 0 and 1)."""
    if score <= 0.0:
        return -math.inf
    if score >= 1.0:
        return math.inf
    return -400.0 * math.log10(1.0 / score - 1.0)


@dataclass(frozen=True)
class MatchSummary:
    """A match so far, from the first engine's point of view."""

    first: str
    second: str
    games: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    black_games: int = 0
    """Games the first engine played as black."""
    black_points: float = 0.0
    """Points it scored in them."""
    white_points: float = 0.0
    """Points it scored as white."""
    endings: dict[str, int] = field(default_factory=dict)
    """Games by result reason (score, resign, forfeit, time, draw, void)."""
    faults: dict[str, int] = field(default_factory=dict)
    """Forfeits by ``engine: fault`` (illegal, exit, timeout, malformed...)."""
    mean_moves: float = 0.0
    search: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per engine that answers ``igo-search_stats``: ``moves``, ``seconds`` and (searchers)
    ``visits`` per move over the games it reported."""
    sprt: Sprt | None = None
    sprt_llr: float | None = None
    sprt_decision: Decision | None = None
    """H0 or H1 once a bound was crossed."""
    sprt_games: int | None = None
    """Games played when the SPRT decided."""
    match_id: int | None = None
    db: str | None = None
    sgf_dir: str | None = None

    @property
    def points(self) -> float:
        """The first engine's points."""
        return self.wins + 0.5 * self.draws

    @property
    def score(self) -> float:
        """The first engine's points per game (0.5 before any game)."""
        return self.points / self.games if self.games else 0.5

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the database)."""
        return asdict(self)


class Tally:
    """Counts games as they finish and decides the SPRT."""

    def __init__(self, first: str, second: str, sprt: Sprt | None = None) -> None:
        self.first, self.second, self.sprt = first, second, sprt
        self.outcomes: list[GameOutcome] = []
        self.decision: Decision | None = None
        self.decided_at: int | None = None
        self.llr: float | None = None

    def add(self, outcome: GameOutcome) -> None:
        """Count one finished game."""
        self.outcomes.append(outcome)
        if self.sprt is not None:
            summary = self.summary()
            self.llr, decision = self.sprt.decide(summary.wins, summary.draws, summary.losses)
            if decision is not None and self.decision is None:
                self.decision, self.decided_at = decision, len(self.outcomes)

    def stopped(self) -> bool:
        """Whether the SPRT has decided, so no more games should start."""
        return self.decision is not None

    def summary(self) -> MatchSummary:
        """The tally so far."""
        wins = draws = losses = black_games = 0
        black_points = white_points = 0.0
        for outcome in self.outcomes:
            winner, reason = outcome.result.winner, outcome.result.reason
            if winner is None and reason != "draw":
                continue  # void games (an arena failure) are listed but count for nobody
            first_is_black = outcome.record.metadata.get("PB") == self.first
            black_games += first_is_black
            if winner is None:
                draws, point = draws + 1, 0.5
            else:
                point = float((winner == Color.BLACK) == first_is_black)
                wins, losses = wins + int(point), losses + 1 - int(point)
            if first_is_black:
                black_points += point
            else:
                white_points += point
        return MatchSummary(
            self.first,
            self.second,
            wins + draws + losses,
            wins,
            draws,
            losses,
            black_games,
            black_points,
            white_points,
            dict(Counter(o.result.reason for o in self.outcomes)),
            dict(Counter(_fault(o) for o in self.outcomes if o.faulty is not None)),
            sum(o.num_moves for o in self.outcomes) / max(1, len(self.outcomes)),
            _search_per_move(self.outcomes, (self.first, self.second)),
            self.sprt,
            self.llr,
            self.decision,
            self.decided_at,
        )


def _search_per_move(
    outcomes: list[GameOutcome], names: tuple[str, str]
) -> dict[str, dict[str, float]]:
    """Each engine's moves, and its seconds and visits per move, over the games it reported
    (the first engine first)."""
    totals: dict[str, list[float]] = {name: [0, 0.0, 0, 0] for name in names}
    for outcome in outcomes:
        meta = outcome.record.metadata
        for color, stats in outcome.search.items():
            name = meta.get("PB" if color == Color.BLACK else "PW", "?")
            total = totals.setdefault(name, [0, 0.0, 0, 0])
            total[0] += stats.moves
            total[1] += stats.seconds
            if stats.visits is not None:
                total[2] += stats.visits
                total[3] += stats.moves
    table = {}
    for name, (moves, seconds, visits, counted) in totals.items():
        if not moves:
            continue
        row = {"moves": moves, "seconds": seconds / max(1, moves)}
        if counted:
            row["visits"] = visits / counted
        table[name] = row
    return table


def _fault(outcome: GameOutcome) -> str:
    meta = outcome.record.metadata
    name = meta.get("PB" if outcome.faulty == Color.BLACK else "PW", "?")
    return f"{name}: {outcome.fault}"


def format_score(summary: MatchSummary) -> str:
    """``score 62.5% [40.9-80.0]`` for the first engine (95% Wilson interval)."""
    low, high = wilson_interval(summary.points, summary.games)
    return f"score {100 * summary.score:.1f}% [{100 * low:.1f}-{100 * high:.1f}]"


def _elo_text(value: float) -> str:
    return f"{value:+.0f}" if math.isfinite(value) else ("+inf" if value > 0 else "-inf")


def _engine_rows(s: MatchSummary) -> list[str]:
    """One table row per engine: games, wins, draws, losses, points/games by colour, score."""
    white_games = s.games - s.black_games
    first = (
        s.first,
        s.wins,
        s.losses,
        (s.black_points, s.black_games),
        (s.white_points, white_games),
    )
    # The second engine is black exactly when the first is white.
    second = (
        s.second,
        s.losses,
        s.wins,
        (white_games - s.white_points, white_games),
        (s.black_games - s.black_points, s.black_games),
    )
    width = max(len(s.first), len(s.second), 6)
    rows = [f"{'engine':<{width}}  games  wins  draws  losses  as black  as white   score"]
    for name, wins, losses, (black_pts, black_n), (white_pts, white_n) in (first, second):
        score = (wins + 0.5 * s.draws) / s.games if s.games else 0.0
        as_black, as_white = f"{black_pts:g}/{black_n}", f"{white_pts:g}/{white_n}"
        rows.append(
            f"{name:<{width}}  {s.games:5d}  {wins:4d}  {s.draws:5d}  {losses:6d}  "
            f"{as_black:>8}  {as_white:>8}  {100 * score:5.1f}%"
        )
    return rows


def format_summary(summary: MatchSummary) -> str:
    """The end-of-match report: a table of both engines, endings, faults, SPRT, where saved."""
    s = summary
    rows = _engine_rows(s)
    low, high = wilson_interval(s.points, s.games)
    elo = f"{_elo_text(elo_from_score(s.score))} [{_elo_text(elo_from_score(low))}, "
    elo += f"{_elo_text(elo_from_score(high))}]"
    rows.append(f"{s.first}: {format_score(s)}, Elo difference {elo} (95%)")
    endings = ", ".join(f"{k} {v}" for k, v in sorted(s.endings.items()))
    rows.append(f"endings: {endings or 'none'}; mean length {s.mean_moves:.0f} moves")
    rows.append("faults: " + (", ".join(f"{k} x{v}" for k, v in s.faults.items()) or "none"))
    if s.search:
        rows.append("per move: " + "; ".join(_search_text(k, v) for k, v in s.search.items()))
    if s.sprt is not None:
        lower, upper = s.sprt.bounds
        verdict = (
            f"{s.sprt_decision} accepted after {s.sprt_games} games"
            if s.sprt_decision
            else "no decision"
        )
        rows.append(
            f"SPRT elo0={s.sprt.elo0:g} elo1={s.sprt.elo1:g}: {verdict}; "
            f"LLR {s.sprt_llr or 0.0:.2f} (bounds {lower:.2f}, {upper:.2f})"
        )
    if s.db is not None:
        rows.append(f"recorded in {s.db} (match {s.match_id})")
    if s.sgf_dir is not None:
        rows.append(f"SGF files in {s.sgf_dir}")
    return "\n".join(rows)


def _search_text(name: str, row: dict[str, float]) -> str:
    """``fp32 52.3 visits in 0.50 s (412 moves)``."""
    visits = f"{row['visits']:.1f} visits in " if "visits" in row else ""
    return f"{name} {visits}{row['seconds']:.2f} s ({row['moves']:.0f} moves)"


def print_move(state: GameState, color: Color, point: Point, seconds: float) -> None:
    """Print one line per move: number, colour, vertex, seconds (for ``igo match --moves``)."""
    vertex = to_gtp(point, state.size)
    print(
        f"{len(state.moves):4d}. {color.name.lower():5s} {vertex:>4s}  ({seconds:.2f}s)", flush=True
    )
