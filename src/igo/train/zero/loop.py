"""The AlphaGo Zero loop: self-play -> train -> gate -> repeat, in one resumable run directory.

Silver et al. 2017 ran three processes at once (self-play with the best network, optimisation,
evaluation of checkpoints); on one machine ``run_zero`` runs them in turn, one generation at a
time. Every step ends with files written atomically and then ``state.json`` (``loop_state.py``):

| phase      | does                                               | done when (counted from disk) |
|------------|----------------------------------------------------|-------------------------------|
| selfplay   | the best network plays the generation's games      | the replay manifest lists     |
|            | (``igo.selfplay.worker``), each game written        | ``games_per_generation``      |
| train      | steps on the replay window; a trainer checkpoint   | the latest checkpoint's step  |
|            | every ``checkpoint_every`` steps                   | reaches the generation's end  |
| gate       | the candidate plays the best (``gate.py``)         | its line is in gating.jsonl   |

Kill the process at any moment and run the same command again: games are counted from the
manifests, training resumes from the checkpoint at ``state.train_steps`` (network, optimiser and
sampler RNG together, so no step is repeated or skipped), a finished gate is read back from
``gating.jsonl``, and the logs drop whatever was logged past the saved state.

Under torchrun (``docs/distributed.md``) rank 0 runs the loop as above while the other ranks wait;
at each train phase rank 0 sends them the state (``distributed.from_main``) and every rank trains
its slice of each minibatch (``training_step.py``); rank 0 alone writes. When rank 0 leaves the
loop (done, a run folder it refuses, or an error outside training) it sends None and the others
return.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from tqdm import tqdm

from igo.data.replay_buffer import ReplayBuffer, list_games, window_size
from igo.data.shards import read_manifest
from igo.nn.checkpoint import package_version, save_checkpoint
from igo.nn.inference import resolve_device
from igo.nn.precision import CHOICES, explain_precision
from igo.nn.threads import torch_threads
from igo.run_dir import ZeroRunDir
from igo.selfplay.worker import SelfPlayJob, run_selfplay
from igo.train import distributed
from igo.train.trainer import Trainer, load_trainer, save_trainer
from igo.train.training_logs import MetricsLog
from igo.train.zero.carry import resume_from_carry, write_carry
from igo.train.zero.gate import gate_candidate
from igo.train.zero.generation_summary import (
    describe_generation,
    games_played,
    generation_summary,
)
from igo.train.zero.loop_config import ZERO_CONFIGS, ConfigError, ZeroConfig
from igo.train.zero.loop_state import (
    ZeroState,
    begin_stretch,
    extend_stretch,
    load_state,
    save_state,
)
from igo.train.zero.phase_time import PhaseClock
from igo.train.zero.resign_calibration import calibration_games_missing, resign_threshold
from igo.train.zero.run_models import initialise_run, prune_models, sync_best
from igo.train.zero.training_step import train_steps, training_precision

Hook = Callable[[str], None]
"""Called at each step of the loop (``game``, ``train_step``, ``checkpoint``, ``phase``)."""
SAVE_TIME_EVERY_S = 60.0
"""During self-play (saved only at its end) the state is saved after a game once this many
seconds are uncharged to the phase clock, so a kill loses at most about this much of the count."""


def run_zero(config: ZeroConfig, *, progress: bool = True, hook: Hook | None = None) -> ZeroState:
    """Run (or resume) the loop in ``config.run_dir`` until ``config.generations`` are done.

    Args:
        config: the run's settings.
        progress: show progress bars on stderr (a line per generation is always printed).
        hook: called at every step (tests use it to interrupt the loop anywhere).

    Returns:
        The final state.

    Raises:
        ConfigError: if the run directory was started with other settings.
        RunDirInUse: if another process runs the loop in the run directory.
        TrainingDiverged: on a non-finite loss (the run can be resumed after a fix).
    """
    loop = ZeroLoop(config, progress, hook or (lambda event: None))
    try:
        return loop.run()
    finally:
        loop.close()


@dataclass
class _Session:
    """What one process keeps between generations (rebuilt from disk after a restart)."""

    trainer: Trainer | None = None
    buffer: ReplayBuffer | None = None


class ZeroLoop:
    """One process's run of the loop over a run directory."""

    def __init__(self, config: ZeroConfig, progress: bool, hook: Hook) -> None:
        self.config, self.progress, self.hook = config, progress, hook
        self.ranks, self.training = distributed.ranks(), False
        # Checked before the run folder is made: a refused run leaves nothing behind.
        self.device = distributed.local_device(resolve_device(config.train.device))
        resolve_device(config.selfplay.device)  # the self-play workers resolve it again
        try:
            distributed.check_batch(config.train.batch_size)
        except ValueError as err:
            raise ConfigError(f"train.batch_size: {err}") from err
        self.run_dir = ZeroRunDir(config.run_dir)
        self.session = _Session()
        self.clock = PhaseClock()
        self.metrics: MetricsLog | None = None
        self._lock: IO[bytes] | None = None
        if not self.ranks.is_main:  # rank 0 owns the folder and sends the state (from_main)
            self.state = ZeroState()
            return
        try:
            self._open()
        except BaseException:
            distributed.from_main(None)  # the other ranks return rather than wait for rank 0
            raise

    def _open(self) -> None:
        """Take the run folder (lock, saved settings) and its state, or start it."""
        self.run_dir.create()
        self._lock = self.run_dir.hold("igo zero")
        try:
            resume_from_carry(self.config, self.run_dir)
            ZERO_CONFIGS.check_saved(self.run_dir, self.config, package_version())
            state = load_state(self.run_dir.state_path)
            self.state = state if state is not None else initialise_run(self.config, self.run_dir)
            begin_stretch(self.state)
            save_state(self.run_dir.state_path, self.state)
            self.metrics = MetricsLog(
                self.run_dir.logs, self.state.train_steps, self.state.generation
            )
        except BaseException:
            self._lock.close()
            raise

    def close(self) -> None:
        """Close the logs and release the run directory."""
        if self.metrics is not None:
            self.metrics.close()
        if self._lock is not None:
            self._lock.close()

    def run(self) -> ZeroState:
        """Run the phases until the last generation is done (on a rank other than 0: train
        whenever rank 0 says, and return the state of the last generation trained)."""
        if not self.ranks.is_main:
            while (state := distributed.from_main(None)) is not None:
                self.state = state
                self._train()
            return self.state
        try:
            selfplay = resolve_device(self.config.selfplay.device)
            played = explain_precision(selfplay, CHOICES[self.config.selfplay.precision])
            trained = training_precision(self.device, self.config.train.precision)
            self._log(f"igo zero: self-play in {played}; training in {trained}")
            self.clock.start(self.state.phase, self.state)
            sync_best(self.run_dir, self.state.best_generation)
            if self.state.phase == "selfplay":
                self._carry()  # a carry the last stretch did not finish, or a new one
            while self.state.generation < self.config.generations:
                self.clock.start(self.state.phase, self.state)
                if self.state.phase == "selfplay":
                    self._selfplay()
                elif self.state.phase == "train":
                    distributed.from_main(self.state)
                    self._train()
                else:
                    self._gate()
        finally:
            # Not inside training: the other ranks wait there in a collective, not here.
            if not self.training:
                distributed.from_main(None)
        return self.state

    def _save(self, event: str = "phase") -> None:
        self.clock.charge(self.state)
        save_state(self.run_dir.state_path, self.state)
        self.hook(event)

    def _log(self, text: str) -> None:
        tqdm.write(text, file=sys.stderr)  # one line per generation, with or without bars

    # ----- self-play -----
    def _selfplay(self) -> None:
        """Top the generation up to its games: the best network's missing calibration games
        first (played out; ``resign_calibration.py``), then the rest with the threshold they
        give."""
        cfg, best = self.config.selfplay, self.state.best_generation
        missing = calibration_games_missing(list_games(self.run_dir.replay), best, cfg)
        if missing > 0:
            listed = len(read_manifest(self.run_dir.replay_dir(self.state.generation)))
            self._play(min(cfg.games_per_generation, listed + missing), calibration=True)
        self.state.resign_threshold = resign_threshold(list_games(self.run_dir.replay), best, cfg)
        self._play(cfg.games_per_generation, calibration=False)
        self.state.phase = "train"
        self._save()

    def _play(self, target_games: int, calibration: bool) -> None:
        cfg, g = self.config.selfplay, self.state.generation
        job = SelfPlayJob(
            str(self.run_dir.model_path(self.state.best_generation)),
            cfg,
            g,
            self.state.best_generation,
            self.config.seed,
            self.state.resign_threshold,
            calibration,
        )
        stats = run_selfplay(
            job,
            self.run_dir.replay_dir(g),
            target_games,
            progress=self.progress,
            on_written=lambda game: self._game_written(),
        )
        self.state.selfplay_seconds += stats.seconds

    def _game_written(self) -> None:
        """A game is listed: save the phase's time now and then (``SAVE_TIME_EVERY_S``)."""
        if self.clock.seconds_since_charge() >= SAVE_TIME_EVERY_S:
            self._save("game")
        else:
            self.hook("game")

    # ----- training -----
    def _trainer(self) -> Trainer:
        trainer = self.session.trainer
        if trainer is None or trainer.step != self.state.train_steps:
            path = self.run_dir.checkpoint_path(self.state.train_steps)
            trainer = load_trainer(path, self.config.train, self.device)
            self.session.trainer = trainer
        return trainer

    def _buffer(self) -> ReplayBuffer:
        if self.session.buffer is None:
            sizes, history = self.config.selfplay.sizes, self.config.history
            self.session.buffer = ReplayBuffer(self.run_dir.replay, sizes, history)
        cfg = self.config.train
        played = games_played(self.state, list_games(self.run_dir.replay))
        window = window_size(
            played, cfg.window_min_games, cfg.window_max_games, cfg.window_exponent
        )
        self.session.buffer.refresh(window)
        return self.session.buffer

    def _train(self) -> None:
        cfg, g = self.config.train, self.state.generation
        target = (g + 1) * cfg.steps_per_generation
        trainer, buffer = self._trainer(), self._buffer()
        if buffer.num_samples < cfg.min_samples:
            raise RuntimeError(
                f"the replay window holds {buffer.num_samples} training positions, fewer than "
                f"train.min_samples = {cfg.min_samples}; play more games per generation"
            )
        bar = tqdm(
            total=cfg.steps_per_generation,
            initial=trainer.step - g * cfg.steps_per_generation,
            desc=f"train gen {g}",
            unit="step",
            disable=not (self.progress and self.ranks.is_main),
            leave=False,
            dynamic_ncols=True,
        )
        try:
            self._train_to(trainer, buffer, target, bar.update)
        finally:
            bar.close()
        self.state.phase = "gate"
        if self.ranks.is_main:
            extra = {"generation": g + 1, "train_steps": trainer.step}
            save_checkpoint(trainer.net, self.run_dir.model_path(g + 1), extra=extra)
            self._save()

    def _train_to(
        self,
        trainer: Trainer,
        buffer: ReplayBuffer,
        target: int,
        on_step: Callable[[int], None],
        checkpoint_at_target: bool = True,
    ) -> None:
        """Train up to step ``target``, with a checkpoint at every multiple of
        ``checkpoint_every`` and (if ``checkpoint_at_target``) at ``target``; ``on_step(1)``
        after each step."""
        cfg = self.config.train

        def step_done(step: int, metrics: dict[str, float]) -> None:
            if self.metrics is not None:
                self.metrics.train(step, metrics)
            on_step(1)
            self.hook("train_step")

        with torch_threads(cfg.torch_threads), self.clock.phase_of("train", self.state):
            self.training = True
            while trainer.step < target:
                every = self.config.checkpoint_every
                num = min(every - trainer.step % every, target - trainer.step)
                train_steps(
                    trainer,
                    buffer,
                    cfg,
                    num_steps=num,
                    total_steps=self.config.total_steps,
                    device=self.device,
                    on_step=step_done,
                )
                if checkpoint_at_target or trainer.step % every == 0:
                    self._checkpoint(trainer)
            self.training = False

    def _checkpoint(self, trainer: Trainer) -> None:
        self.state.train_steps = trainer.step
        if not self.ranks.is_main:
            return
        save_trainer(self.run_dir.checkpoint_path(trainer.step), trainer)
        self._save("checkpoint")
        steps = self.run_dir.checkpoint_steps()
        for step in steps[: -self.config.keep_checkpoints]:
            if step != trainer.step:
                self.run_dir.checkpoint_path(step).unlink(missing_ok=True)

    # ----- gating -----
    def _gate(self) -> None:
        g, best = self.state.generation, self.state.best_generation
        threshold = self.state.resign_threshold
        result = gate_candidate(self.config, self.run_dir, (g + 1, best), threshold, self.progress)
        if result.accepted:
            self.state.best_generation = g + 1
            sync_best(self.run_dir, g + 1)
        self.clock.charge(self.state)  # the generation's row holds its gate's time
        summary = generation_summary(self.run_dir, self.state, result)
        assert self.metrics is not None  # rank 0 alone gates
        self.metrics.generation(g, summary)
        self.state.history.append({"generation": g, **summary})
        self._log(describe_generation(g, summary, result))
        self.state.generation, self.state.phase, self.state.selfplay_seconds = (
            g + 1,
            "selfplay",
            0.0,
        )
        extend_stretch(self.state)
        self._save()
        prune_models(self.run_dir, self.config.keep_models, self.state)
        self._carry()

    def _carry(self) -> None:
        """Write the carried state (``carry.py``) when the run has a carry folder."""
        if not self.config.carry_dir:
            return
        carried = write_carry(self.config, self.run_dir, self.state)
        if carried is not None:
            self._log(
                f"igo zero: carried generation {carried.generation} to {self.config.carry_dir} "
                f"({carried.games} games, {carried.bytes / 1e6:.1f} MB)"
            )
        self.hook("carry")
