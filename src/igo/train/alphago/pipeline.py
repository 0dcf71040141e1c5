"""The AlphaGo (Lee) pipeline end to end, in one resumable run directory (``igo alphago``).

| stage      | does                                                   | writes (in the run dir)   |
|------------|--------------------------------------------------------|---------------------------|
| records    | an engine plays itself (``igo.data.generate``)         | ``records/game-*.sgf``    |
| shards     | the records as SL shards (``igo.data.records``)        | ``shards/``               |
| rollout    | the rollout policy's fit (``rollout_policy_stage.py``) | ``rollout.npz``           |
| tree       | the tree policy's fit (the same)                       | ``tree.npz``              |
| sl         | the SL policy net (``sl_policy_stage.py``)             | ``sl-policy.safetensors`` |
| rl         | the RL policy net (``rl_policy_stage.py``)             | ``rl-policy.*``, ``rl/``  |
| value_data | one position per game (``igo.selfplay.value_data``)    | ``value-data/``           |
| value      | the value net (``value_net_stage.py``)                 | ``value.safetensors``     |
| evaluate   | an arena vs the opponent (``evaluate_stage.py``)       | ``arena/``, ``report.md`` |

Each stage writes its files atomically and then its line in ``stages.json`` (its report and
seconds); a stage whose line and files are there is skipped, and a killed stage resumes by
itself (each stage function resumes from its own files). ``config.json`` keeps the settings: a
rerun that would compute something else is refused. TensorBoard logs go to ``logs/<stage>``.
Every path is ``igo.run_dir.alphago_layout``'s. Under torchrun (``docs/distributed.md``) the sl
and value stages train data-parallel on every rank; rank 0 alone holds the run's lock and writes
``stages.json``, and the other stages are refused (run them in one process).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from igo.data.generate import GenerateConfig, generate_games
from igo.data.records import ImportConfig, import_records
from igo.eval.engines import engine_argv, parse_engine_spec
from igo.files import write_text_atomic
from igo.go.rules import rules_from_name
from igo.io.sgf import GameRecord
from igo.nn.checkpoint import package_version
from igo.run_dir import AlphaGoRunDir
from igo.train import distributed
from igo.train.alphago.evaluate_stage import evaluate_run
from igo.train.alphago.pipeline_config import ALPHAGO_CONFIGS, STAGES, AlphaGoConfig
from igo.train.config_loader import ConfigError

if TYPE_CHECKING:
    from igo.train.parameter_server import PsConfig

Log = Callable[[str], None]


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


INPUTS: dict[str, tuple[str, ...]] = {
    "records": (),
    "shards": ("records",),
    "rollout": ("shards",),
    "tree": ("shards",),
    "sl": ("shards",),
    "rl": ("sl",),
    "value_data": ("sl", "rl"),
    "value": ("value_data",),
    "evaluate": ("rollout", "tree", "sl", "value"),
}
"""The stages whose outputs a stage reads (``evaluate`` also ``rl`` when it plays the RL net)."""
DATA_PARALLEL = ("sl", "value")
"""The stages that train on several processes under torchrun (``igo.train.distributed``)."""


def run_alphago(
    config: AlphaGoConfig,
    *,
    progress: bool = True,
    stages: Sequence[str] | None = None,
    log: Log | None = None,
    parameter_server: PsConfig | None = None,
    device: str = "auto",
) -> dict[str, Any]:
    """Run (or resume) the pipeline's stages in ``config.run_dir``.

    Args:
        config: the run's settings.
        progress: show progress bars (a line per stage start and end is always logged).
        stages: the stages to run, in pipeline order whatever the order given (default: all).
        log: where the stage lines go (default: stderr).
        parameter_server: train the sl stage with a parameter server and workers on Ray
            (``igo.train.parameter_server_ray``); None: in this process.
        device: where the sl, rl and value stages train and the value data's nets play
            (``auto``: CUDA when present; ``cpu``, ``cuda``, ``cuda:N``).

    Returns:
        ``stages.json``'s stages: per stage, its report and seconds.

    Raises:
        ConfigError: an unknown stage, a run directory started with other settings, a stage
            whose inputs are missing, or an engine that is not installed.
        RunDirInUse: another process runs the pipeline in the run directory.
    """
    chosen = _chosen(stages)
    run = AlphaGoRun(config, AlphaGoRunDir(config.run_dir), progress, parameter_server, device)
    write = log or _stderr
    if not distributed.ranks().is_main:
        return _follow(run, chosen)
    _plan(run, chosen)  # before the run folder is made: a refused run leaves nothing behind
    run.dir.root.mkdir(parents=True, exist_ok=True)
    lock = run.dir.hold("igo alphago")
    try:
        done, todo = _plan(run, chosen)  # again: another process may have run stages meanwhile
        ALPHAGO_CONFIGS.check_saved(run.dir, config, package_version())
        for stage in chosen:
            if stage in todo:
                done[stage] = _run_stage(run, stage, write)
                _save_stages(run.dir, done)
            else:
                write(f"igo alphago: {stage}: done before, skipped")
        return done
    finally:
        lock.close()


def _follow(run: AlphaGoRun, chosen: list[str]) -> dict[str, Any]:
    """A rank other than 0 under torchrun: it trains its share of the stages rank 0 runs (their
    functions write nothing on it) and returns nothing, leaving the lock and ``stages.json`` to
    rank 0."""
    _, todo = _plan(run, chosen)
    for stage in todo:
        STAGE_FUNCTIONS[stage](run)
    return {}


def _chosen(stages: Sequence[str] | None) -> list[str]:
    unknown = sorted(set(stages or ()) - set(STAGES))
    if unknown:
        raise ConfigError(f"unknown stage {', '.join(unknown)}; stages: {', '.join(STAGES)}")
    return [s for s in STAGES if stages is None or s in stages]


def _plan(run: AlphaGoRun, chosen: list[str]) -> tuple[dict[str, Any], list[str]]:
    """(the stages done before, the chosen stages still to run), checked by ``_preflight``."""
    done = load_stages(run.dir)
    todo = [s for s in chosen if not _is_done(run, s, done)]
    _preflight(run, todo)
    return done, todo


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_stages(run_dir: AlphaGoRunDir) -> dict[str, Any]:
    """The finished stages recorded in the run's ``stages.json`` (empty if none)."""
    path = run_dir.stages_path
    if not path.exists():
        return {}
    stages: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["stages"]
    return stages


def _save_stages(run_dir: AlphaGoRunDir, stages: dict[str, Any]) -> None:
    body = {"stages": stages}
    write_text_atomic(run_dir.stages_path, json.dumps(body, indent=1, default=str) + "\n")


def _is_done(run: AlphaGoRun, stage: str, done: dict[str, Any]) -> bool:
    """Recorded with its outputs present; ``evaluate`` also with the same settings (a resumed run
    may change them: then the missing games are played and the report rewritten)."""
    if stage not in done or not all(p.exists() for p in run.dir.outputs(stage)):
        return False
    return stage != "evaluate" or done[stage].get("config") == _evaluate_settings(run)


def _evaluate_settings(run: AlphaGoRun) -> Any:
    return json.loads(json.dumps(asdict(run.config.evaluate)))


def _preflight(run: AlphaGoRun, todo: list[str]) -> None:
    """Fail before any work: missing inputs of the stages to run, engines not installed, a stage
    that cannot run on several processes under torchrun."""
    serial = [s for s in todo if s not in DATA_PARALLEL]
    if distributed.ranks().distributed and serial:
        raise ConfigError(
            f"under torchrun only the {' and '.join(DATA_PARALLEL)} stages train data-parallel; "
            f"run {', '.join(serial)} in one process first (igo alphago --stages ...)"
        )
    for stage in todo:
        inputs = INPUTS[stage] + (("rl",) if stage == "evaluate" and run.config.evaluate.rl else ())
        for needed in inputs:
            outputs = run.dir.outputs(needed)
            present = all(p.exists() for p in outputs)
            if needed not in todo and not present:
                raise ConfigError(
                    f"stage {stage} needs the {needed} stage's output ({outputs[0]}): run that "
                    "stage first"
                )
    rules = rules_from_name(run.config.rules, run.config.komi)
    engines = [("records", spec) for spec, _, _ in run.config.records.sources()]
    engines.append(("evaluate", run.config.evaluate.opponent))
    for stage, spec in engines:
        if stage in todo:
            try:
                engine_argv(parse_engine_spec(spec), rules)
            except ValueError as err:
                raise ConfigError(f"stage {stage}: {err}") from err


def _run_stage(run: AlphaGoRun, stage: str, write: Log) -> dict[str, Any]:
    write(f"igo alphago: {stage}: started")
    began = time.monotonic()
    report = STAGE_FUNCTIONS[stage](run)
    seconds = time.monotonic() - began
    write(f"igo alphago: {stage}: done in {seconds:.1f} s: {describe(report)}")
    entry = {"seconds": seconds, "finished": datetime.now(UTC).isoformat(), "report": report}
    if stage == "evaluate":
        entry["config"] = _evaluate_settings(run)
    return entry


def describe(report: dict[str, Any]) -> str:
    """A report's figures on one line: floats to 4 significant digits, tables of numbers as
    ``table.key=value``, deeper tables left out."""
    parts = []
    for key, value in report.items():
        if not isinstance(value, dict):
            parts.append(f"{key}={_short(value)}")
        elif not any(isinstance(v, dict) for v in value.values()):
            parts += [f"{key}.{k}={_short(v)}" for k, v in value.items()]
    return ", ".join(parts)


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


# ----- the stages -----
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
    return evaluate_run(run.config, run.dir, _stderr if run.progress else None)


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


__all__ = [
    "INPUTS",
    "STAGE_FUNCTIONS",
    "AlphaGoRun",
    "describe",
    "load_stages",
    "run_alphago",
]
