"""The review's report: a markdown page (each side's biggest mistakes with the better move) and
a win-rate graph (black's win rate by move, mistakes marked), drawn with matplotlib's object API
on the Agg canvas (the ``train`` extra; without it the review goes on with no graph)."""

from __future__ import annotations

from dataclasses import dataclass

from igo.agents.review.analyse import PositionAnalysis
from igo.agents.review.annotate import percent
from igo.agents.review.judge import LABELS, MoveVerdict, biggest_mistakes, plural
from igo.extras import figure_class, png_bytes
from igo.go.coords import Color, to_gtp
from igo.io.sgf import GameRecord

COLOURS = {"inaccuracy": "#e6b800", "mistake": "#ff7f0e", "blunder": "#d62728"}
"""Each mistake label's marker colour on the graph."""


@dataclass(frozen=True)
class ReportInput:
    """What a report is about."""

    name: str
    """The game's file name."""
    record: GameRecord
    """The game."""
    analyses: list[PositionAnalysis]
    """Every position's search, before the first move and after each move."""
    verdicts: list[MoveVerdict]
    """Every move judged."""
    player: str
    """Who reviewed (the player's name)."""
    visits: int
    """Visits a position."""


def graph_png(report: ReportInput) -> bytes:
    """Black's win rate by move as a PNG, mistakes marked by label (raises
    ``MissingExtraError`` without matplotlib)."""
    fig = figure_class("igo review's graph")(figsize=(8.0, 3.6), layout="constrained")
    ax = fig.add_subplot()
    turns = [a.turn for a in report.analyses]
    ax.plot(turns, [100 * a.winrate for a in report.analyses], color="black", lw=1.5)
    ax.fill_between(turns, 50, [100 * a.winrate for a in report.analyses], alpha=0.12)
    for label in LABELS:
        hits = [v for v in report.verdicts if v.label == label]
        if hits:
            xs, ys = [v.number for v in hits], [100 * v.winrate for v in hits]
            ax.scatter(xs, ys, color=COLOURS[label], zorder=3, label=f"{label} ({len(hits)})")
    for side in (Color.BLACK, Color.WHITE):
        for verdict in biggest_mistakes(report.verdicts, side, 3):
            where = (verdict.number, 100 * verdict.winrate)
            ax.annotate(str(verdict.number), where, textcoords="offset points", xytext=(3, 5))
    ax.axhline(50, color="grey", lw=0.8, ls="--")
    ax.set_ylim(0, 100)
    ax.set_xlim(0, max(1, len(report.verdicts)))
    ax.set_xlabel("move")
    ax.set_ylabel("black's win rate %")
    ax.set_title(f"{report.name}: black's win rate ({report.player}, {report.visits} visits)")
    ax.grid(alpha=0.3)
    if any(v.label in LABELS for v in report.verdicts):
        ax.legend(loc="best", fontsize="small")
    return png_bytes(fig)


def markdown(report: ReportInput, graph: str | None, note: str | None = None) -> str:
    """The report page; ``graph`` is the PNG's file name (None: no graph, ``note`` says why)."""
    record, size = report.record, report.record.size
    meta = record.metadata
    black, white = meta.get("PB", "?"), meta.get("PW", "?")
    result = record.result.to_sgf() if record.result is not None else "?"
    lines = [
        f"# Review of {report.name}",
        "",
        f"Black {black}, white {white}; {size}x{size}, komi {record.komi:g}, result {result}, "
        f"{len(record.moves)} moves. Reviewed by igo ({report.player}, {report.visits} visits "
        "a position); win rates are black's.",
        "",
    ]
    lines += [f"![black's win rate by move]({graph})", ""] if graph else [f"({note})", ""]
    lines += _summary(report.verdicts)
    for side, name in ((Color.BLACK, "Black"), (Color.WHITE, "White")):
        lines += ["", f"## {name}'s biggest mistakes", ""]
        worst = biggest_mistakes(report.verdicts, side, 5)
        if not worst:
            lines.append("None above the inaccuracy threshold.")
            continue
        lines.append(
            "| move | played | lost | label | better | black's win rate: played / better |"
        )
        lines.append("|---:|---|---:|---|---|---|")
        for v in worst:
            assert v.best is not None
            line = " ".join(to_gtp(m, size) for m in v.best.pv[:6])
            rates = f"{percent(v.winrate)} / {percent(v.best.winrate)}"
            lines.append(
                f"| {v.number} | {to_gtp(v.move, size)} | {percent(v.loss)} | {v.label} | "
                f"{line} | {rates} |"
            )
    return "\n".join(lines) + "\n"


def _summary(verdicts: list[MoveVerdict]) -> list[str]:
    """Per side: moves, how many of each label, mean loss, the search's move played."""
    lines = ["| | Black | White |", "|---|---:|---:|"]
    sides = [[v for v in verdicts if v.color == c] for c in (Color.BLACK, Color.WHITE)]
    rows = [("moves", [str(len(s)) for s in sides])]
    for label in LABELS:
        rows.append((plural(label), [str(sum(v.label == label for v in s)) for s in sides]))
    rows.append(("mean loss a move", [percent(_mean([v.loss for v in s])) for s in sides]))
    rows.append(
        ("igo's best move played", [percent(_mean([v.was_best for v in s])) for s in sides])
    )
    return lines + [f"| {name} | {b} | {w} |" for name, (b, w) in rows]


def _mean(values: list[float] | list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0
