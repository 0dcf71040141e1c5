"""The parameter server on Ray: ``igo.train.parameter_server``'s classes as actors.

One ``ParameterServer`` actor and ``PsConfig.workers`` worker actors (docs/distributed.md).
Asynchronous (Downpour SGD): every worker loops on its own, pull -> gradient -> push, until the
server has applied ``steps`` gradients. Synchronous: the driver runs rounds; in each every worker
pulls the same weights, computes and pushes one gradient, and the server applies their mean when
the last arrives. Both go through the same actors and the same ``pull``/``push``.

Ray is imported only here, through ``igo.extras.require``: without ``--ray`` or
``--ps-workers`` nothing of it is loaded. With no address a local cluster is started for the run
(``ray.init(num_cpus=...)``) and shut down after; with one (``auto``, ``HOST:PORT``) the run
joins that cluster, whose nodes must all see the shards and the run folder at the same paths.
"""

from __future__ import annotations

import logging
import math
import socket
from pathlib import Path
from types import ModuleType
from typing import Any

from igo.extras import DISTRIBUTED_EXTRA, require
from igo.train.alphago.sl_policy_stage import SlConfig, SlReport
from igo.train.alphago.supervised_loop import StagePaths
from igo.train.parameter_server import ParameterServer, PsConfig, PsWorker

CONNECT_TIMEOUT_S = 5.0
"""How long a HOST:PORT address may take to accept a TCP connection before it is refused (Ray
itself retries a dead address for minutes)."""


def ray_module() -> ModuleType:
    """``ray``, or MissingExtraError naming the ``distributed`` extra."""
    return require("ray", "the parameter server (--ps-workers, --ray)", extra=DISTRIBUTED_EXTRA)


def preflight(ps: PsConfig) -> None:
    """Refuse before any work: Ray not installed (MissingExtraError), an address that is not
    one or where nothing answers (ValueError)."""
    ray_module()
    if ps.address is not None:
        _check_reachable(ps.address)


def _check_reachable(address: str) -> None:
    """ValueError unless a ``HOST:PORT`` address accepts a connection (``auto`` and
    ``ray://`` are left to Ray, which fails fast on them)."""
    if address == "auto" or "://" in address:
        return
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--ray {address}: not an address (auto, HOST:PORT or ray://HOST:PORT)")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_S).close()
    except OSError as err:
        raise ValueError(f"--ray {address}: no Ray cluster answers there ({err})") from err


def connect(ps: PsConfig) -> bool:
    """Join ``ps.address``'s cluster, or start a local one; nothing when this process is
    already connected. Returns whether this call connected (so it disconnects after).

    Raises:
        MissingExtraError: Ray is not installed.
        ValueError: no cluster at the address.
    """
    ray = ray_module()
    if ray.is_initialized():
        return False
    quiet = {"logging_level": logging.WARNING, "include_dashboard": False}
    if ps.address is None:
        cpus = max(1, math.ceil(ps.workers * ps.worker_cpus))
        ray.init(address="local", num_cpus=cpus, **quiet)  # never another user's cluster
        return True
    _check_reachable(ps.address)
    try:
        ray.init(address=ps.address, **quiet)
    except (ConnectionError, ValueError, RuntimeError) as err:
        raise ValueError(f"--ray {ps.address}: {str(err).splitlines()[0]}") from err
    return True


class RayWorker(PsWorker):
    """A worker that talks to the server actor itself (Downpour's push and pull)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """``PsWorker``'s; an error (no data...) is kept and raised by ``positions``: Ray
        reports an error in an actor's constructor as a dead actor, not as itself."""
        self.failed: Exception | None = None
        try:
            super().__init__(*args, **kwargs)
        except Exception as err:  # raised again, as itself, by the first call
            self.failed = err

    def positions(self) -> tuple[int, int]:
        """(board size, training positions in this worker's shard)."""
        if self.failed is not None:
            raise self.failed
        return super().positions()

    def step(self, server: Any) -> bool:
        """Pull, compute one gradient, push it; whether the server wants more."""
        ray = ray_module()
        version, weights, done = ray.get(server.pull.remote())
        if done:
            return False
        return bool(ray.get(server.push.remote(self.gradient(version, weights))))

    def run(self, server: Any) -> int:
        """async: steps until the server has enough gradients; returns the pushes made."""
        pushes = 0
        while self.step(server):
            pushes += 1
        return pushes


class RayServer(ParameterServer):
    """The server actor; an error while opening (a trainer file of another net...) is kept and
    raised by ``ready``, as in ``RayWorker``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """``ParameterServer``'s."""
        self.failed: Exception | None = None
        try:
            super().__init__(*args, **kwargs)
        except Exception as err:  # raised again, as itself, by ready()
            self.failed = err

    def ready(self) -> None:
        """Raise the constructor's error, if any."""
        if self.failed is not None:
            raise self.failed


def start(
    shards: str | Path,
    out: str | Path,
    config: SlConfig,
    ps: PsConfig,
    log_dir: str | Path | None = None,
    delays: tuple[float, ...] = (),
) -> tuple[Any, list[Any], int]:
    """Start the workers (each reads its shard), then the server (which resumes from the
    trainer checkpoint); (server, workers, training positions). ``delays``: seconds each worker
    waits before each push (tests: a deliberately slow worker)."""
    ray = ray_module()
    worker_class = ray.remote(RayWorker).options(num_cpus=ps.worker_cpus)
    workers = [
        worker_class.remote(str(shards), i, config, ps, delays[i] if i < len(delays) else 0.0)
        for i in range(ps.workers)
    ]
    sizes = ray.get([w.positions.remote() for w in workers])
    if len({size for size, _ in sizes}) != 1:
        raise ValueError(f"{shards}: the workers' shards hold different board sizes")
    server = (
        ray.remote(RayServer)
        .options(num_cpus=0)
        .remote(str(shards), str(out), sizes[0][0], config, ps, _str(log_dir))
    )
    ray.get(server.ready.remote())
    return server, workers, sum(count for _, count in sizes)


def _str(path: str | Path | None) -> str | None:
    return None if path is None else str(path)


def drive(server: Any, workers: list[Any], ps: PsConfig) -> None:
    """Run the workers until the server has applied its steps (async: free-running; sync:
    rounds of one gradient per worker)."""
    ray = ray_module()
    if ps.mode == "async":
        ray.get([w.run.remote(server) for w in workers])
        return
    while not ray.get(server.done.remote()):
        ray.get([w.step.remote(server) for w in workers])


def train_sl_policy_ps(
    shards: str | Path,
    out: str | Path,
    config: SlConfig,
    ps: PsConfig,
    *,
    log_dir: str | Path | None = None,
) -> SlReport:
    """``train_sl_policy`` with a parameter server and ``ps.workers`` workers on Ray: the same
    data, loss, evaluation, files and report (``X.ps.json`` beside them: the staleness
    statistics). A finished stage is skipped; a killed one resumes from its trainer checkpoint.

    Raises:
        MissingExtraError: Ray is not installed.
        ValueError: no cluster at the address, no or too little training data.
        TrainingDiverged: a non-finite loss.
        RuntimeError: an actor died (rerun: it resumes).
    """
    done = StagePaths.of(out).finished()
    if done is not None:
        return SlReport(**done)
    if not Path(shards).is_dir():
        raise ValueError(f"{shards}: no such folder of 'sl' shards")
    ray = ray_module()
    connected = connect(ps)
    try:
        server, workers, positions = _unwrap(lambda: start(shards, out, config, ps, log_dir))
        _unwrap(lambda: drive(server, workers, ps))
        report = _unwrap(lambda: ray.get(server.finish.remote(positions)))
        for actor in [server, *workers]:
            ray.kill(actor)
    finally:
        if connected:
            ray.shutdown()
    return SlReport(**report)


def _unwrap(call: Any) -> Any:
    """``call()``, with an actor's own exception (ValueError, TrainingDiverged...) raised as
    itself rather than wrapped in Ray's, and a dead actor as one RuntimeError."""
    exceptions = ray_module().exceptions
    try:
        return call()
    except exceptions.RayTaskError as err:
        cause = err.cause
        raise cause if isinstance(cause, Exception) else RuntimeError(str(err)) from err
    except exceptions.RayActorError as err:
        raise RuntimeError(
            f"a parameter-server actor died ({type(err).__name__}); rerun the same command to "
            "resume from the last trainer checkpoint"
        ) from err
