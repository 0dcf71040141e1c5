"""``igo data generate|import|train-rollout``: game records, training shards, the rollout policy."""

from __future__ import annotations

import argparse
import sys

from igo.data.generate import GenerateConfig, generate_games
from igo.data.records import ImportConfig, import_records
from igo.eval.engines import engine_argv, parse_engine_spec, probe_engine
from igo.files import check_creatable
from igo.go.rules import rules_from_name
from igo.io.sgf import GameRecord

EXAMPLES = """\
examples:
  igo data generate --games 500 --out records --engine gnugo:level=10 --jobs 2
  igo data import records --out shards
  igo data train-rollout shards --out rollout.npz
"""
GENERATE_EXAMPLES = """\
examples:
  igo data generate --games 500 --out records --engine gnugo:level=10 --jobs 2
  igo data generate --games 20 --out rec5 --engine igo:player=random --size 5
"""
IMPORT_EXAMPLES = """\
examples:
  igo data import records --out shards           every *.sgf under records/
  igo data import kgs/2019 kgs/2020 --out shards --size 19 --heldout 0.02
"""
ROLLOUT_EXAMPLES = """\
examples:
  igo data train-rollout shards --out rollout.npz
  igo data train-rollout shards --out tree.npz --kind tree --min-count 5
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("data", help="game records and training shards", epilog=EXAMPLES)
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    gen = actions.add_parser(
        "generate", help="engine self-play games as SGF files", epilog=GENERATE_EXAMPLES
    )
    gen.add_argument("--engine", default="gnugo:level=10", help="engine spec (igo match's)")
    gen.add_argument("--games", type=int, required=True, help="games wanted in --out")
    gen.add_argument("--size", type=int, default=9, help="board size")
    gen.add_argument("--out", required=True, help="folder of the SGF files")
    gen.add_argument("--jobs", type=int, default=1, help="games at once")
    gen.add_argument("--seed", type=int, default=0, help="master seed")
    gen.add_argument("--komi", type=float, default=7.0, help="komi")
    gen.set_defaults(run=run_generate, parser=gen)
    imp = actions.add_parser(
        "import", help="SGF files or folders -> SL training shards", epilog=IMPORT_EXAMPLES
    )
    imp.add_argument("paths", nargs="+", help="SGF files, collections or folders")
    imp.add_argument("--out", required=True, help="shard folder (resumed if it has a manifest)")
    imp.add_argument("--heldout", type=float, default=0.05, help="fraction of games held out")
    imp.add_argument(
        "--size", type=int, default=None, help="keep only games of this size (default: all)"
    )
    imp.add_argument("--shard-positions", type=int, default=100_000, help="positions a shard")
    imp.set_defaults(run=run_import, parser=imp)
    roll = actions.add_parser(
        "train-rollout", help="fit the rollout or tree policy on shards", epilog=ROLLOUT_EXAMPLES
    )
    roll.add_argument("shards", help="shard folder written by igo data import")
    roll.add_argument("--out", required=True, help="policy file (.npz)")
    roll.add_argument("--kind", choices=("rollout", "tree"), default="rollout", help="features")
    roll.add_argument("--min-count", type=int, default=3, help="keep patterns seen this often")
    roll.add_argument("--epochs", type=int, default=4, help="passes over the training positions")
    roll.set_defaults(run=run_train_rollout, parser=roll)


def run_generate(args: argparse.Namespace) -> int:
    config = GenerateConfig(
        args.out, args.games, args.size, komi=args.komi, jobs=args.jobs, seed=args.seed
    )
    spec = parse_engine_spec(args.engine)
    rules = rules_from_name(config.rules, config.komi)
    check_creatable(config.out, folder=True)  # before the probe starts an engine
    probe_engine(engine_argv(spec, rules), spec.name, args.size)
    summary = generate_games(
        config, lambda seed: engine_argv(spec, rules, seed), spec.name, _print_game
    )
    for index, reason in summary.failed:
        print(f"game {index}: abandoned: {reason}", file=sys.stderr)
    print(
        f"{summary.played} played, {summary.existing} already there, {len(summary.failed)} failed"
    )
    return 1 if summary.failed else 0


def _print_game(index: int, outcome: GameRecord | str) -> None:
    if not isinstance(outcome, str):
        result = outcome.result.to_sgf() if outcome.result is not None else "?"
        print(f"game {index}: {result} in {len(outcome.moves)} moves", flush=True)


def run_import(args: argparse.Namespace) -> int:
    config = ImportConfig(args.heldout, args.shard_positions, args.size)
    summary = import_records(args.paths, args.out, config, _print_skipped)
    print(summary.describe())
    imported = sum(summary.games.values()) + summary.files_done_before
    return 0 if imported or not summary.skipped else 1


def _print_skipped(path: str, why: str) -> None:
    print(f"skipped {path}: {why}", file=sys.stderr)  # stdout keeps the summary alone


def run_train_rollout(args: argparse.Namespace) -> int:
    from igo.train.alphago.rollout_policy_stage import RolloutTrainConfig, train_from_shards

    config = RolloutTrainConfig(kind=args.kind, min_count=args.min_count, epochs=args.epochs)
    report = train_from_shards(args.shards, args.out, config, log=print)
    print(report.describe())
    return 0
