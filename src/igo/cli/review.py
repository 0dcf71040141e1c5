"""``igo review``: records analysed position by position -> annotated SGF, win-rate graph, report
(docs/analysis.md, "Reviewing a game")."""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

from tqdm import tqdm

from igo.agents import Player, default_player
from igo.agents.kata_analysis.scheduler import BatchAnalysisPlayer
from igo.agents.player import board_sizes_of, prepare_player
from igo.agents.review.analyse import ReviewSettings
from igo.agents.review.files import FileReview, outputs_for, review_file
from igo.agents.review.judge import LABELS, plural
from igo.cli.options import add_game_options, game_config, players_help

USAGE = "igo review GAME.sgf [GAME.sgf ...] [--player NAME] [player options] [--out PATH] ..."
EXAMPLES = """\
examples:
  igo review game.sgf                      alphago on 9x9 (mcts elsewhere): game.reviewed.sgf,
                                           game.review.png, game.review.md beside it
  igo review game.sgf --player zero --visits 800
  igo review games/*.sgf --out reviews     a batch; run it again to resume, --force redoes all
  igo review game.sgf --player mcts --visits 200   any size, no network
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "review",
        help="review SGF games: annotated SGF, win-rate graph, mistakes (docs/analysis.md)",
        usage=USAGE,
        epilog=f"{players_help()}\n{EXAMPLES}",
    )
    parser.add_argument("games", nargs="+", type=Path, metavar="GAME.sgf", help="records to review")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the reviewed SGF (one input; its .review.png and .review.md beside it) or a folder "
        "for every input's outputs (default: beside each input, GAME.reviewed.sgf, "
        "GAME.review.png, GAME.review.md)",
    )
    parser.add_argument(
        "--force", action="store_true", help="review again files whose outputs are up to date"
    )
    parser.add_argument(
        "--parallel",
        type=int,
        default=None,
        metavar="N",
        help="positions searched at once, their leaves in one network batch (default: every "
        "position of the game)",
    )
    add_game_options(parser, size=9, rules=False, board_size=False)
    parser.set_defaults(run=run, parser=parser)


class Players:
    """The reviewing player for each board size: ``--player`` for all, else the strongest shipped
    player for the size; each built and loaded once, when a file first needs it."""

    def __init__(self, parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
        self.parser, self.args = parser, args
        self._built: dict[str, Player] = {}
        self._ready: set[str] = set()

    def build(self, name: str) -> Player:
        """Player ``name`` with the flags given (bad flags: ``parser.error``, exit 2)."""
        if name not in self._built:
            given = copy.copy(self.args)
            given.player, given.size = name, None
            player, _ = game_config(self.parser, given)
            if not hasattr(player, "multi_search"):
                self.parser.error(f"--player {name} does not search: choose mcts, zero or alphago")
            self._built[name] = player
        return self._built[name]

    def __call__(self, size: int) -> BatchAnalysisPlayer:
        name = self.args.player or default_player(size)
        player = self.build(name)
        sizes = board_sizes_of(player)
        if sizes is not None and size not in sizes:
            raise ValueError(f"{size}x{size}: --player {name} reviews {sizes[0]}x{sizes[0]} only")
        if name not in self._ready:
            if self.args.player is None:
                note = f"igo: reviewing {size}x{size} with {name} (--player chooses another)"
                print(note, file=sys.stderr)
            prepare_player(player)
            self._ready.add(name)
        return player  # type: ignore[return-value]


class Bar:
    """A tqdm bar per file on standard error: visits done over every position's budget."""

    def __init__(self) -> None:
        self.bar: tqdm[None] | None = None

    def begin(self, name: str, positions: int, visits: int) -> None:
        desc = f"{name} ({positions} positions)"
        self.bar = tqdm(
            total=positions * visits, desc=desc, unit="visit", file=sys.stderr, dynamic_ncols=True
        )

    def advance(self, visits: int) -> None:
        if self.bar is not None:
            self.bar.update(visits)

    def end(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def run(args: argparse.Namespace) -> int:
    from igo.cli.main import error_line  # here: main imports this module

    if args.parallel is not None and args.parallel < 1:
        args.parser.error("--parallel must be at least 1")
    players = Players(args.parser, args)
    if args.player is not None:
        players.build(args.player)  # bad player flags fail before any file is read
    settings = ReviewSettings(parallel=args.parallel)
    several = len(args.games) > 1
    if several and args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for source in args.games:
        outputs = outputs_for(source, args.out, several)
        try:
            done = review_file(source, outputs, players, settings, args.force, Bar())
        except (ValueError, OSError) as err:
            print(f"igo review: error: {error_line(err)}", file=sys.stderr)
            failed += 1
            continue
        print(_line(done), flush=True)
    if failed:
        print(f"igo review: {failed} of {len(args.games)} files not reviewed", file=sys.stderr)
    return 1 if failed else 0


def _line(done: FileReview) -> str:
    """What became of one file, on standard output."""
    if done.skipped:
        return f"{done.source}: up to date, skipped (--force reviews it again)"
    made = [done.outputs.sgf, done.outputs.md] + [done.outputs.png] * (done.graph_note is None)
    labels = [v.label for v in done.verdicts]
    counts = ", ".join(f"{labels.count(n)} {plural(n)}" for n in LABELS)
    text = f"{done.source}: {len(done.verdicts)} moves, {counts} -> {', '.join(map(str, made))}"
    return text + (f" ({done.graph_note})" if done.graph_note else "")
