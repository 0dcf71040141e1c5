"""The AlphaGo pipeline's stages, one function each (``STAGE_FUNCTIONS``): each runs or resumes
its stage in the run directory and returns its report; ``igo.train.alphago.pipeline`` orders them,
skips the done ones and records them in ``stages.json``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from igo.data.generate import GenerateConfig, generate_games
from igo.data.records import ImportConfig, import_records
from igo.eval.engines import engine_argv, parse_engine_spec
from igo.go.rules import rules_from_name
from igo.io.sgf import GameRecord
from igo.run_dir import AlphaGoRunDir
from igo.train.alphago.evaluate_stage import evaluate_run
from igo.train.alphago.pipeline_config import AlphaGoConfig

if TYPE_CHECKING:
    from igo.train.parameter_server import PsConfig


@dataclass(frozen=True)
class AlphaGoRun:
    """One run's settings and files."""

    config: AlphaGoConfig
    """The run's settings."""
    dir: AlphaGoRunDir
    """The run directory."""
    progress: bool = True
    """Show the stages' progress bars."""
    parameter_server: PsConfig | None = None
    """Train the sl stage with a parameter server on Ray (None: in this process)."""
    device: str = "auto"
    """Where the sl, rl and value stages train and the value data's nets play (``auto``: CUDA
    when present); the evaluate stage's players pick their own (``auto``)."""


def stderr_line(text: str) -> None:
    """A stage line on stderr, at once."""
    print(text, file=sys.stderr, flush=True)


def _records(run: AlphaGoRun) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for number, (engine, games, folder) in enumerate(run.config.records.sources()):
        report[folder] = _play_records(run, engine, games, folder, run.config.seed + number)
    first = report.pop("records")
    return {**first, **report}


def _play_records(run: AlphaGoRun, engine: str, games: int, folder: str, seed: int) -> Any:
    cfg = run.config
    spec = parse_engine_spec(engine)
    rules = rules_from_name(cfg.rules, cfg.komi)
    generate = GenerateConfig(
        str(run.dir.path(folder)),
        games,
        cfg.board_size,
        cfg.rules,
        cfg.komi,
        cfg.records.jobs,
        seed,
        move_timeout=cfg.records.move_timeout,
    )
    bar = _bar(run, games, folder)

    def on_game(index: int, outcome: GameRecord | str) -> None:
        bar.update(1)

    summary = generate_games(
        generate, lambda seed: engine_argv(spec, rules, seed), spec.name, on_game
    )
    bar.close()
    played = summary.played + summary.existing
    if played == 0:
        reasons = "; ".join(reason for _, reason in summary.failed[:3])
        raise RuntimeError(f"no game records could be played by {engine} ({reasons})")
    return {"games": played, "played": summary.played, "failed": len(summary.failed)}


def _bar(run: AlphaGoRun, total: int, what: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=what, disable=not run.progress, leave=False, dynamic_ncols=True)


def _shards(run: AlphaGoRun) -> dict[str, Any]:
    cfg = run.config.shards
    config = ImportConfig(cfg.heldout, cfg.shard_positions, run.config.board_size)
    folders = [run.dir.path(folder) for _, _, folder in run.config.records.sources()]
    summary = import_records(folders, run.dir.shards, config)
    return {
        "games": dict(summary.games),
        "positions": dict(summary.positions),
        "skipped": len(summary.skipped),
        "shards": summary.shards,
    }


def _patterns(run: AlphaGoRun, kind: str) -> dict[str, Any]:
    from igo.train.alphago.rollout_policy_stage import RolloutTrainConfig, train_from_shards

    cfg = run.config.rollout
    config = RolloutTrainConfig(
        kind=kind,
        min_count=cfg.min_count,
        epochs=cfg.epochs,
        seed=run.config.seed,
        max_positions=cfg.max_positions,
    )
    out = run.dir.rollout_policy if kind == "rollout" else run.dir.tree_policy
    report = train_from_shards(run.dir.shards, out, config)
    return {k: v for k, v in asdict(report).items() if k != "kind"}


def _sl(run: AlphaGoRun) -> dict[str, Any]:
    from igo.train.alphago.sl_policy_stage import train_sl_policy

    if run.parameter_server is not None:
        from igo.train.parameter_server_ray import train_sl_policy_ps

        report = train_sl_policy_ps(
            run.dir.shards,
            run.dir.sl_policy,
            run.config.sl,
            run.parameter_server,
            log_dir=run.dir.logs("sl"),
        )
        return dict(report.to_dict())
    report = train_sl_policy(
        run.dir.shards,
        run.dir.sl_policy,
        run.config.sl,
        log_dir=run.dir.logs("sl"),
        progress=run.progress,
        device=run.device,
    )
    return dict(report.to_dict())


def _rl(run: AlphaGoRun) -> dict[str, Any]:
    from igo.train.alphago.rl_policy_stage import train_rl_policy

    report = train_rl_policy(
        run.dir.sl_policy,
        run.dir.rl_policy,
        run.config.rl,
        work_dir=run.dir.rl_work,
        log_dir=run.dir.logs("rl"),
        progress=run.progress,
        device=run.device,
    )
    return dict(report.to_dict())


def _value_data(run: AlphaGoRun) -> dict[str, Any]:
    from igo.selfplay.value_data import generate_value_data

    report = generate_value_data(
        run.dir.sl_policy,
        run.dir.rl_policy,
        run.dir.value_data,
        run.config.value_data,
        progress=run.progress,
        device=run.device,
    )
    return dict(report.to_dict())


def _value(run: AlphaGoRun) -> dict[str, Any]:
    from igo.train.alphago.value_net_stage import train_value_net

    rollout = run.dir.rollout_policy
    report = train_value_net(
        run.dir.value_data,
        run.dir.value_net,
        run.config.value,
        rollout_policy=rollout if rollout.exists() else None,
        log_dir=run.dir.logs("value"),
        progress=run.progress,
        device=run.device,
    )
    return dict(report.to_dict())


def _evaluate(run: AlphaGoRun) -> dict[str, Any]:
    return evaluate_run(run.config, run.dir, stderr_line if run.progress else None)


STAGE_FUNCTIONS: dict[str, Callable[[AlphaGoRun], dict[str, Any]]] = {
    "records": _records,
    "shards": _shards,
    "rollout": lambda run: _patterns(run, "rollout"),
    "tree": lambda run: _patterns(run, "tree"),
    "sl": _sl,
    "rl": _rl,
    "value_data": _value_data,
    "value": _value,
    "evaluate": _evaluate,
}
"""Each stage's function: runs (or resumes) it and returns its report."""


__all__ = ["STAGE_FUNCTIONS", "AlphaGoRun", "stderr_line"]
