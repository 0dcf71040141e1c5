"""The learning curve of an ``igo zero`` run: each generation's Elo against GNU Go and gen 0.

AlphaGo Zero's Figure 3a plots Elo against training time. Here every saved generation of a run
directory (``models/gen-N``) plays ``games`` games against the opponent engine (GNU Go level 10
by default) and against generation 0 (the untrained net, so "Elo against the first generation"
is the gain from learning), with the same search for every net. All games go to one arena
database, ``arena/curve.sqlite`` in the run directory, so the evaluation resumes: a pairing that
already has its games is not played again, and more generations can be added as the run goes on.

Ratings come from one Bradley-Terry fit over every game (``igo.eval.elo``), anchored at the
opponent = 0. The x axes are the run's own counters (``state.json`` history): self-play games
played before the generation was trained, and self-play hours (games / their measured rate);
the table adds the run's CPU hours of every phase (``phase_time.py``) where the run logged them.
The games are played at the komi the run plays that size at (its ``board_sizes`` entry, else its
``komi``) unless ``CurveConfig.komi`` says otherwise; the table and the plot name the opponent.

A run on a mix of sizes is rated at one size of its mix at a time (``CurveConfig.size``,
``--curve-size N``; ``all``: each size in turn), its main size by default: the main size's curve
keeps the files above (so a run's curve goes on where it was), another size's has its own,
``arena/curve-13x13.sqlite`` (``.md``, ``.png``), since a rating pools every game of its
database and Elo at 13x13 is another scale than at 9x9.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from igo.eval.arena import MatchConfig, run_match
from igo.eval.elo import ratings_from_db
from igo.eval.store import ArenaStore, games_between
from igo.eval.summary import MatchSummary
from igo.extras import figure_class, png_bytes
from igo.files import write_bytes_atomic, write_text_atomic
from igo.run_dir import ZeroRunDir
from igo.selfplay.selfplay_config import SelfPlayConfig
from igo.train.zero.loop_state import load_state

_CURVE = "igo zero --curve"
"""What needs matplotlib here (named when it is missing)."""


@dataclass(frozen=True)
class CurveConfig:
    """How each generation is measured."""

    games: int = 20
    """Games of each pairing (colours alternate)."""
    visits: int = 200
    """Search simulations per move of every network."""
    opponent: str = "gnugo:level=10"
    """Engine spec of the fixed opponent (the anchor, Elo 0)."""
    komi: float | None = None
    """Komi of the evaluation games (None: the run's komi at the curve's size, ``run_komi``)."""
    rules: str = "chinese"
    """Rules preset of the evaluation games."""
    jobs: int = 1
    """Games at once (each network plays on one torch thread, so 2 fill two cores)."""
    every: int = 1
    """Evaluate every k-th generation (plus the first and the latest)."""
    size: int | None = None
    """Board side of the games: a size the run plays (its mix's); None: its main size."""


@dataclass(frozen=True)
class CurveFiles:
    """Where one size's curve lives in the run's ``arena/`` folder."""

    size: int
    """The board side its games are played on."""
    db: Path
    """Its games (an arena database)."""
    table: Path
    """Its markdown table."""
    plot: Path
    """Its plot."""


def run_sizes(run_dir: ZeroRunDir) -> tuple[int, ...]:
    """The sizes a run plays, from its ``config.json``: its main size first, then the rest of
    its mix.

    Raises:
        ValueError: the run has no ``config.json``.
    """
    saved = run_dir.saved_config()
    if saved is None:
        raise ValueError(f"{run_dir.config_path} does not exist")
    main = int(saved["selfplay"]["board_size"])
    mix = [int(entry[0]) for entry in saved["selfplay"].get("board_sizes", ())]
    return (main, *(n for n in mix if n != main))


def run_komi(run_dir: ZeroRunDir, size: int) -> float:
    """The komi the run plays ``size`` at, from its ``config.json``: the size's
    ``[size, weight, komi]`` entry of ``selfplay.board_sizes``, else (a ``[size, weight]``
    entry, or no mix) ``selfplay.komi``.

    Raises:
        ValueError: the run has no ``config.json``.
    """
    saved = run_dir.saved_config()
    if saved is None:
        raise ValueError(f"{run_dir.config_path} does not exist")
    default = SelfPlayConfig.__dataclass_fields__["komi"].default
    komi = float(saved["selfplay"].get("komi", default))
    for entry in saved["selfplay"].get("board_sizes", ()):
        if int(entry[0]) == size and len(entry) > 2:
            return float(entry[2])
    return komi


def opponent_label(spec: str) -> str:
    """How the table and the plot name the opponent: ``GNU Go level 10``, else its engine name."""
    from igo.eval.engines import parse_engine_spec

    engine = parse_engine_spec(spec)
    if engine.kind == "gnugo" and "name" not in engine.options:
        return f"GNU Go level {engine.options.get('level', '10')}"
    return engine.name


def curve_files(run_dir: ZeroRunDir, size: int | None = None) -> CurveFiles:
    """The files of the curve at ``size`` (None: the run's main size).

    Raises:
        ValueError: no ``config.json``, or a size the run does not play.
    """
    sizes = run_sizes(run_dir)
    size = sizes[0] if size is None else size
    if size not in sizes:
        played = ", ".join(f"{n}x{n}" for n in sizes)
        raise ValueError(f"{run_dir.root} plays {played}, not {size}x{size}")
    if size == sizes[0]:
        return CurveFiles(size, run_dir.curve_db, run_dir.curve_table, run_dir.curve_plot)
    stem = run_dir.arena / f"curve-{size}x{size}"
    return CurveFiles(
        size, stem.with_suffix(".sqlite"), stem.with_suffix(".md"), stem.with_suffix(".png")
    )


@dataclass(frozen=True)
class CurvePoint:
    """One generation on the curve."""

    generation: int
    """The network generation (gen 0: untrained)."""
    games: int
    """Self-play games of the run before this generation was trained."""
    hours: float
    """Self-play hours before this generation was trained."""
    elo: float
    """Elo with the opponent at 0."""
    ci95: float
    """Half-width of its 95% interval."""
    elo_vs_first: float
    """Elo above generation 0."""
    score_vs_opponent: float
    """Fraction of points against the opponent."""
    cpu_hours: float = math.nan
    """CPU hours of the run (every phase) before this generation was trained (nan: not
    logged, a generation before the accounting)."""


def chosen_generations(available: list[int], every: int) -> list[int]:
    """Every ``every``-th generation, always with the first and the last."""
    if not available:
        return []
    picked = {g for g in available if g % max(1, every) == 0}
    return sorted(picked | {available[0], available[-1]})


def player_spec(run_dir: ZeroRunDir, generation: int, visits: int) -> str:
    """The engine spec that plays ``generation``'s network with a Zero-mode search, on one torch
    thread (parallel games with torch's default threads each slow down tenfold on two cores)."""
    path = run_dir.model_path(generation)
    return f"igo:player=mcts,checkpoint={path},visits={visits},threads=1,name=zero-gen{generation}"


def _engine_name(spec: str) -> str:
    from igo.eval.engines import parse_engine_spec

    return parse_engine_spec(spec).name


def play_curve_games(
    run_dir: ZeroRunDir,
    config: CurveConfig,
    on_match: Callable[[str, str, MatchSummary], None] | None = None,
) -> Path:
    """Play the missing games of every chosen generation; returns the database path.

    Raises:
        MissingExtraError: without matplotlib, before any game (the curve could not be drawn).
    """
    figure_class(_CURVE)
    generations = chosen_generations(run_dir.model_generations(), config.every)
    if not generations:
        raise ValueError(f"{run_dir.root}: no saved generations in {run_dir.models}")
    files = curve_files(run_dir, config.size)
    komi = run_komi(run_dir, files.size) if config.komi is None else config.komi
    db = files.db
    db.parent.mkdir(parents=True, exist_ok=True)
    first = player_spec(run_dir, generations[0], config.visits)
    for generation in generations:
        spec = player_spec(run_dir, generation, config.visits)
        opponents = [config.opponent] + ([first] if generation != generations[0] else [])
        for opponent in opponents:
            done = games_between(db, _engine_name(spec), _engine_name(opponent))
            missing = config.games - done
            if missing <= 0:
                continue
            match = MatchConfig(
                games=missing,
                size=files.size,
                rules=config.rules,
                komi=komi,
                jobs=config.jobs,
                db=str(db),
            )
            summary = run_match(spec, opponent, match)
            if on_match is not None:
                on_match(spec, opponent, summary)
    return db


def curve_points(run_dir: ZeroRunDir, db: Path, config: CurveConfig) -> list[CurvePoint]:
    """The fitted curve: one point per evaluated generation."""
    anchor = _engine_name(config.opponent)
    table = ratings_from_db(str(db), anchor=anchor)
    ratings = {r.name: r for r in table.ratings}
    games, hours, cpu = _run_counters(run_dir)
    points = []
    first_elo = math.nan
    # Every rated generation, its model kept or not (the run prunes old models).
    rated = sorted(int(name[len(_PREFIX) :]) for name in ratings if _rated_generation(name))
    for generation in rated:
        rating = ratings[f"{_PREFIX}{generation}"]
        if math.isnan(first_elo):
            first_elo = rating.elo
        points.append(
            CurvePoint(
                generation,
                games.get(generation, 0),
                hours.get(generation, 0.0),
                rating.elo,
                rating.ci95,
                rating.elo - first_elo,
                _score_against(db, f"zero-gen{generation}", anchor),
                cpu.get(generation, math.nan),
            )
        )
    return points


_PREFIX = "zero-gen"


def _rated_generation(name: str) -> bool:
    return name.startswith(_PREFIX) and name[len(_PREFIX) :].isdigit()


def _run_counters(
    run_dir: ZeroRunDir,
) -> tuple[dict[int, int], dict[int, float], dict[int, float]]:
    """Self-play games, self-play hours and the run's CPU hours before each generation was
    trained (generation g is trained on the games of generations 0..g-1)."""
    state = load_state(run_dir.state_path)
    games, hours, cpu = {0: 0}, {0: 0.0}, {0: 0.0}
    total_games, total_hours = 0, 0.0
    for entry in [] if state is None else state.history:
        total_games += int(entry.get("selfplay.games", 0))
        rate = float(entry.get("selfplay.positions_per_hour", 0.0))
        positions = float(entry.get("selfplay.positions", 0.0))
        total_hours += positions / rate if rate > 0 else 0.0
        games[int(entry["generation"]) + 1] = total_games
        hours[int(entry["generation"]) + 1] = total_hours
        cpu[int(entry["generation"]) + 1] = float(entry.get("run.cpu_h", math.nan))
    if state is not None and state.seconds_since > 0:
        cpu[0] = math.nan  # the run's first generations were not timed
    return games, hours, cpu


def _score_against(db: Path, name: str, opponent: str) -> float:
    with ArenaStore(db) as store:
        rows = store.games()
    points, count = 0.0, 0
    for row in rows:
        if {row.black, row.white} != {name, opponent} or row.winner not in ("B", "W"):
            continue
        count += 1
        points += (row.winner == "B") == (row.black == name)
    return points / count if count else math.nan


def write_curve(
    run_dir: ZeroRunDir, points: list[CurvePoint], config: CurveConfig | None = None
) -> Path:
    """``arena/curve.md`` (a table) and ``arena/curve.png`` (Elo by games and by hours), or the
    files of the curve at ``config.size`` (``curve_files``), naming ``config``'s opponent and
    komi.

    Raises:
        MissingExtraError: without matplotlib (nothing is written).
    """
    figure = figure_class(_CURVE)
    config = CurveConfig() if config is None else config
    files = curve_files(run_dir, config.size)
    komi = run_komi(run_dir, files.size) if config.komi is None else config.komi
    name = opponent_label(config.opponent)
    out = files.table
    lines = [
        f"{files.size}x{files.size}, komi {komi:g}, {config.rules} rules, {config.visits} "
        f"simulations a move; opponent `{config.opponent}` ({name})",
        "",
        f"| generation | self-play games | self-play hours | run CPU hours | Elo ({name} = 0) | "
        f"95% CI | Elo over gen 0 | score vs {name} |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        cpu = "-" if math.isnan(p.cpu_hours) else f"{p.cpu_hours:.2f}"
        lines.append(
            f"| {p.generation} | {p.games} | {p.hours:.2f} | {cpu} | {p.elo:.0f} | "
            f"±{p.ci95:.0f} | {p.elo_vs_first:.0f} | {100 * p.score_vs_opponent:.0f}% |"
        )
    write_text_atomic(out, "\n".join(lines) + "\n")
    if points:
        _plot(figure(figsize=(10, 4)), points, files, f"{name} = 0", komi)
    return out


def _plot(fig: Any, points: list[CurvePoint], files: CurveFiles, anchor: str, komi: float) -> None:
    axes = fig.subplots(1, 2, sharey=True)
    for ax, key, label in ((axes[0], "games", "self-play games"), (axes[1], "hours", "hours")):
        xs = [getattr(p, key) for p in points]
        ax.errorbar(xs, [p.elo for p in points], yerr=[p.ci95 for p in points], marker="o")
        ax.axhline(0.0, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"Elo ({anchor})")
    fig.suptitle(f"igo zero {files.size}x{files.size}, komi {komi:g}: strength by self-play")
    fig.tight_layout()
    write_bytes_atomic(files.plot, png_bytes(fig))
