"""``igo zero``: run or resume the AlphaGo Zero loop (self-play -> train -> gate) from a preset."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

# flag -> dotted config key
FLAGS = {
    "run_dir": "run_dir",
    "games_per_generation": "selfplay.games_per_generation",
    "visits": "selfplay.search.num_simulations",
    "generations": "generations",
    "net": "net",
    "workers": "selfplay.num_workers",
    "seed": "seed",
    "carry": "carry_dir",
}


EXAMPLES = """\
examples:
  igo zero --preset tiny --run-dir runs/zero-tiny   minutes: checks the setup
  igo zero --preset 9x9 --device cuda --workers 4   runs/zero-9x9, resumed
  igo zero --curve --run-dir runs/zero-9x9          its generations vs GNU Go
  igo zero --preset mixed-kata --curve --curve-size 13
                                   a mixed run's generations rated at 13x13
  torchrun --nproc_per_node 2 -m igo zero --preset tiny
                                   training on 2 processes (docs/distributed.md)
  igo zero --preset tiny --ray auto --actors 2
                                   self-play on Ray actors (docs/distributed.md)
"""
PRESET = "(default: the preset's)"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "zero", help="AlphaGo Zero training loop (resumable)", epilog=EXAMPLES
    )
    parser.add_argument(
        "--preset",
        default="9x9",
        help="tiny, 9x9, 9x9-kata, 9x9-gumbel, mixed-kata, 19x19 or a .toml path",
    )
    parser.add_argument("--run-dir", help=f"the run directory {PRESET}")
    parser.add_argument(
        "--games-per-generation", type=int, help=f"self-play games per generation {PRESET}"
    )
    parser.add_argument("--visits", type=int, help=f"simulations of a self-play search {PRESET}")
    parser.add_argument("--generations", type=int, help=f"generations to run in all {PRESET}")
    parser.add_argument("--net", help=f"network variant, e.g. resnet_b6c64 {PRESET}")
    parser.add_argument("--device", help=f"auto, cpu, cuda or cuda:N, for everything {PRESET}")
    parser.add_argument("--workers", type=int, help=f"self-play worker processes {PRESET}")
    parser.add_argument("--seed", type=int, help=f"seed of the run {PRESET}")
    parser.add_argument(
        "--carry",
        metavar="DIR",
        help="carry the run's state in DIR (e.g. in the repository) after every generation, "
        "and resume from it where the run folder has none (docs/zero.md)",
    )
    parser.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16"],
        help="self-play and training precision: auto is bf16 where the CPU has AMX-BF16 or "
        f"on CUDA, fp32 elsewhere {PRESET}",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--ray",
        metavar="auto|ADDRESS",
        help="self-play on Ray actors: auto (a local cluster) or a head's host:port",
    )
    parser.add_argument(
        "--actors", type=int, help="Ray self-play actors (default: one per CPU of the cluster)"
    )
    curve = parser.add_argument_group("learning curve (instead of training)")
    curve.add_argument(
        "--curve", action="store_true", help="rate the run's generations vs GNU Go and gen 0"
    )
    curve.add_argument("--curve-games", type=int, default=20, help="games of each pairing")
    curve.add_argument("--curve-visits", type=int, default=200, help="simulations per move")
    curve.add_argument("--curve-every", type=int, default=1, help="every k-th generation")
    curve.add_argument("--curve-opponent", default="gnugo:level=10", help="anchor engine spec")
    curve.add_argument("--curve-jobs", type=int, default=1, help="games at once")
    curve.add_argument(
        "--curve-komi",
        type=float,
        default=None,
        help="komi of the games (default: the run's komi at that size)",
    )
    curve.add_argument(
        "--curve-size",
        metavar="N|all",
        help="rate at this size of the run's mix, or at each (default: the run's main size)",
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    # Imported here so that other subcommands never pay for importing torch.
    from igo.nn.inference import tune_cpu_malloc
    from igo.train import distributed
    from igo.train.trainer import TrainingDiverged
    from igo.train.zero.loop import run_zero
    from igo.train.zero.loop_config import ZERO_CONFIGS, ConfigError

    overrides: dict[str, Any] = {
        key: getattr(args, flag) for flag, key in FLAGS.items() if getattr(args, flag) is not None
    }
    if args.device is not None:
        overrides.update({"selfplay.device": args.device, "train.device": args.device})
    if args.precision is not None:
        overrides.update({"selfplay.precision": args.precision, "train.precision": args.precision})
    tune_cpu_malloc()  # process-wide, so here at the entry point (see igo.nn.inference)
    try:
        config = ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset(args.preset), overrides)
        if args.curve:
            if distributed.under_torchrun():
                raise ConfigError("--curve runs in one process: start it without torchrun")
            return run_curve(config.run_dir, args)
        if args.ray is not None or args.actors is not None:
            return run_ray(config, args)
        # Under torchrun: every rank joins the group, rank 0 alone plays (docs/distributed.md).
        with distributed.process_group() as ranks:
            state = run_zero(config, progress=not args.no_progress)
    except ConfigError as err:
        print(f"igo zero: error: {err}", file=sys.stderr)
        return 2
    except TrainingDiverged as err:
        print(f"igo zero: {err}", file=sys.stderr)
        return 1
    if not ranks.is_main:
        return 0
    print(
        f"igo zero: {config.run_dir}: {state.generation} generations done, best network is "
        f"generation {state.best_generation} ({config.run_dir}/models/best.safetensors)"
    )
    return 0


def run_ray(config: Any, args: argparse.Namespace) -> int:
    """``igo zero --ray``: the loop with self-play on Ray actors (``ray_learner``)."""
    from igo.extras import MissingExtraError
    from igo.train.zero.loop_config import ConfigError
    from igo.train.zero.ray_learner import run_zero_ray

    if args.ray is None:
        print("igo zero: error: --actors needs --ray auto|ADDRESS", file=sys.stderr)
        return 2
    try:
        state = run_zero_ray(config, args.ray, actors=args.actors, progress=not args.no_progress)
    except (ConfigError, MissingExtraError) as err:
        print(f"igo zero: error: {err}", file=sys.stderr)
        return 2
    except RuntimeError as err:  # actors that keep dying, a diverged loss
        print(f"igo zero: {err}", file=sys.stderr)
        return 1
    print(
        f"igo zero: {config.run_dir}: {state.generation} generations done on Ray, best network "
        f"is generation {state.best_generation} ({config.run_dir}/models/best.safetensors)"
    )
    return 0


def run_curve(run_dir: str, args: argparse.Namespace) -> int:
    """``igo zero --curve``: play the missing evaluation games, then write the curve files."""
    from igo.eval.summary import MatchSummary, format_score
    from igo.run_dir import ZeroRunDir
    from igo.train.zero.learning_curve import (
        CurveConfig,
        curve_points,
        play_curve_games,
        run_sizes,
        write_curve,
    )

    config = CurveConfig(
        games=args.curve_games,
        visits=args.curve_visits,
        opponent=args.curve_opponent,
        jobs=args.curve_jobs,
        every=args.curve_every,
        komi=args.curve_komi,
    )

    def report(first: str, second: str, summary: MatchSummary) -> None:
        print(f"{summary.first} vs {summary.second}: {format_score(summary)}", flush=True)

    try:
        run = ZeroRunDir(run_dir)
        for size in _curve_sizes(args.curve_size, lambda: run_sizes(run)):
            sized = replace(config, size=size)
            db = play_curve_games(run, sized, report)
            path = write_curve(run, curve_points(run, db, sized), sized)
            print(path.read_text(), end="")
            print(f"igo zero: curve written to {path} and {path.with_suffix('.png')}")
    except (ValueError, RuntimeError) as err:  # bad spec or DB; ArenaError: engines cannot play
        print(f"igo zero: error: {err}", file=sys.stderr)
        return 2
    return 0


def _curve_sizes(choice: str | None, run_sizes: Callable[[], tuple[int, ...]]) -> list[int | None]:
    """The sizes ``--curve-size`` asks for: None (the main size), all the run's, or one.

    Raises:
        ValueError: neither a number nor ``all``.
    """
    if choice is None:
        return [None]
    if choice == "all":
        return list(run_sizes())
    if not choice.isdigit():
        raise ValueError(f"--curve-size takes a board size or 'all', not {choice!r}")
    return [int(choice)]
