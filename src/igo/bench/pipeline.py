"""The tiny AlphaGo pipeline's wall time: every stage of ``igo alphago --preset tiny`` (7x7, GNU Go
level 1 records, nets of a few steps) into a temporary folder, then the same command again,
which finds every stage done and skips it.

``tests/train/alphago/test_pipeline.py`` runs the same preset and checks what it leaves behind;
how long it takes depends on the machine, so it is measured here. Needs GNU Go.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from igo.bench.machine import machine_info
from igo.io.gtp_client import find_program
from igo.train.alphago.pipeline import run_alphago
from igo.train.alphago.pipeline_config import ALPHAGO_CONFIGS


def run_alphago_bench(preset: str = "tiny") -> dict[str, Any]:
    """Wall seconds of the whole run, of each stage (from its ``stages.json``) and of a rerun.

    Returns:
        {"machine", "preset", "seconds", "stage_seconds": {stage: s}, "rerun_seconds"}, or
        {"machine", "skipped": why} where GNU Go is not installed.
    """
    if find_program("gnugo") is None:
        return {"machine": machine_info(), "skipped": "GNU Go is not installed"}
    with tempfile.TemporaryDirectory() as tmp:
        preset_config = ALPHAGO_CONFIGS.load_preset(preset)
        config = ALPHAGO_CONFIGS.with_overrides(preset_config, {"run_dir": str(Path(tmp) / "run")})
        started = time.perf_counter()
        done = run_alphago(config, progress=False, log=lambda line: None)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        run_alphago(config, progress=False, log=lambda line: None)
        rerun = time.perf_counter() - started
    return {
        "machine": machine_info(),
        "preset": preset,
        "seconds": round(seconds, 1),
        "stage_seconds": {stage: round(entry["seconds"], 1) for stage, entry in done.items()},
        "rerun_seconds": round(rerun, 2),
    }
