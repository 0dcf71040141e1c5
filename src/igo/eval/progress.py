"""A match's progress bar: games done, score, running score with its 95% interval, SPRT, ETA."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm

from igo.eval.engine_game import GameOutcome
from igo.eval.summary import MatchSummary, format_score


class MatchProgress:
    """A tqdm bar fed by ``run_match``'s ``on_game``; also prints one line per game unless quiet.

    Args:
        games: Games planned.
        stream: Where the bar goes (default standard error, keeping stdout for the table).
        quiet: Show the bar only, not one line per game.
    """

    def __init__(self, games: int, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream, self.quiet, self.games = stream or sys.stderr, quiet, games
        self.bar: tqdm[None] | None = None

    def start(self) -> None:
        """Show the bar (``run_match`` calls this once the engines are known to work)."""
        if self.bar is None:
            self.bar = tqdm(
                total=self.games, unit="game", file=self.stream, dynamic_ncols=True, smoothing=0.0
            )

    def update(self, outcome: GameOutcome, summary: MatchSummary) -> None:
        """Count one finished game."""
        self.start()
        assert self.bar is not None
        if not self.quiet:
            meta = outcome.record.metadata
            line = (
                f"game {meta.get('RO', '?'):>4}: {meta.get('PB')} (B) vs {meta.get('PW')} (W)"
                f"  {outcome.result}  [{outcome.detail}]"
            )
            self.bar.write(line, file=self.stream)
        wdl = f"{summary.wins}-{summary.draws}-{summary.losses}"
        postfix = f"{summary.first} {wdl} {format_score(summary)}"
        if summary.sprt_llr is not None and summary.sprt is not None:
            lower, upper = summary.sprt.bounds
            postfix += f" LLR {summary.sprt_llr:.2f} ({lower:.2f},{upper:.2f})"
        self.bar.set_postfix_str(postfix, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        """Finish the bar."""
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> MatchProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
