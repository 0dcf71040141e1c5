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
``stages.json``, and the other stages are refused (run them in one process). The stages'
functions are ``igo.train.alphago.pipeline_stages``'s; this module orders, skips and records them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from igo.eval.engines import engine_argv, parse_engine_spec
from igo.files import write_text_atomic
from igo.go.rules import rules_from_name
from igo.nn.checkpoint import package_version
from igo.run_dir import AlphaGoRunDir
from igo.train import distributed
from igo.train.alphago.pipeline_config import ALPHAGO_CONFIGS, STAGES, AlphaGoConfig
from igo.train.alphago.pipeline_stages import STAGE_FUNCTIONS, AlphaGoRun, stderr_line
from igo.train.config_loader import ConfigError

if TYPE_CHECKING:
    from igo.train.parameter_server import PsConfig

Log = Callable[[str], None]


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
    write = log or stderr_line
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


__all__ = [
    "INPUTS",
    "STAGE_FUNCTIONS",
    "AlphaGoRun",
    "describe",
    "load_stages",
    "run_alphago",
]
