"""Self-play on a Ray cluster: actors that play with the best network and stream each game back.

A :class:`SelfPlayActor` is a Ray actor (one CPU, ``selfplay.torch_threads`` torch threads) that
plays games exactly as a self-play worker process does (``igo.selfplay.runner``), and yields
every finished game as it ends, as one object (a streaming call): a game an actor finished is
in the driver's hands even if the actor is killed a moment later. Each game carries an id,
``<actor>/<counter>``, where the actor's name is ``<session>.<n>`` (a random session per learner
process, n counting the actors it started), so ids never repeat across actors, replacements or
restarts, and the learner writes each id once.

The network travels through the object store: the learner puts the best network's files there
once per version (``ray.put``); every call names the version, and an actor pulls the files only
when its copy is older. :class:`ActorPool` keeps one streaming call per actor and replaces an
actor that dies (``ray.kill``, a lost node) with a new one, which plays the games the dead one
still owed. Ray is imported through ``igo.extras.require`` (the ``distributed`` extra).
"""

from __future__ import annotations

import queue
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from igo.extras import DISTRIBUTED_EXTRA, require
from igo.nn.checkpoint import config_path
from igo.selfplay.record import GameData
from igo.selfplay.runner import play_selfplay_games
from igo.selfplay.worker import SelfPlayJob, load_evaluator

GameItem = tuple[str, GameData]
"""A finished game and its id (``<actor>/<counter>``)."""
MAX_DEATHS_WITHOUT_GAME = 4
"""Actor deaths in a row, with no game in between, after which the pool gives up."""


def import_ray(purpose: str = "igo zero --ray") -> ModuleType:
    """Ray, or a one-line MissingExtraError naming the ``distributed`` extra."""
    return require("ray", purpose, extra=DISTRIBUTED_EXTRA)


def connect(address: str, num_cpus: int | None = None) -> ModuleType:
    """Join a Ray cluster: ``auto`` starts a local one (``num_cpus`` CPUs, default all), any
    other ``host:port`` is an existing cluster's head (``ray start --head``).

    Raises:
        ValueError: a malformed or unreachable address (one line).
        MissingExtraError: Ray is not installed.
    """
    ray = import_ray()
    if address == "auto":
        ray.init(address="local", num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
        return ray
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--ray {address!r}: expected auto or host:port (ray start --head)")
    try:  # ray.init retries an unreachable address for a minute: fail fast instead
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as err:
        raise ValueError(f"--ray {address}: no Ray head answers there ({err})") from err
    try:
        ray.init(address=address, log_to_driver=False)
    except (ConnectionError, RuntimeError) as err:
        raise ValueError(f"--ray {address}: cannot join the Ray cluster ({err})") from err
    return ray


@dataclass(frozen=True)
class NetFiles:
    """A network's checkpoint files, as bytes (what goes through the object store)."""

    version: int
    """The generation of the network."""
    weights: bytes
    """The ``.safetensors`` file."""
    info: bytes
    """Its ``.json`` description."""

    @classmethod
    def read(cls, path: str | Path, version: int) -> NetFiles:
        """The checkpoint at ``path`` (``igo.nn.checkpoint``)."""
        return cls(version, Path(path).read_bytes(), config_path(path).read_bytes())

    def write(self, folder: Path) -> Path:
        """Write the files into ``folder``; returns the weights' path."""
        path = folder / f"net-{self.version:06d}.safetensors"
        path.write_bytes(self.weights)
        config_path(path).write_bytes(self.info)
        return path


_DONE = "done"


class SelfPlayActor:
    """One self-play process of the cluster (wrapped by ``ray.remote`` in :class:`ActorPool`)."""

    def __init__(self, name: str, torch_threads: int) -> None:
        import torch

        from igo.nn.inference import tune_cpu_malloc

        torch.set_num_threads(torch_threads)
        tune_cpu_malloc()  # an actor process is an entry point (see igo.nn.inference)
        self.name, self.games, self.version = name, 0, -1
        self.folder = Path(tempfile.mkdtemp(prefix="igo-actor-"))
        self.net_path = ""

    def cpu_seconds(self) -> float:
        """CPU time this actor's process has used (its search and network threads together)."""
        return time.process_time()

    def _pull(self, version: int, refs: list[Any]) -> None:
        """Fetch the network's files if this actor's copy is older than ``version``."""
        if version != self.version:
            files: NetFiles = import_ray().get(refs[0])
            old = Path(self.net_path) if self.net_path else None
            self.net_path, self.version = str(files.write(self.folder)), version
            if old is not None:  # one network on an actor's disk at a time
                old.unlink(missing_ok=True)
                config_path(old).unlink(missing_ok=True)

    def play(
        self, job: SelfPlayJob, version: int, refs: list[Any], num_games: int, seed: int
    ) -> Iterator[GameItem]:
        """Play ``num_games`` with network ``version`` (``refs``: its files in the object
        store, in a list so that Ray hands over the reference, not the value), yielding each
        finished game with its id as it ends."""
        self._pull(version, refs)
        job = replace(job, net_path=self.net_path)
        out: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()

        def work() -> None:  # the game loop calls back; a generator must yield: a thread between
            try:
                play_selfplay_games(
                    load_evaluator(job, seed),
                    job.config,
                    num_games,
                    seed=seed,
                    resign_threshold=job.resign_threshold,
                    on_game=out.put,
                    generation=job.generation,
                    network=job.network,
                    calibration=job.calibration,
                    should_stop=stop.is_set,
                )
                out.put(_DONE)
            except BaseException as err:  # re-raised in the actor's call, so the driver sees it
                out.put(err)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        try:
            while (item := out.get()) != _DONE:
                if isinstance(item, BaseException):
                    raise item
                self.games += 1
                yield f"{self.name}/{self.games}", item
        finally:
            stop.set()


class ActorPool:
    """The self-play actors of a learner: started, fed, replaced when they die."""

    def __init__(self, ray: ModuleType, num_actors: int, torch_threads: int) -> None:
        if num_actors < 1:
            raise ValueError(f"--actors {num_actors}: at least one actor is needed")
        self.ray, self.torch_threads = ray, torch_threads
        self.session = np.random.default_rng().bytes(4).hex()
        self.started = self.replaced = 0
        self._remote = ray.remote(num_cpus=1, max_restarts=0)(SelfPlayActor)
        self.actors = [self._start() for _ in range(num_actors)]
        self.version = -1
        self._files: list[Any] = []
        self.delivered: dict[str, int] = {}
        """Games delivered per actor name (the test of no gap in an actor's stream)."""

    def _start(self) -> Any:
        name = f"{self.session}.{self.started}"
        self.started += 1
        return self._remote.remote(name, self.torch_threads)

    def publish(self, path: str | Path, version: int) -> None:
        """Make network ``version`` (the checkpoint at ``path``) the one the actors play with:
        put once in the object store, pulled by each actor at its next call."""
        if version != self.version:
            self._files = [self.ray.put(NetFiles.read(path, version))]
            self.version = version

    def games(self, job: SelfPlayJob, num_games: int, seed: int) -> Iterator[GameItem]:
        """Play ``num_games`` with the published network, shared among the actors; yields each
        game as it arrives. A dead actor is replaced and its unplayed games given to the new
        one; games it finished before dying have been yielded already."""
        ray, n = self.ray, len(self.actors)
        seeds = iter(np.random.SeedSequence(seed).generate_state(10_000, dtype=np.uint64))
        calls: dict[Any, list[int]] = {}  # streaming call -> [actor slot, games still owed]

        def launch(slot: int, quota: int) -> None:
            call = self.actors[slot].play.options(num_returns="streaming")
            calls[call.remote(job, self.version, self._files, quota, int(next(seeds)))] = [
                slot,
                quota,
            ]

        for slot in range(n):
            if quota := num_games // n + (slot < num_games % n):
                launch(slot, quota)
        deaths = 0
        while calls:
            [call], _ = ray.wait(list(calls), num_returns=1)
            slot, owed = calls[call]
            try:
                game_id, game = ray.get(next(call))
            except StopIteration:
                del calls[call]
                continue
            except ray.exceptions.RayActorError as err:
                del calls[call]
                deaths += 1
                if deaths > MAX_DEATHS_WITHOUT_GAME * n:
                    raise RuntimeError(f"self-play actors keep dying: {err}") from err
                self._replace(slot, owed)
                launch(slot, owed)
                continue
            except ray.exceptions.RayTaskError as err:  # the game code raised: no retry helps
                cause = err.cause if err.cause is not None else err
                raise RuntimeError(f"a self-play actor failed: {cause}") from None
            deaths, calls[call][1] = 0, owed - 1
            actor = game_id.rpartition("/")[0]
            self.delivered[actor] = self.delivered.get(actor, 0) + 1
            yield game_id, game

    def _replace(self, slot: int, owed: int) -> None:
        self.replaced += 1
        self.actors[slot] = self._start()
        print(
            f"igo zero: self-play actor {slot} died; a new one plays its {owed} games left",
            file=sys.stderr,
        )

    def close(self) -> None:
        """Stop the actors (their unfinished games are dropped)."""
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
