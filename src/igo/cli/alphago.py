"""``igo alphago``: run or resume the AlphaGo (Lee) pipeline from a preset (records -> rollout and
tree policies -> SL net -> RL net -> value data -> value net -> evaluation)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

USAGE = (
    "igo alphago [--preset NAME] [--config FILE] [--run-dir DIR] [--set SECTION.KEY=VALUE ...] "
    "[--stages A,B,... | --until STAGE] [--no-progress] [--device D] "
    "[--ps-workers N] [--ps-mode async|sync] [--ps-staleness K] [--ray ADDRESS]"
)


EXAMPLES = """\
examples:
  igo alphago --preset tiny --run-dir runs/alphago-tiny   all, in minutes
  igo alphago --until sl --set sl.steps=500               records to the SL net
  igo alphago --stages evaluate --set evaluate.games=50   more evaluation games
  torchrun --nproc_per_node 2 -m igo alphago --stages sl  the SL net on 2 processes
  igo alphago --stages sl --ps-workers 4 --ps-mode async  a parameter server, 4 Ray workers
  igo alphago --stages sl --ray auto --ps-workers 8       the same on a running Ray cluster
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "alphago",
        help="AlphaGo (Lee) pipeline, records to evaluation (resumable)",
        usage=USAGE,
        epilog=EXAMPLES,
    )
    parser.add_argument("--preset", default="9x9", help="tiny, 9x9 or a .toml path")
    parser.add_argument("--config", help="a TOML file whose keys replace the preset's")
    parser.add_argument("--run-dir", help="the run directory (default: the preset's)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="change one setting, e.g. sl.steps=500 or evaluate.lambdas=[0,1] (repeatable)",
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--stages", help="run only these stages, comma-separated")
    which.add_argument("--until", help="run the stages up to this one")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.add_argument(
        "--device",
        default="auto",
        help="auto (CUDA when present), cpu, cuda or cuda:N: where sl, rl and value train",
    )
    ps = parser.add_argument_group(
        "parameter server (the sl stage on Ray, Downpour SGD; docs/distributed.md)"
    )
    ps.add_argument("--ps-workers", type=int, help="worker actors (default with --ray: 2)")
    ps.add_argument("--ps-mode", choices=("async", "sync"), help="async (default) or sync")
    ps.add_argument("--ps-staleness", type=int, help="async: drop gradients older than this (4)")
    ps.add_argument("--ray", metavar="ADDRESS", help="a running cluster (auto, HOST:PORT)")
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Bad settings (ConfigError, any ValueError) and unwritable folders (OSError) are
    ``igo.cli.main``'s one-line errors; a stage that fails as it runs exits 1."""
    # Imported here so that other subcommands never pay for importing torch.
    from igo.nn.inference import resolve_device, tune_cpu_malloc
    from igo.train import distributed
    from igo.train.alphago.pipeline import run_alphago

    tune_cpu_malloc()  # process-wide, so here at the entry point (see igo.nn.inference)
    config = _config(args)
    stages = _stages(args)
    resolve_device(args.device)  # an unknown device or a missing GPU: refused before any work
    ps = _parameter_server(args)
    if ps is not None and distributed.under_torchrun():
        raise ValueError("--ps-workers and --ray run without torchrun: start igo alphago alone")
    if ps is not None:
        from igo.train.parameter_server_ray import preflight

        preflight(ps)  # Ray installed, the cluster reachable: before any stage runs
    try:
        # Under torchrun: every rank joins the group (docs/distributed.md); else nothing.
        with distributed.process_group() as ranks:
            done = run_alphago(
                config,
                progress=not args.no_progress,
                stages=stages,
                parameter_server=ps,
                device=args.device,
            )
    except RuntimeError as err:  # TrainingDiverged, an engine that cannot play...
        print(f"igo alphago: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    if not ranks.is_main:
        return 0
    report = f"; report {config.run_dir}/report.md" if "evaluate" in done else ""
    print(f"igo alphago: {config.run_dir}: stages done: {', '.join(done) or 'none'}{report}")
    return 0


def _config(args: argparse.Namespace) -> Any:
    """The preset, then --config's keys, then --run-dir and every --set."""
    from pathlib import Path

    from igo.train.alphago.pipeline_config import ALPHAGO_CONFIGS
    from igo.train.config_loader import parse_assignment

    config = ALPHAGO_CONFIGS.load_preset(args.preset)
    if args.config is not None:
        config = ALPHAGO_CONFIGS.with_file(config, Path(args.config))
    overrides: dict[str, Any] = dict(parse_assignment(text) for text in args.set)
    if args.run_dir is not None:
        overrides["run_dir"] = args.run_dir
    return ALPHAGO_CONFIGS.with_overrides(config, overrides)


def _parameter_server(args: argparse.Namespace) -> Any:
    """The ``PsConfig`` that any of the parameter-server flags asks for, else None."""
    flags = (args.ps_workers, args.ps_mode, args.ps_staleness, args.ray)
    if all(flag is None for flag in flags):
        return None
    from igo.train.parameter_server import PsConfig

    settings = {
        "workers": args.ps_workers,
        "mode": args.ps_mode,
        "max_staleness": args.ps_staleness,
        "address": args.ray,
    }
    return PsConfig(**{k: v for k, v in settings.items() if v is not None})


def _stages(args: argparse.Namespace) -> list[str] | None:
    from igo.train.alphago.pipeline_config import STAGES
    from igo.train.config_loader import ConfigError

    if args.until is not None:
        if args.until not in STAGES:
            raise ConfigError(f"unknown stage {args.until}; stages: {', '.join(STAGES)}")
        return list(STAGES[: STAGES.index(args.until) + 1])
    if args.stages is not None:
        return [s.strip() for s in args.stages.split(",") if s.strip()]
    return None
