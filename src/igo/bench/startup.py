"""Engine start-up: seconds from starting ``igo gtp`` to its answer to ``name`` and to its first
``genmove``, on a cold numba cache (a new install that skipped ``igo warmup``) and a warm one.

Each player's engine is started as a user's GUI starts it (a subprocess speaking GTP on pipes),
first with an empty cache folder of its own (``NUMBA_CACHE_DIR``), then again, several times,
with the cache that first run filled. GNU Go is timed the same way in the same run as the peer:
a C engine that has nothing to compile or load.

| field        | meaning                                                             |
|--------------|---------------------------------------------------------------------|
| ``name_s``   | process start to the reply to ``name`` (the GUI sees a live engine) |
| ``genmove_s``| process start to the reply to the first ``genmove b``               |
| ``goal``     | ``name`` under 2 s, cold or warm (issue 12)                         |
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NAME_GOAL_SECONDS = 2.0
"""The goal for ``name``, cold or warm."""
PLAYERS = ("alphago", "zero", "rollout", "mcts", "random")
"""The players timed by default: the shipped ones and the two without networks."""
_HANG_GUARD = 900.0


def _command(player: str) -> list[str]:
    """The engine's command line, as a GUI would start it (shipped weights, 9x9)."""
    command = [sys.executable, "-P", "-m", "igo", "gtp", "--player", player, "--size", "9"]
    if player == "rollout":
        from igo.agents.nets import ALPHAGO_WEIGHTS, shipped_weights

        command += ["--rollout-checkpoint", str(shipped_weights(ALPHAGO_WEIGHTS["rollout"]))]
    return command


def time_engine(command: Sequence[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Seconds from starting ``command`` to its ``name`` reply and its first ``genmove`` reply."""
    began = time.monotonic()
    engine = subprocess.Popen(
        list(command),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert engine.stdin is not None and engine.stdout is not None
    times: dict[str, float] = {}
    try:
        for key, line in (("name_s", "name"), ("genmove_s", "genmove b")):
            engine.stdin.write(line + "\n")
            engine.stdin.flush()
            reply = engine.stdout.readline()
            while engine.stdout.readline().strip():  # the reply ends with a blank line
                pass
            if not reply.startswith("="):
                raise RuntimeError(f"{command[0]} answered {line!r} with {reply.strip()!r}")
            times[key] = time.monotonic() - began
        engine.stdin.write("quit\n")
        engine.stdin.flush()
        engine.wait(timeout=_HANG_GUARD)
    finally:
        if engine.poll() is None:
            engine.kill()
            engine.wait()
    return times


def _igo_env(cache: Path) -> dict[str, str]:
    return dict(os.environ, NUMBA_CACHE_DIR=str(cache))


def time_player(player: str, warm_runs: int = 3) -> dict[str, Any]:
    """Cold (empty cache) and warm (best of ``warm_runs`` on the filled cache) start-up times."""
    with tempfile.TemporaryDirectory(prefix="igo-bench-cache-") as cache:
        env = _igo_env(Path(cache))
        cold = time_engine(_command(player), env)
        warm_runs_times = [time_engine(_command(player), env) for _ in range(warm_runs)]
    warm = {key: min(run[key] for run in warm_runs_times) for key in cold}
    return {"cold": cold, "warm": warm}


def _gnugo() -> str | None:
    return shutil.which("gnugo") or next(
        (p for p in ("/usr/games/gnugo",) if Path(p).is_file()), None
    )


def run_startup_bench(players: Sequence[str] = PLAYERS, warm_runs: int = 3) -> dict[str, Any]:
    """Start-up times of each player's engine, cold and warm, and GNU Go's in the same run.

    Returns:
        A JSON-able dict: ``machine``, ``players`` (player -> cold / warm -> name_s, genmove_s),
        ``gnugo`` (best of ``warm_runs``, or None when it is not installed), ``goal``.
    """
    from igo.bench.machine import machine_info

    results = {player: time_player(player, warm_runs) for player in players}
    gnugo = _gnugo()
    peer = None
    if gnugo is not None:
        command = [gnugo, "--mode", "gtp", "--level", "10", "--boardsize", "9"]
        runs = [time_engine(command) for _ in range(warm_runs)]
        peer = {key: min(run[key] for run in runs) for key in runs[0]}
    worst_name = max(max(r["cold"]["name_s"], r["warm"]["name_s"]) for r in results.values())
    return {
        "benchmark": "startup",
        "machine": machine_info(),
        "settings": {"players": list(players), "warm_runs": warm_runs, "board_size": 9},
        "players": results,
        "gnugo": peer,
        "goal": {"name_seconds": NAME_GOAL_SECONDS, "met": worst_name < NAME_GOAL_SECONDS},
    }
