"""Bradley-Terry Elo fit: known ratings recovered from simulated games, anchors, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from igo.eval.elo import fit_elo, format_table, parse_anchor

TRUE = {"gnugo-l10": 0.0, "a": -250.0, "b": 120.0, "c": -600.0, "d": 380.0}


def _simulate(num_games: int, seed: int, draw_rate: float = 0.0) -> list[tuple[str, str, float]]:
    rng = np.random.default_rng(seed)
    names = list(TRUE)
    games = []
    for _ in range(num_games):
        i, j = rng.choice(len(names), 2, replace=False)
        p = 1.0 / (1.0 + 10 ** (-(TRUE[names[i]] - TRUE[names[j]]) / 400))
        # Draws come out of both sides' wins in equal parts, so that the expected score stays p
        # (the model that counting a draw as half a win fits).
        draw = draw_rate * 2 * min(p, 1 - p)
        u = rng.random()
        score = 1.0 if u < p - draw / 2 else 0.5 if u < p + draw / 2 else 0.0
        games.append((names[i], names[j], score))
    return games


@pytest.mark.parametrize("draw_rate", [0.0, 0.2])
def test_the_fit_recovers_known_ratings_within_its_intervals(draw_rate: float) -> None:
    table = fit_elo(_simulate(4000, seed=1, draw_rate=draw_rate), prior_draws=0)
    assert table.anchor == "gnugo-l10" and not table.notes
    for r in table.ratings:
        # 1.5 x the 95% half-width is about 3 standard errors: a miss is a bug, not bad luck.
        assert abs(r.elo - TRUE[r.name]) <= 1.5 * r.ci95 + 1e-9, r
    assert [r.name for r in table.ratings] == sorted(TRUE, key=lambda n: -TRUE[n])


def test_the_intervals_cover_the_truth_about_95_percent_of_the_time() -> None:
    hits = total = 0
    for seed in range(20):
        table = fit_elo(_simulate(600, seed=100 + seed), prior_draws=0)
        for r in table.ratings:
            if r.name != table.anchor:
                hits += abs(r.elo - TRUE[r.name]) <= r.ci95
                total += 1
    assert 0.85 <= hits / total <= 1.0


def test_another_anchor_shifts_the_scale() -> None:
    games = _simulate(2000, seed=3)
    base = {r.name: r.elo for r in fit_elo(games).ratings}
    moved = {r.name: r.elo for r in fit_elo(games, anchor="a", anchor_elo=1000).ratings}
    for name in TRUE:
        assert moved[name] - base[name] == pytest.approx(1000 - base["a"], abs=1e-6)


def test_perfect_scores_need_prior_draws_and_equal_scores_give_equal_ratings() -> None:
    shutout = [("gnugo-l10", "x", 1.0)] * 10
    assert fit_elo(shutout).ratings[1].elo < -300
    with pytest.raises(ValueError, match="diverge"):
        fit_elo(shutout, prior_draws=0)
    even = [("gnugo-l10", "x", 1.0), ("x", "gnugo-l10", 1.0), ("x", "gnugo-l10", 0.5)]
    assert fit_elo(even, prior_draws=0).ratings[1].elo == pytest.approx(0.0, abs=1e-9)


def test_missing_anchor_and_unconnected_engines_are_noted() -> None:
    games = [("p", "q", 1.0), ("q", "p", 0.0), ("q", "p", 1.0), ("y", "z", 1.0)]
    table = fit_elo(games, names=["y", "z", "p", "q"])
    assert table.anchor == "y"  # no GNU Go: the first engine in database order
    assert math.isnan({r.name: r.elo for r in table.ratings}["p"])
    assert any("not connected" in note for note in table.notes)
    text = format_table(table)
    assert "anchor" in text and "note:" in text
    with pytest.raises(ValueError, match="no rated games"):
        fit_elo([])


def test_anchor_option_parsing() -> None:
    assert parse_anchor("gnugo-l10=0") == ("gnugo-l10", 0.0)
    assert parse_anchor("igo=step=5=-120") == ("igo=step=5", -120.0)
    for bad in ("gnugo", "=5", "x=abc"):
        with pytest.raises(ValueError, match="NAME=ELO"):
            parse_anchor(bad)
