"""The arena report: a markdown page of ratings, matches and faults, with PNG plots.

Plots (matplotlib's object API on the Agg canvas, so no display and no global pyplot state):

| file         | shows                                                                 |
|--------------|-----------------------------------------------------------------------|
| ratings.png  | each engine's Elo with its 95% interval, engines in database order    |
|              | (the order they were first seen: checkpoints in training order)       |
| colour.png   | each engine's score as black and as white                             |
| lengths.png  | histogram of game lengths in moves, by board size                     |
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from igo.eval.elo import DEFAULT_ANCHOR, RatingTable, fit_elo, rated_games
from igo.eval.store import GameRow, open_existing
from igo.extras import figure_class, png_bytes
from igo.files import write_bytes_atomic, write_text_atomic


def _label(name: str, width: int = 24) -> str:
    """A tick label: long names (command-line engines) keep their informative end."""
    return name if len(name) <= width else "…" + name[-(width - 1) :]


def _figure(width: float = 7.0, height: float = 4.0) -> Any:
    return figure_class("igo report")(figsize=(width, height), layout="constrained")


def _plot_ratings(table: RatingTable, names: list[str], path: Path) -> None:
    by_name = {r.name: r for r in table.ratings if not math.isnan(r.elo)}
    shown = [n for n in names if n in by_name]
    fig = _figure(max(5.0, 0.6 * len(shown) + 2))
    ax = fig.add_subplot()
    xs = list(range(len(shown)))
    ax.errorbar(
        xs,
        [by_name[n].elo for n in shown],
        yerr=[by_name[n].ci95 for n in shown],
        fmt="o-",
        capsize=4,
    )
    ax.set_xticks(xs, [_label(n) for n in shown], rotation=30, ha="right")
    ax.set_ylabel(f"Elo ({table.anchor} = {table.anchor_elo:g})")
    ax.set_title("Ratings in database order (95% intervals)")
    ax.grid(alpha=0.3)
    write_bytes_atomic(path, png_bytes(fig))


def colour_scores(rows: list[GameRow]) -> dict[str, tuple[float, int, float, int]]:
    """Per engine: (points as black, games as black, points as white, games as white)."""
    stats: dict[str, list[float]] = defaultdict(lambda: [0.0, 0, 0.0, 0])
    for black, white, score in rated_games(rows):
        stats[black][0] += score
        stats[black][1] += 1
        stats[white][2] += 1.0 - score
        stats[white][3] += 1
    return {name: (s[0], int(s[1]), s[2], int(s[3])) for name, s in stats.items()}


def _plot_colours(rows: list[GameRow], names: list[str], path: Path) -> None:
    stats = colour_scores(rows)
    shown = [n for n in names if n in stats]
    fig = _figure(max(5.0, 0.8 * len(shown) + 2))
    ax = fig.add_subplot()
    xs = range(len(shown))
    for offset, (label, points, games) in enumerate((("as black", 0, 1), ("as white", 2, 3))):
        rates = [100 * stats[n][points] / max(1, stats[n][games]) for n in shown]
        ax.bar([x + 0.4 * offset - 0.2 for x in xs], rates, width=0.4, label=label)
    ax.set_xticks(list(xs), [_label(n) for n in shown], rotation=30, ha="right")
    ax.set_ylabel("score %")
    ax.set_ylim(0, 100)
    ax.set_title("Score by colour")
    ax.legend()
    write_bytes_atomic(path, png_bytes(fig))


def _plot_lengths(rows: list[GameRow], path: Path) -> None:
    fig = _figure()
    ax = fig.add_subplot()
    by_size: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_size[row.size].append(row.num_moves)
    for size, lengths in sorted(by_size.items()):
        ax.hist(lengths, bins=30, alpha=0.6, label=f"{size}x{size}")
    ax.set_xlabel("moves")
    ax.set_ylabel("games")
    ax.set_title("Game length")
    ax.legend()
    write_bytes_atomic(path, png_bytes(fig))


def _rating_lines(table: RatingTable) -> list[str]:
    lines = ["| rank | engine | Elo | 95% CI | games | score |", "|---:|---|---:|---:|---:|---:|"]
    for rank, r in enumerate(table.ratings, 1):
        elo = "-" if math.isnan(r.elo) else f"{r.elo:.0f}"
        ci = (
            "anchor"
            if r.name == table.anchor
            else ("-" if math.isnan(r.ci95) else f"±{r.ci95:.0f}")
        )
        lines.append(f"| {rank} | {r.name} | {elo} | {ci} | {r.games} | {100 * r.score:.1f}% |")
    return lines + [f"\n*{note}*" for note in table.notes]


def _match_lines(matches: list[dict[str, Any]], rows: list[GameRow]) -> list[str]:
    points: defaultdict[int, float] = defaultdict(float)
    for row in rows:
        first = next(m["first"] for m in matches if m["id"] == row.match_id)
        winner = {"B": row.black, "W": row.white}.get(row.winner or "")
        points[row.match_id] += 1.0 if winner == first else 0.5 if row.reason == "draw" else 0.0
    lines = [
        "| match | first | second | board | rules | komi | games | first's score |",
        "|---:|---|---|---:|---|---:|---:|---:|",
    ]
    for m in matches:
        score = f"{100 * points[m['id']] / m['games']:.1f}%" if m["games"] else "-"
        lines.append(
            f"| {m['id']} | {m['first']} | {m['second']} | {m['size']}x{m['size']} | "
            f"{m['rules']} | {m['komi']:g} | {m['games']} | {score} |"
        )
    return lines


def _fault_lines(rows: list[GameRow]) -> list[str]:
    faults: Counter[tuple[str, str]] = Counter()
    for row in rows:
        if row.fault:
            side, kind = row.fault.split(":", 1)
            faults[(row.black if side == "B" else row.white, kind)] += 1
    if not faults:
        return ["No engine faults."]
    lines = ["| engine | fault | games |", "|---|---|---:|"]
    return lines + [f"| {name} | {kind} | {n} |" for (name, kind), n in faults.most_common()]


def _markdown(
    db: str,
    table: RatingTable,
    rows: list[GameRow],
    matches: list[dict[str, Any]],
    prior_draws: float,
    size: int | None,
) -> str:
    decided = [r for r in rows if r.winner is not None]
    black_rate = sum(r.winner == "B" for r in decided) / max(1, len(decided))
    mean_moves = sum(r.num_moves for r in rows) / max(1, len(rows))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    scope = "" if size is None else f" on {size}x{size}"
    sections = [
        "# igo arena report",
        f"{len(rows)} games{scope} between {len(table.ratings)} engines in {len(matches)} "
        f"matches, from `{db}` ({when}).",
        "## Ratings",
        "Bradley-Terry maximum likelihood over all games at once; draws count half; "
        f"{prior_draws:g} virtual draw(s) per pairing.",
        "\n".join(_rating_lines(table)),
        "![ratings](ratings.png)",
        "## Matches",
        "\n".join(_match_lines(matches, rows)),
        "## Colour",
        f"Black won {100 * black_rate:.1f}% of the {len(decided)} decided games.",
        "![score by colour](colour.png)",
        "## Game length",
        f"Mean {mean_moves:.1f} moves.",
        "![game length](lengths.png)",
        "## Faults",
        "\n".join(_fault_lines(rows)),
    ]
    return "\n\n".join(sections) + "\n"


def write_report(
    db: str,
    out_dir: str,
    anchor: str = DEFAULT_ANCHOR,
    anchor_elo: float = 0.0,
    prior_draws: float = 1.0,
    size: int | None = None,
) -> Path:
    """Write ``report.md`` and its plots into ``out_dir``; returns the markdown file's path.

    Raises:
        ValueError: no database or no games, or matplotlib is missing (MissingExtraError).
    """
    figure_class("igo report")  # a missing matplotlib fails before anything is read or written
    with open_existing(db) as store:
        names, rows, matches = store.engines(), store.games(size), store.matches()
    table = fit_elo(rated_games(rows), names, anchor, anchor_elo, prior_draws)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _plot_ratings(table, names, out / "ratings.png")
    _plot_colours(rows, names, out / "colour.png")
    _plot_lengths(rows, out / "lengths.png")
    path = out / "report.md"
    write_text_atomic(path, _markdown(db, table, rows, matches, prior_draws, size))
    return path
