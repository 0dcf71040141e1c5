"""AlphaGo's RL policy network: REINFORCE against a pool of its own earlier versions.

Silver et al., Nature 529 (2016), Methods, "Reinforcement learning of policy networks". The RL
net p_rho starts as a copy of the SL net p_sigma. Each iteration plays ``games_per_iteration``
games at once (``igo.selfplay.policy_games``) between the current net (black in half the games,
white in the other half, shuffled) and one opponent p_rho- drawn uniformly from the pool O of
earlier snapshots (O starts as {p_sigma}; every ``snapshot_every`` iterations the current net
joins it), then takes one plain SGD step (no momentum, no weight decay) along

    d rho = alpha / n * sum_i sum_t grad_rho log p_rho(a_t^i | s_t^i) * (z^i - b)

over the learner's moves t of the n games i, with z^i = +1 for a win of the learner, -1 for a
loss, 0 for a draw, and b the batch's mean z when ``baseline`` is on (a variance-reducing
baseline; the paper's second pass used the value net), else 0. The log-probabilities are
recomputed in the update from the recorded planes (stored as uint8), under the same distribution
the moves were sampled from: the softmax over the sensible moves only (legal, not filling an own
true eye: plane 46; pass alone when none is left), at temperature 1, with the net in eval mode
(batch norm on its running statistics), so the step is the exact on-policy gradient.

Finally ``eval_games`` games RL vs SL (colours alternating, both sampling) give the win rate the
paper reports (80% at 19x19). Files:

| path                              | what                                                     |
|-----------------------------------|----------------------------------------------------------|
| ``out`` (``X.safetensors``, JSON) | the final RL net; ``extra.report`` holds the report      |
| ``X.report.json``                 | the report (when it and ``out`` exist, the stage is done) |
| ``work_dir/pool/NNNNNN.*``        | pool snapshots by iteration (000000: the SL net)         |
| ``work_dir/trainer.safetensors``  | net, optimiser, iteration and RNG, after every iteration |

A killed run resumes from the trainer state and ends exactly as an uninterrupted one would.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from igo.encode.alphago import NUM_PLANES
from igo.files import write_text_atomic
from igo.go.coords import Color
from igo.nn.checkpoint import config_path, load_checkpoint, read_config, save_checkpoint
from igo.nn.inference import resolve_device
from igo.nn.net import Net, PolicyNet
from igo.nn.threads import torch_threads
from igo.selfplay.policy_games import (
    PolicyFn,
    PolicyGame,
    PolicyGameConfig,
    net_policy,
    play_policy_games,
    sensible_mask,
)
from igo.train.trainer import Trainer, load_trainer, make_optimizer, save_trainer
from igo.train.training_config import TrainConfig
from igo.train.training_logs import summary_writer

_UPDATE_CHUNK = 1024
"""Positions per forward/backward pass in the update (bounds memory; gradients accumulate)."""


@dataclass(frozen=True)
class RlConfig:
    """Settings of the RL policy stage."""

    iterations: int = 200
    """SGD steps, one per minibatch of games (paper: 10,000)."""
    games_per_iteration: int = 64
    """Games per minibatch, played at once (paper: 128)."""
    snapshot_every: int = 20
    """Iterations between additions of the current net to the opponent pool (paper: 500)."""
    learning_rate: float = 0.001
    """Plain SGD step size alpha."""
    baseline: bool = True
    """Subtract the minibatch's mean z from each game's z (else the baseline is 0)."""
    eval_games: int = 200
    """Games RL vs SL at the end, for the reported win rate (0: none, the rate is 0.5)."""
    komi: float = 7.0
    """Komi of every game."""
    rules: str = "chinese"
    """Rules preset; games are counted by area."""
    move_cap: int | None = None
    """Moves after which a game is counted; None: 3 N^2."""
    torch_threads: int = 2
    """Torch CPU threads while the stage runs (restored afterwards)."""
    seed: int = 0
    """Seeds opponents, colours and every sampled move."""

    def __post_init__(self) -> None:
        if min(self.iterations, self.games_per_iteration, self.snapshot_every) < 1:
            raise ValueError("iterations, games_per_iteration and snapshot_every must be >= 1")
        if not self.learning_rate > 0 or self.eval_games < 0 or self.torch_threads < 1:
            raise ValueError("need learning_rate > 0, eval_games >= 0, torch_threads >= 1")


@dataclass(frozen=True)
class RlReport:
    """What the RL stage did."""

    iterations: int
    """SGD iterations done in all."""
    games: int
    """Training games played in all (iterations x games_per_iteration)."""
    win_rate_vs_sl: float
    """The RL net's score against the SL net (draws count half)."""
    eval_games: int
    """Games behind that win rate."""
    seconds: float
    """Wall time of the run that finished the stage."""

    def to_dict(self) -> dict[str, float]:
        """The fields as numbers."""
        return {key: float(value) for key, value in asdict(self).items()}


@dataclass(frozen=True)
class _Step:
    """One iteration's numbers for the log."""

    win_rate: float
    """The learner's score against this iteration's opponent."""
    mean_z: float
    """The learner's mean z."""
    loss: float
    """The REINFORCE surrogate -1/n sum (z - b) log p."""
    opponent: int
    """The opponent's pool iteration."""


def _optimizer_config(config: RlConfig) -> TrainConfig:
    """Plain SGD at the configured step size, as the trainer checkpoint rebuilds it."""
    return TrainConfig(optimizer="sgd", learning_rate=config.learning_rate, momentum=0.0, l2_c=0.0)


def _snapshot(work_dir: Path, iteration: int) -> Path:
    return work_dir / "pool" / f"{iteration:06d}.safetensors"


def _pool(iteration: int, every: int) -> list[int]:
    """The pool's snapshot iterations once ``iteration`` iterations are done."""
    return [0, *range(every, iteration + 1, every)]


def _start(sl_checkpoint: Path, work_dir: Path, config: RlConfig, device: torch.device) -> Trainer:
    """The saved trainer, or a new one whose net is a copy of the SL net (pool: the SL net)."""
    path = work_dir / "trainer.safetensors"
    (work_dir / "pool").mkdir(parents=True, exist_ok=True)
    if path.exists():
        trainer = load_trainer(path, _optimizer_config(config), device)
        trainer.net.eval()
        return trainer
    net = load_checkpoint(sl_checkpoint, device=device)
    if not isinstance(net, PolicyNet) or int(net.config.in_planes) != NUM_PLANES:
        raise TypeError(f"{sl_checkpoint} is not an AlphaGo policy net (48 planes)")
    save_checkpoint(net, _snapshot(work_dir, 0), extra={"rl_iteration": 0})
    optimizer = make_optimizer(net, _optimizer_config(config))
    return Trainer(net, optimizer, np.random.default_rng(config.seed), 0)


def _games_config(config: RlConfig, size: int) -> PolicyGameConfig:
    return PolicyGameConfig(size, config.komi, config.rules, config.move_cap, temperature=1.0)


def _play_iteration(
    learner: PolicyFn, opponent: PolicyFn, config: RlConfig, size: int, rng: np.random.Generator
) -> tuple[list[PolicyGame], list[Color]]:
    """One minibatch of games, learner (policy 0) vs opponent (policy 1), colours shuffled."""
    count = config.games_per_iteration
    colours = [Color.BLACK] * ((count + 1) // 2) + [Color.WHITE] * (count // 2)
    order = rng.permutation(count)
    colours = [colours[i] for i in order]

    def mover(game: int, ply: int) -> int:
        black_moves = ply % 2 == 0
        return 0 if black_moves == (colours[game] == Color.BLACK) else 1

    games = play_policy_games(
        [learner, opponent], count, mover, _games_config(config, size), rng, learner=0
    )
    return games, colours


def policy_gradient_step(
    net: Net,
    optimizer: torch.optim.Optimizer,
    planes: list[np.ndarray],
    moves: list[np.ndarray],
    weights: np.ndarray,
) -> float:
    """One REINFORCE step: ascend 1/n sum_i w_i sum_t log p(a_t|s_t) for n games.

    Args:
        net: the policy net (kept in eval mode; see the module docstring).
        optimizer: its optimiser.
        planes: per game, uint8 [T_i, 48, N, N] of the learner's positions.
        moves: per game, int [T_i] of its moves.
        weights: per game, z_i - b.

    Returns:
        The surrogate loss -1/n sum_i w_i sum_t log p(a_t|s_t).
    """
    device = next(net.parameters()).device
    every = np.concatenate(planes)
    actions = torch.from_numpy(np.concatenate(moves).astype(np.int64)).to(device)
    per_move = np.concatenate([np.full(len(m), w) for m, w in zip(moves, weights, strict=True)])
    scale = torch.from_numpy(per_move / len(planes)).float().to(device)
    net.eval()
    optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for start in range(0, len(every), _UPDATE_CHUNK):
        part = slice(start, start + _UPDATE_CHUNK)
        mask = torch.from_numpy(sensible_mask(every[part])).to(device)
        x = torch.from_numpy(every[part].astype(np.float32)).to(device)
        logits = net(x).float().masked_fill(~mask, float("-inf"))
        log_p = torch.log_softmax(logits, dim=1).gather(1, actions[part, None]).squeeze(1)
        loss = -(scale[part] * log_p).sum()
        loss.backward()  # type: ignore[no-untyped-call]
        total += float(loss.detach())
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return total


def _iteration(
    trainer: Trainer, learner: PolicyFn, work_dir: Path, config: RlConfig, size: int, device: str
) -> _Step:
    """Draw an opponent, play the minibatch, take the SGD step."""
    pool = _pool(trainer.step, config.snapshot_every)
    opponent_at = int(pool[int(trainer.rng.integers(len(pool)))])
    opponent = net_policy(load_checkpoint(_snapshot(work_dir, opponent_at)), device)
    games, colours = _play_iteration(learner, opponent, config, size, trainer.rng)
    z = np.array([g.outcome_for(c) for g, c in zip(games, colours, strict=True)])
    weights = z - (z.mean() if config.baseline else 0.0)
    planes = [g.learner_planes for g in games if g.learner_planes is not None]
    moves = [g.learner_moves for g in games if g.learner_moves is not None]
    loss = policy_gradient_step(trainer.net, trainer.optimizer, planes, moves, weights)
    win_rate = float(np.mean((z + 1.0) / 2.0))
    return _Step(win_rate, float(z.mean()), loss, opponent_at)


def evaluate_vs(
    first: PolicyFn, second: PolicyFn, games: int, config: RlConfig, size: int
) -> float:
    """``first``'s score against ``second`` over ``games`` sampled games, colours alternating
    (game i: ``first`` is black when i is even); draws count half; 0.5 when ``games`` is 0."""
    if games == 0:
        return 0.5

    def mover(game: int, ply: int) -> int:
        return (game + ply) % 2

    rng = np.random.default_rng([config.seed, 1])
    played = play_policy_games([first, second], games, mover, _games_config(config, size), rng)
    colours = [Color.BLACK if i % 2 == 0 else Color.WHITE for i in range(games)]
    z = np.array([g.outcome_for(c) for g, c in zip(played, colours, strict=True)])
    return float(np.mean((z + 1.0) / 2.0))


def _report_path(out: Path) -> Path:
    return out.with_suffix(".report.json")


def _saved_report(out: Path) -> RlReport | None:
    """The finished stage's report, when both the checkpoint and the report exist."""
    path = _report_path(out)
    if not (out.exists() and config_path(out).exists() and path.exists()):
        return None
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return RlReport(
        iterations=int(body["iterations"]),
        games=int(body["games"]),
        win_rate_vs_sl=float(body["win_rate_vs_sl"]),
        eval_games=int(body["eval_games"]),
        seconds=float(body["seconds"]),
    )


def _log(writer: Any, iteration: int, step: _Step) -> None:
    if writer is None:
        return
    writer.add_scalar("rl/win_rate_vs_opponent", step.win_rate, iteration)
    writer.add_scalar("rl/mean_z", step.mean_z, iteration)
    writer.add_scalar("rl/loss", step.loss, iteration)
    writer.add_scalar("rl/opponent_iteration", step.opponent, iteration)


def _open_writer(log_dir: str | Path | None, done: int) -> Any:
    if log_dir is None:
        return None
    return summary_writer(log_dir, done + 1 if done else None)


def _train(
    trainer: Trainer, work_dir: Path, config: RlConfig, writer: Any, progress: bool, device: str
) -> None:
    """Run the iterations not done yet, saving the trainer (and snapshots) after each."""
    from tqdm import tqdm

    size = int(trainer.net.config.board_size)
    learner = net_policy(trainer.net, device)
    bar = tqdm(total=config.iterations, initial=trainer.step, disable=not progress, desc="rl")
    while trainer.step < config.iterations:
        step = _iteration(trainer, learner, work_dir, config, size, device)
        trainer.step += 1
        if trainer.step % config.snapshot_every == 0:
            save_checkpoint(
                trainer.net, _snapshot(work_dir, trainer.step), extra={"rl_iteration": trainer.step}
            )
        save_trainer(work_dir / "trainer.safetensors", trainer)
        _log(writer, trainer.step, step)
        bar.update(1)
        bar.set_postfix(win=f"{step.win_rate:.2f}", opp=step.opponent)
    bar.close()


def _train_and_evaluate(
    sl_checkpoint: Path,
    work: Path,
    config: RlConfig,
    log_dir: str | Path | None,
    progress: bool,
    device: str,
) -> tuple[Trainer, float]:
    """The trained RL net's trainer and its win rate against the SL net."""
    trainer = _start(sl_checkpoint, work, config, resolve_device(device))
    writer = _open_writer(log_dir, trainer.step)
    try:
        _train(trainer, work, config, writer, progress, device)
        size = int(read_config(sl_checkpoint).board_size)
        sl = net_policy(load_checkpoint(sl_checkpoint), device)
        rate = evaluate_vs(net_policy(trainer.net, device), sl, config.eval_games, config, size)
        if writer is not None:
            writer.add_scalar("rl/win_rate_vs_sl", rate, trainer.step)
    finally:
        if writer is not None:
            writer.close()
    return trainer, rate


def train_rl_policy(
    sl_checkpoint: str | Path,
    out: str | Path,
    config: RlConfig,
    *,
    work_dir: str | Path | None = None,
    log_dir: str | Path | None = None,
    progress: bool = False,
    device: str = "auto",
) -> RlReport:
    """Train the RL policy net from the SL net (see the module docstring); resumable.

    Args:
        sl_checkpoint: the SL policy net (an AlphaGo ``PolicyNet`` checkpoint).
        out: the final RL checkpoint, ``X.safetensors`` (``X.json`` and ``X.report.json`` beside).
        config: the stage's settings.
        work_dir: pool snapshots and the trainer state (default ``out.parent / "rl"``).
        log_dir: TensorBoard scalars per iteration, if given.
        progress: show a tqdm bar.
        device: where the net trains and plays (``auto``: CUDA when present; ``cpu``, ``cuda``,
            ``cuda:N``).

    Returns:
        The report (the saved one if the stage was already done).
    """
    out = Path(out)
    saved = _saved_report(out)
    if saved is not None:
        return saved
    began = time.monotonic()
    work = Path(work_dir) if work_dir is not None else out.parent / "rl"
    with torch_threads(config.torch_threads):
        trainer, rate = _train_and_evaluate(
            Path(sl_checkpoint), work, config, log_dir, progress, device
        )
    report = RlReport(
        trainer.step,
        trainer.step * config.games_per_iteration,
        rate,
        config.eval_games,
        time.monotonic() - began,
    )
    extra = {"stage": "rl_policy", "sl_checkpoint": str(sl_checkpoint), "report": report.to_dict()}
    out.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(trainer.net, out, extra=extra)
    write_text_atomic(_report_path(out), json.dumps(report.to_dict(), indent=1) + "\n")
    return report
