"""``igo serve``: the browser board (docs/serve.md). The parser imports nothing of the server:
the ``serve`` extra (starlette, uvicorn) is imported when it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from igo.cli.options import add_game_options, game_config, players_help
from igo.extras import SERVE_EXTRA, require

USAGE = "igo serve [--port 8000] [--host 127.0.0.1] [--player NAME] [player options] ..."
EXAMPLES = """\
examples:
  igo serve                                  alphago on 9x9, http://127.0.0.1:8000/
  igo serve --player zero --visits 200 --port 8080
  igo serve --player mcts --size 19          any size, no network
  igo serve --watch runs/zero-9x9            also show a running Zero run's newest game
  igo serve --watch runs/games               ... or igo match's SGF folder
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="a browser board: play igo, review an SGF, watch a run (docs/serve.md)",
        usage=USAGE,
        epilog=f"{players_help()}\n{EXAMPLES}",
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (the default serves this machine only; 0.0.0.0 serves "
        "the network: anyone who reaches it can use the board)",
    )
    parser.add_argument(
        "--watch",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="a run folder whose newest game the Watch view shows: a Zero run, or igo match's "
        "SGF folder",
    )
    parser.add_argument(
        "--graph-visits",
        type=int,
        default=64,
        metavar="N",
        help="visits of each position's search for an uploaded record's win-rate graph",
    )
    parser.add_argument(
        "--parallel",
        type=int,
        default=8,
        metavar="N",
        help="positions analysed at once, their leaves in one network batch",
    )
    add_game_options(parser, size=9, rules=False)
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    for module, package in (("starlette", "starlette"), ("uvicorn", "uvicorn")):
        require(module, "igo serve", package, SERVE_EXTRA)
    from igo.serve.server import ServeConfig
    from igo.serve.server import run as serve

    if not 0 < args.port < 65536:
        args.parser.error(f"--port must be from 1 to 65535, not {args.port}")
    for flag in ("graph_visits", "parallel"):
        if getattr(args, flag) < 1:
            args.parser.error(f"--{flag.replace('_', '-')} must be at least 1")
    if args.watch is not None and not args.watch.is_dir():
        args.parser.error(f"--watch {args.watch}: not a folder")
    player, _ = game_config(args.parser, args)
    config = ServeConfig(
        host=args.host,
        port=args.port,
        size=args.size,
        graph_visits=args.graph_visits,
        parallel=args.parallel,
        watch=args.watch,
    )
    return serve(player, config)
