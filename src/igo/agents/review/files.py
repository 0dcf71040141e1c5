"""One input record -> its reviewed SGF, graph and report, each written atomically.

Outputs go beside the input by default (``game.sgf`` -> ``game.reviewed.sgf``,
``game.review.png``, ``game.review.md``). A file whose outputs all exist and are no older than
it is skipped, so a long batch killed midway resumes where it stopped; the report is written
last, so a run killed between the outputs redoes that file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from igo.agents.kata_analysis.scheduler import BatchAnalysisPlayer
from igo.agents.review.analyse import ReviewSettings, analyse_positions, positions
from igo.agents.review.annotate import annotated_sgf
from igo.agents.review.judge import MoveVerdict, Thresholds, judge
from igo.agents.review.report import ReportInput, graph_png, markdown
from igo.agents.search_presets import DEFAULT_VISITS
from igo.extras import MissingExtraError, require
from igo.files import check_creatable, write_bytes_atomic, write_text_atomic
from igo.io.sgf import read_sgf

PlayerFor = Callable[[int], BatchAnalysisPlayer]
"""A board size -> the player that reviews it (ValueError: none can)."""


class ReviewError(ValueError):
    """A file that cannot be reviewed; the message names it."""


class ReviewProgress(Protocol):
    """Where a review reports its progress (the CLI's bar)."""

    def begin(self, name: str, positions: int, visits: int) -> None:
        """A file's search starts: ``positions`` to search, ``visits`` each."""
        ...

    def advance(self, visits: int) -> None:
        """``visits`` more visits done."""
        ...

    def end(self) -> None:
        """The file's search is over."""
        ...


@dataclass(frozen=True)
class ReviewOutputs:
    """Where one input's review goes."""

    sgf: Path
    """The annotated record."""
    png: Path
    """The win-rate graph."""
    md: Path
    """The report."""


@dataclass(frozen=True)
class FileReview:
    """What became of one input."""

    source: Path
    """The input."""
    outputs: ReviewOutputs
    """Its outputs."""
    skipped: bool
    """Its outputs were up to date: nothing done."""
    verdicts: tuple[MoveVerdict, ...] = ()
    """Every move judged (empty when skipped)."""
    graph_note: str | None = None
    """Why no graph was drawn (None: drawn, or skipped)."""


def outputs_for(source: Path, out: Path | None, several: bool) -> ReviewOutputs:
    """The outputs of ``source``: beside it, in folder ``out``, or (one input) the reviewed SGF
    ``out`` itself, its graph and report beside it."""
    stem = source.name[:-4] if source.name.lower().endswith(".sgf") else source.name
    folder = source.parent
    if out is not None:
        if several or out.is_dir() or out.suffix.lower() != ".sgf":
            folder = out
        else:
            base = out.name[:-4].removesuffix(".reviewed")
            return ReviewOutputs(
                out, out.with_name(f"{base}.review.png"), out.with_name(f"{base}.review.md")
            )
    return ReviewOutputs(
        folder / f"{stem}.reviewed.sgf", folder / f"{stem}.review.png", folder / f"{stem}.review.md"
    )


def graphs_available() -> bool:
    """Whether matplotlib (the ``train`` extra) is installed, so graphs can be drawn."""
    try:
        require("matplotlib.figure", "igo review's graph", "matplotlib")
    except MissingExtraError:
        return False
    return True


def up_to_date(source: Path, outputs: ReviewOutputs, graph: bool) -> bool:
    """Whether every output (the graph only when ``graph``) exists and is no older than
    ``source``."""
    wanted = [outputs.sgf, outputs.md] + [outputs.png] * graph
    if not all(path.is_file() for path in wanted):
        return False
    made = min(path.stat().st_mtime for path in wanted)
    return made >= source.stat().st_mtime


def review_file(
    source: Path,
    outputs: ReviewOutputs,
    player_for: PlayerFor,
    settings: ReviewSettings,
    force: bool = False,
    progress: ReviewProgress | None = None,
    thresholds: Thresholds | None = None,
) -> FileReview:
    """Review ``source`` into ``outputs`` (skipped when they are up to date, unless ``force``).

    Raises:
        ValueError: a broken record or a size no player reviews (``SgfError``, ``ReviewError``),
            the message naming the file.
        OSError: the input cannot be read or an output cannot be written.
    """
    graph = graphs_available()
    if not force and source.is_file() and up_to_date(source, outputs, graph):
        return FileReview(source, outputs, skipped=True)
    record = read_sgf(source)
    for path in (outputs.sgf, outputs.png, outputs.md):
        check_creatable(path)
    try:
        player = player_for(record.size)
    except ValueError as err:
        raise ReviewError(f"{source}: {err}") from None
    visits = settings.visits or getattr(player, "visits", None) or DEFAULT_VISITS
    settings = replace(settings, visits=visits)
    states = positions(record)
    if progress is not None:
        progress.begin(source.name, len(states), visits)
    try:
        advance = progress.advance if progress is not None else None
        analyses = analyse_positions(states, player, settings, advance)
    finally:
        if progress is not None:
            progress.end()
    verdicts = judge(record.moves, analyses, thresholds)
    name = player.name
    for path in (outputs.sgf, outputs.png, outputs.md):  # ``--out`` may name a new folder
        path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(outputs.sgf, annotated_sgf(record, analyses, verdicts, name, visits))
    report = ReportInput(source.name, record, analyses, verdicts, name, visits)
    note = None
    if graph:
        write_bytes_atomic(outputs.png, graph_png(report))
    else:
        note = "no win-rate graph: it needs matplotlib, from igo's optional 'train' extra"
    png_name = outputs.png.name if outputs.png.parent == outputs.md.parent else str(outputs.png)
    write_text_atomic(outputs.md, markdown(report, png_name if graph else None, note))
    return FileReview(source, outputs, False, tuple(verdicts), note)
