"""Elo ratings of every engine at once: the Bradley-Terry (logistic) model, fitted by Newton.

Engine i beats engine j with probability ``1 / (1 + 10 ** (-(r_i - r_j) / 400))``; a draw counts
as half a win for each side. The ratings maximise the log-likelihood of all games with one
engine (the anchor) held at a fixed rating, and their 95% intervals come from the inverse of the
observed Fisher information (the negative Hessian) at the optimum (Hunter 2004, "MM algorithms
for generalized Bradley-Terry models", for the model; Coulom's BayesElo for the virtual draws).

A perfect score makes the maximum-likelihood rating infinite, so by default each pair of engines
that met also gets ``prior_draws`` virtual drawn games (BayesElo uses 2). Engines with no chain of
games to the anchor cannot be placed on its scale: they get NaN and a note.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from igo.eval.store import GameRow, open_existing

DEFAULT_ANCHOR = "gnugo-l10"
# Natural-log units per Elo point: s = r * ln(10) / 400.
_SCALE = math.log(10.0) / 400.0
_Z95 = 1.959963984540054
_DIVERGED = "ratings diverge: an engine won or lost all its games (add prior draws)"


@dataclass(frozen=True)
class Rating:
    """One engine's fitted rating."""

    name: str
    elo: float
    """Rating on the anchor's scale; NaN when not connected to the anchor."""
    ci95: float
    """Half-width of the 95% interval (0 for the anchor)."""
    games: int
    score: float
    """Points won per game (wins + draws / 2), 0..1."""


@dataclass(frozen=True)
class RatingTable:
    """The fit of every engine."""

    ratings: tuple[Rating, ...]
    """Best first; unconnected engines last."""
    anchor: str
    anchor_elo: float
    notes: tuple[str, ...] = ()


def pairwise_scores(names: Sequence[str], games: Iterable[tuple[str, str, float]]) -> np.ndarray:
    """Points won by each engine against each other one.

    Args:
        names: The engines, in index order.
        games: ``(a, b, score of a)`` per game, score 1, 0.5 or 0.

    Returns:
        ``wins`` [K, K]: points engine i scored against engine j.
    """
    index = {name: i for i, name in enumerate(names)}
    wins = np.zeros((len(names), len(names)))
    for a, b, score in games:
        wins[index[a], index[b]] += score
        wins[index[b], index[a]] += 1.0 - score
    return wins


def _connected(counts: np.ndarray, start: int) -> np.ndarray:
    """Bool [K]: the engines linked to ``start`` by a chain of games."""
    seen = np.zeros(len(counts), dtype=bool)
    seen[start] = True
    frontier = [start]
    while frontier:
        nxt = np.flatnonzero((counts[frontier].sum(axis=0) > 0) & ~seen)
        seen[nxt] = True
        frontier = nxt.tolist()
    return seen


def _derivatives(strengths: np.ndarray, wins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient [K] and Hessian [K, K] of the log-likelihood at ``strengths``."""
    counts = wins + wins.T
    prob = 1.0 / (1.0 + np.exp(-(strengths[:, None] - strengths[None, :])))
    grad = (wins - counts * prob).sum(axis=1)
    info = counts * prob * (1.0 - prob)
    return grad, info - np.diag(info.sum(axis=1))


def _log_likelihood(strengths: np.ndarray, wins: np.ndarray) -> float:
    diff = strengths[:, None] - strengths[None, :]
    return float(-(wins * np.logaddexp(0.0, -diff)).sum())


def fit_strengths(
    wins: np.ndarray, anchor: int, max_iter: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood Bradley-Terry strengths (natural-log units) with ``anchor`` at 0.

    Args:
        wins: [K, K] points i scored against j; every engine must be connected to ``anchor``.
        anchor: Index of the engine held at 0.
        max_iter: Newton iterations at most.

    Returns:
        ``strengths`` [K] and their ``covariance`` [K, K] (zero row and column for the anchor).

    Raises:
        ValueError: the likelihood has no finite maximum (an engine won or lost every game).
    """
    size = len(wins)
    free = np.ix_(np.arange(size) != anchor, np.arange(size) != anchor)
    strengths = np.zeros(size)
    for _ in range(max_iter):
        grad, hessian = _derivatives(strengths, wins)
        step = np.zeros(size)
        # The log-likelihood is concave, so -hessian is positive definite once the anchor is out.
        try:
            step[free[0][:, 0]] = np.linalg.solve(-hessian[free], grad[free[0][:, 0]])
        except np.linalg.LinAlgError as exc:  # flat likelihood: ratings ran off to infinity
            raise ValueError(_DIVERGED) from exc
        current, scale = _log_likelihood(strengths, wins), 1.0
        # Step halving keeps every iterate an improvement, so Newton cannot overshoot.
        while _log_likelihood(strengths + scale * step, wins) < current - 1e-12 and scale > 1e-6:
            scale /= 2.0
        strengths = strengths + scale * step
        if np.abs(scale * step).max() < 1e-9:
            break
    if np.abs(strengths).max() > 30.0:  # 30 natural units is over 5000 Elo: a runaway
        raise ValueError(_DIVERGED)
    _, hessian = _derivatives(strengths, wins)
    covariance = np.zeros((size, size))
    covariance[free] = np.linalg.inv(-hessian[free])
    return strengths, covariance


def fit_elo(
    games: Sequence[tuple[str, str, float]],
    names: Sequence[str] | None = None,
    anchor: str = DEFAULT_ANCHOR,
    anchor_elo: float = 0.0,
    prior_draws: float = 1.0,
) -> RatingTable:
    """Fit Elo ratings for every engine from game results.

    Args:
        games: ``(a, b, score of a)`` per game (1 win, 0.5 draw, 0 loss).
        names: Engine order for ties and the fallback anchor (default: order of appearance).
        anchor: Engine held at ``anchor_elo``; if it has played no games, the first GNU Go
            engine (else the first engine) is used instead, and a note says so.
        anchor_elo: Its rating.
        prior_draws: Virtual drawn games added to every pair that met (0 = pure likelihood).

    Raises:
        ValueError: no games, or no finite maximum with ``prior_draws=0``.
    """
    games = list(games)
    if not games:
        raise ValueError("no rated games yet (play a match first: igo match A B)")
    seen = list(dict.fromkeys(n for a, b, _ in games for n in (a, b)))
    known = [n for n in names or () if n in seen]
    order = known + [n for n in seen if n not in known]
    scored = pairwise_scores(order, games)
    played = scored + scored.T
    notes: list[str] = []
    if anchor not in order:
        fallback = next((n for n in order if n.startswith("gnugo")), order[0])
        notes.append(f"{anchor} has no games: {fallback} is anchored at {anchor_elo:g} instead")
        anchor = fallback
    wins = scored + (played > 0) * prior_draws / 2.0
    linked = _connected(played, order.index(anchor))
    sub = np.flatnonzero(linked)
    sub_anchor = int(np.searchsorted(sub, order.index(anchor)))
    strengths, covariance = fit_strengths(wins[np.ix_(sub, sub)], sub_anchor)
    elo = np.full(len(order), math.nan)
    ci = np.full(len(order), math.nan)
    elo[sub] = anchor_elo + strengths / _SCALE
    ci[sub] = _Z95 * np.sqrt(np.maximum(np.diag(covariance), 0.0)) / _SCALE
    if not linked.all():
        lost = ", ".join(n for n, ok in zip(order, linked, strict=True) if not ok)
        notes.append(f"not connected to {anchor} by any games, so unrated: {lost}")
    totals = played.sum(axis=1)
    points = scored.sum(axis=1)
    ratings = [
        Rating(
            n,
            float(elo[i]),
            float(ci[i]),
            int(totals[i]),
            float(points[i] / totals[i]) if totals[i] else 0.0,
        )
        for i, n in enumerate(order)
    ]
    ratings.sort(key=lambda r: (math.isnan(r.elo), -r.elo if not math.isnan(r.elo) else 0.0))
    return RatingTable(tuple(ratings), anchor, anchor_elo, tuple(notes))


def rated_games(rows: list[GameRow]) -> list[tuple[str, str, float]]:
    """``(black, white, black's score)`` for every game with a winner or a draw (voids dropped)."""
    scores = {"B": 1.0, "W": 0.0}
    games = []
    for row in rows:
        if row.winner in scores:
            games.append((row.black, row.white, scores[row.winner]))
        elif row.reason == "draw":
            games.append((row.black, row.white, 0.5))
    return games


def ratings_from_db(
    db: str,
    anchor: str = DEFAULT_ANCHOR,
    anchor_elo: float = 0.0,
    prior_draws: float = 1.0,
    size: int | None = None,
) -> RatingTable:
    """Fit every engine in the database (on board ``size`` only, if given).

    Raises:
        ValueError: no database, no games, or no finite fit.
    """
    with open_existing(db) as store:
        names, rows = store.engines(), store.games(size)
    return fit_elo(rated_games(rows), names, anchor, anchor_elo, prior_draws)


def parse_anchor(text: str) -> tuple[str, float]:
    """``NAME=ELO`` (e.g. ``gnugo-l10=0``) as (name, rating).

    Raises:
        ValueError: anything else.
    """
    name, eq, value = text.rpartition("=")
    try:
        if not eq or not name:
            raise ValueError
        return name, float(value)
    except ValueError:
        raise ValueError(f"--anchor takes NAME=ELO (e.g. gnugo-l10=0), not {text!r}") from None


def format_table(table: RatingTable) -> str:
    """The ratings as a plain-text table, best first, with notes below."""
    width = max(6, *(len(r.name) for r in table.ratings))
    lines = [f"{'rank':>4}  {'engine':<{width}}  {'elo':>7}  {'95% CI':>9}  {'games':>5}  score"]
    for rank, r in enumerate(table.ratings, 1):
        if r.name == table.anchor:
            ci = "anchor"
        elif math.isnan(r.elo):
            ci = "-"
        else:
            ci = f"±{r.ci95:.0f}"
        elo = "-" if math.isnan(r.elo) else f"{r.elo:.0f}"
        lines.append(
            f"{rank:>4}  {r.name:<{width}}  {elo:>7}  {ci:>9}  {r.games:>5}  {100 * r.score:5.1f}%"
        )
    return "\n".join(lines + [f"note: {note}" for note in table.notes])
