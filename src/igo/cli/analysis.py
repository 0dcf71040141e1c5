"""``igo analysis``: KataGo's JSON analysis engine on stdin/stdout (for tools and KaTrain)."""

from __future__ import annotations

import argparse
import os
import sys

from igo.agents.kata_analysis.engine import AnalysisEngine, serve
from igo.agents.kata_analysis.query import PERSPECTIVES, EngineSettings
from igo.agents.kata_analysis.scheduler import BatchAnalysisPlayer
from igo.agents.player import prepare_player
from igo.agents.search_presets import DEFAULT_VISITS
from igo.cli.options import add_game_options, game_config, players_help

USAGE = "igo analysis [--player NAME] [player options] [--parallel N] [--size N] ..."
EXAMPLES = """\
examples:
  igo analysis                                 alphago on 9x9 (the strongest shipped player)
  igo analysis --player zero --visits 800      maxVisits 800 where a query gives none
  echo '{"id":"a","moves":[["B","E5"]],"rules":"chinese","komi":7,"boardXSize":9,\\
"boardYSize":9}' | igo analysis --player mcts --size 9
"""
_DEFAULTS = EngineSettings()


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "analysis",
        help="run KataGo's JSON analysis engine on stdin/stdout (docs/analysis.md)",
        usage=USAGE,
        epilog=f"{players_help()}\n{EXAMPLES}",
    )
    add_game_options(parser, size=9, rules=False)
    engine = parser.add_argument_group("analysis engine")
    engine.add_argument(
        "--parallel",
        type=int,
        default=_DEFAULTS.parallel,
        metavar="N",
        help="positions searched at once, their leaves in one network batch "
        "(KataGo's numAnalysisThreads)",
    )
    engine.add_argument(
        "--report-winrates-as",
        choices=PERSPECTIVES,
        default=_DEFAULTS.perspective,
        help="whose view winrates, scores and ownership take (KataGo's "
        "reportAnalysisWinratesAs; KaTrain's config says BLACK)",
    )
    engine.add_argument(
        "--max-visits-cap",
        type=int,
        default=_DEFAULTS.max_visits_cap,
        metavar="N",
        help="the most visits a query may ask for (a tree's memory); more is capped, with a "
        "warning",
    )
    engine.add_argument(
        "--score-playouts",
        type=int,
        default=_DEFAULTS.score_playouts,
        metavar="N",
        help="random playouts behind each move's score and ownership estimate",
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    parent = os.getppid()  # before loading: a shell killed meanwhile is noticed too
    for flag in ("parallel", "max_visits_cap", "score_playouts"):
        if getattr(args, flag) < 1:
            args.parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    player, _ = game_config(args.parser, args)
    if not hasattr(player, "multi_search"):
        args.parser.error(f"--player {player.name} does not search: choose mcts, zero or alphago")
    visits = getattr(player, "visits", None) or DEFAULT_VISITS
    settings = EngineSettings(
        max_visits=min(visits, args.max_visits_cap),
        max_visits_cap=args.max_visits_cap,
        perspective=args.report_winrates_as,
        parallel=args.parallel,
        score_playouts=args.score_playouts,
    )
    searcher: BatchAnalysisPlayer = player  # type: ignore[assignment]
    engine = AnalysisEngine(searcher, settings)
    print(f"igo: loading {player.name}...", file=sys.stderr, flush=True)
    prepare_player(player)
    # KataGo's own start line, which tools that wait for it look for.
    print("Started, ready to begin handling requests", file=sys.stderr, flush=True)
    # KaTrain stops a custom command by terminating its shell: igo must not outlive it.
    return serve(engine, sys.stdin, sys.stdout, parent=parent)
