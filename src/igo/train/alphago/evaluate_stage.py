"""The AlphaGo pipeline's last stage: an arena of its parts against a reference engine.

Entrants, built from the run directory's files, each a GTP engine spec for ``igo.eval.arena``:

| entrant            | player                                                              |
|--------------------|---------------------------------------------------------------------|
| ``rollout``        | the rollout policy's most probable move (``rollout`` player)        |
| ``sl-policy``      | the SL policy net's most probable move (``policy`` player)          |
| ``rl-policy``      | the RL policy net's most probable move                              |
| ``alphago-lL-vN``  | Lee-mode search (``alphago`` player, ``run_dir``): lambda L, N       |
|                    | simulations a move: the sweep (``lambdas``) and the main player     |

Pairings stay cheap: every entrant plays the opponent (GNU Go), and with ``neighbours`` the next
entrant in the table's order; ``jobs`` pairings are played side by side (threads of this process
refereeing engine subprocesses, one game at a time each). All games go to ``arena/arena.sqlite``
(``igo.eval.store``), so the stage resumes: a pairing plays only the games it still lacks (its
colours kept alternating).
Ratings are one Bradley-Terry fit over every game with the opponent at Elo 0 (``igo.eval.elo``);
``report.md`` holds the entrants, the table and the arena report (``igo.eval.report``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igo.agents.referee import GameLimits
from igo.eval.arena import MatchConfig, run_match
from igo.eval.elo import RatingTable, format_table, ratings_from_db
from igo.eval.engines import parse_engine_spec
from igo.eval.report import write_report
from igo.eval.store import games_between
from igo.eval.summary import format_score
from igo.files import write_text_atomic
from igo.run_dir import AlphaGoRunDir
from igo.run_dir.alphago_layout import ARENA_REPORT
from igo.train.alphago.pipeline_config import AlphaGoConfig

Log = Callable[[str], None]


@dataclass(frozen=True)
class Entrant:
    """A player of the evaluation."""

    name: str
    """Its name in the arena database and the tables."""
    spec: str
    """Its engine spec (``igo.eval.engines``)."""
    what: str
    """What it is, for the report."""


def _alphago(root: Path, config: AlphaGoConfig, lee_lambda: float, visits: int) -> Entrant:
    ev = config.evaluate
    name = f"alphago-l{lee_lambda:g}-v{visits}"
    spec = (
        f"igo:player=alphago,run_dir={root},visits={visits},lambda={lee_lambda:g},"
        f"expand_threshold={ev.expand_threshold},c_puct={ev.c_puct:g},threads=1,name={name}"
    )
    what = f"Lee-mode search, lambda {lee_lambda:g}, {visits} simulations a move"
    return Entrant(name, spec, what)


def entrants(config: AlphaGoConfig, run_dir: AlphaGoRunDir) -> list[Entrant]:
    """The evaluation's players in table order: single parts, the lambda sweep, the main one."""
    ev, run = config.evaluate, AlphaGoRunDir(run_dir.root.resolve())
    out = []
    if ev.rollout:
        spec = f"igo:player=rollout,rollout_checkpoint={run.rollout_policy},name=rollout"
        out.append(Entrant("rollout", spec, "rollout policy alone, most probable move"))
    for flag, name, path in (
        ("sl", "sl-policy", run.sl_policy),
        ("rl", "rl-policy", run.rl_policy),
    ):
        if getattr(ev, flag):
            spec = f"igo:player=policy,checkpoint={path},threads=1,name={name}"
            out.append(Entrant(name, spec, f"{flag.upper()} policy net alone, most probable move"))
    for lee_lambda in sorted(set(ev.lambdas)):
        out.append(_alphago(run.root, config, lee_lambda, ev.sweep_visits))
    main = _alphago(run.root, config, ev.lee_lambda, ev.visits)
    if main.name not in {e.name for e in out}:
        out.append(main)
    return out


def pairings(config: AlphaGoConfig, players: list[Entrant]) -> list[tuple[Entrant, Entrant]]:
    """Every player against the opponent, then (``neighbours``) each against the next one."""
    spec = config.evaluate.opponent
    opponent = Entrant(parse_engine_spec(spec).name, spec, "the reference engine")
    pairs = [(player, opponent) for player in players]
    if config.evaluate.neighbours:
        pairs += list(zip(players, players[1:], strict=False))
    return pairs


def play_pairing(
    config: AlphaGoConfig, db: Path, pair: tuple[Entrant, Entrant], index: int, log: Log | None
) -> int:
    """Play the games a pairing still lacks; returns how many were played now."""
    first, second = pair
    done = games_between(db, first.name, second.name)
    missing = config.evaluate.games - done
    if missing <= 0:
        return 0
    if done % 2:  # the first player took black once more: the other starts now
        first, second = second, first
    ev = config.evaluate
    match = MatchConfig(
        games=missing,
        size=config.board_size,
        rules=config.rules,
        komi=config.komi,
        limits=GameLimits(move_timeout=ev.move_timeout),
        jobs=1,  # in this thread: no worker pool to start (pairings run side by side)
        db=str(db),
        seed=(config.seed * 1009 + index) * 10_007 + done,
    )
    summary = run_match(first.spec, second.spec, match)
    if log is not None:
        score = format_score(summary)
        log(f"igo alphago: evaluate: {first.name} vs {second.name}, {summary.games} games: {score}")
    return missing


def evaluate_run(
    config: AlphaGoConfig, run_dir: AlphaGoRunDir, log: Log | None = None
) -> dict[str, Any]:
    """Play the evaluation's missing games, fit the ratings and write ``report.md``.

    Returns:
        The stage's report: games played now, the anchor, each entrant's Elo (rounded), and its
        Elo, 95% interval, games and score under ``ratings``.
    """
    db = run_dir.arena_db
    db.parent.mkdir(parents=True, exist_ok=True)
    players = entrants(config, run_dir)
    pairs = pairings(config, players)
    pool = ThreadPoolExecutor(config.evaluate.jobs)
    try:
        runs = [pool.submit(play_pairing, config, db, pair, i, log) for i, pair in enumerate(pairs)]
        played = sum(run.result() for run in runs)
    finally:  # on Ctrl-C or an error, pairings not started are dropped
        pool.shutdown(wait=True, cancel_futures=True)
    anchor = pairs[0][1].name
    table = ratings_from_db(str(db), anchor=anchor, size=config.board_size)
    if log is not None:
        log(format_table(table))
    _write_report(config, run_dir, players, table)
    ratings = {
        r.name: {"elo": r.elo, "ci95": r.ci95, "games": r.games, "score": r.score}
        for r in table.ratings
    }
    elo = {r.name: round(r.elo) if math.isfinite(r.elo) else None for r in table.ratings}
    return {"games_played": played, "anchor": anchor, "elo": elo, "ratings": ratings}


def _write_report(
    config: AlphaGoConfig, run_dir: AlphaGoRunDir, players: list[Entrant], table: RatingTable
) -> None:
    """``report.md``: the entrants, then the arena report (plots in ``arena/report/``)."""
    out = str(run_dir.arena_report)
    arena = write_report(str(run_dir.arena_db), out, anchor=table.anchor, size=config.board_size)
    body = arena.read_text(encoding="utf-8").replace("](", f"]({ARENA_REPORT}/")
    body = body.replace("# igo arena report", "## Arena", 1)
    ev = config.evaluate
    lines = [
        f"# AlphaGo (Lee) pipeline: {run_dir.root.name}",
        "",
        f"{config.board_size}x{config.board_size}, komi {config.komi:g}, {config.rules} rules; "
        f"{ev.games} games a pairing against {table.anchor} (Elo 0)"
        + (" and the next entrant." if ev.neighbours else "."),
        "",
        "| entrant | what |",
        "|---|---|",
        *[f"| {p.name} | {p.what} |" for p in players],
        "",
        body,
    ]
    write_text_atomic(run_dir.report, "\n".join(lines))


__all__ = ["Entrant", "entrants", "evaluate_run", "pairings", "play_pairing"]
