"""The Zero loop's learner on a Ray cluster (``igo zero --ray``): games from actors, training
as they arrive, the same run folder.

:class:`RayZeroLoop` is the loop of ``loop.py`` with its self-play phase played by the
:class:`~igo.train.zero.ray_selfplay.ActorPool`: the driver publishes the best network, writes
each arriving game to the replay atomically (once per game id: a game whose id is already in a
manifest is dropped), and trains as games arrive, keeping the preset's ratio: after n of a
generation's G games, ``n * steps_per_generation // G`` of its steps are done (once the window
holds ``train.min_samples``), so training overlaps the actors' games instead of waiting for the
last one. Gating and everything else is the loop's own. Steps between trainer checkpoints are
kept in memory; the state names the last checkpoint, so a learner killed and started again
redoes those steps from it, never skips or doubles one.

The run folder is the ordinary one (``docs/zero.md``): a Ray run resumes without Ray and the
reverse, at any phase.
"""

from __future__ import annotations

import time

import numpy as np
from tqdm import tqdm

from igo.data.replay_buffer import list_games
from igo.data.shards import read_manifest
from igo.selfplay.record import write_game
from igo.selfplay.worker import SelfPlayJob
from igo.train import distributed
from igo.train.trainer import Trainer
from igo.train.zero.loop import Hook, ZeroLoop
from igo.train.zero.loop_config import ConfigError, ZeroConfig
from igo.train.zero.loop_state import ZeroState
from igo.train.zero.ray_selfplay import ActorPool, connect


def run_zero_ray(
    config: ZeroConfig,
    address: str,
    *,
    actors: int | None = None,
    progress: bool = True,
    hook: Hook | None = None,
) -> ZeroState:
    """Run (or resume) the loop with self-play on a Ray cluster.

    Args:
        config: the run's settings.
        address: ``auto`` (a local cluster of ``actors`` CPUs, default all of this machine's)
            or a Ray head's ``host:port``.
        actors: self-play actors (default: one per CPU of the cluster).
        progress: progress bars on stderr.
        hook: called at every step of the loop (as ``run_zero``'s).

    Raises:
        ConfigError: a bad address or actor count, torchrun, or a run folder started with
            other settings (one line each).
        MissingExtraError: Ray is not installed.
    """
    if actors is not None and actors < 1:
        raise ConfigError(f"--actors {actors}: at least one actor is needed")
    if distributed.under_torchrun():
        raise ConfigError("--ray runs the learner in one process: start it without torchrun")
    try:
        ray = connect(address, actors)
    except ValueError as err:
        raise ConfigError(str(err)) from err
    try:
        count = actors or max(1, int(ray.cluster_resources().get("CPU", 1)))
        pool = ActorPool(ray, count, config.selfplay.torch_threads)
        loop = RayZeroLoop(config, progress, hook or (lambda event: None), pool)
        try:
            return loop.run()
        finally:
            loop.close()
            pool.close()
    finally:
        ray.shutdown()


class RayZeroLoop(ZeroLoop):
    """The loop with its games from Ray actors and its training as they arrive."""

    def __init__(self, config: ZeroConfig, progress: bool, hook: Hook, pool: ActorPool) -> None:
        super().__init__(config, progress, hook)
        self.pool = pool

    def _play(self, target_games: int, calibration: bool) -> None:
        """Top the generation up to ``target_games`` with the actors' games."""
        cfg, g, best = self.config.selfplay, self.state.generation, self.state.best_generation
        folder = self.run_dir.replay_dir(g)
        done = len(read_manifest(folder))
        if done >= target_games:
            return
        self.pool.publish(self.run_dir.model_path(best), best)
        seen = {e.info.extra.get("game_id") for e in list_games(self.run_dir.replay)}
        start = time.monotonic()
        bar = tqdm(
            total=target_games,
            initial=done,
            desc=f"self-play gen {g} ({len(self.pool.actors)} Ray actors)",
            unit="game",
            disable=not self.progress,
            leave=False,
            dynamic_ncols=True,
        )
        try:
            while done < target_games:  # again only if a duplicate id was dropped
                seed = np.random.SeedSequence([self.config.seed, g, done, 11]).generate_state(1)
                job = SelfPlayJob(
                    "", cfg, g, best, int(seed[0]), self.state.resign_threshold, calibration
                )
                for game_id, game in self.pool.games(job, target_games - done, int(seed[0])):
                    if game_id in seen:
                        continue
                    write_game(folder, done, game, game_id=game_id)
                    seen.add(game_id)
                    done += 1
                    bar.update(1)
                    self._game_written()
                    self._train_as_games_arrive(done)
        finally:
            bar.close()
            self.state.selfplay_seconds += time.monotonic() - start

    def _train_as_games_arrive(self, games: int) -> None:
        """Take the generation's steps due after ``games`` of its games (the preset's ratio)."""
        steps, g = self.config.train.steps_per_generation, self.state.generation
        per_generation = self.config.selfplay.games_per_generation
        due = g * steps + min(steps, games * steps // per_generation)
        trainer = self._trainer()
        if trainer.step >= due:
            return
        buffer = self._buffer()
        if buffer.num_samples < self.config.train.min_samples:
            return  # the first games of a run: train once the window holds enough
        end = (g + 1) * steps
        self._train_to(trainer, buffer, due, lambda n: None, checkpoint_at_target=due == end)

    def _trainer(self) -> Trainer:
        trainer = self.session.trainer
        if trainer is not None and trainer.step > self.state.train_steps:
            return trainer  # steps since the last checkpoint, taken as games arrived
        return super()._trainer()
