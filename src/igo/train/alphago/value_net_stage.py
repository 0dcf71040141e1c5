"""AlphaGo's value network v_theta: regression of the game's outcome from a position.

Silver et al., Nature 529 (2016), "Reinforcement learning of value networks" and Methods: the
policy network's body plus a fully connected layer and one tanh unit over 49 planes (the 48 of
the policy net and the colour to play), trained by SGD to minimise the mean squared error
(v_theta(s) - z)^2 on one position per self-play game (uncorrelated pairs; paper: 30 million,
MSE 0.226 train / 0.234 test, near the accuracy of Monte Carlo rollouts with the RL policy at
15,000 times less computation). Here:

| part       | what                                                                              |
|------------|-----------------------------------------------------------------------------------|
| data       | shards of kind ``value`` (the ``sl`` columns; ``result`` is z, +1 / -1 for the   |
|            | side to move), ``train`` split, all in memory as uint8 planes                    |
| network    | ``create_net(config.net, board_size=n, blocks, channels, norm)``: a ValueNet on  |
|            | 49 planes (``igo.nn.backbones.alphago``)                                          |
| loss       | mean of (tanh output - z)^2 over the minibatch (each under a random symmetry)    |
| mse        | the same on up to ``eval_positions`` held-out positions (a fixed random choice,  |
|            | no symmetry); ``train_mse`` on as many training positions (over-fitting shows as |
|            | train_mse well below mse); ``mean_mse``: predicting the training mean of z       |
| rollouts   | with a rollout policy (``igo.search.rollout``): on up to                          |
|            | min(eval_positions, 500) held-out positions, the mean outcome of                  |
|            | ``rollouts_per_position`` compiled policy rollouts (``policy_playout``, the      |
|            | search's Lee-mode rollout) played to two passes or 4 P + 100 moves, scored by     |
|            | Tromp-Taylor area (Chinese) with the position's komi; ``rollout_mse`` vs z        |

Without held-out shards the held-out metrics are NaN. Files, resuming and logs:
``igo.train.alphago.supervised_loop``.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from igo.encode.alphago import NUM_VALUE_PLANES
from igo.go.board import new_board, rebuild, set_ko, stones_of
from igo.go.playout import area_owner, new_rng
from igo.nn.inference import resolve_device
from igo.nn.net import Net, ValueNet
from igo.nn.threads import torch_threads
from igo.search.rollout.patterns import pattern_geometry
from igo.search.rollout.playout import policy_playout
from igo.search.rollout.policy import rollout_tables
from igo.train import distributed
from igo.train.alphago.supervised_data import (
    board_size_of,
    eval_subset,
    held_out_evaluator,
    load_split_data,
    planes_from_examples,
    select,
)
from igo.train.alphago.supervised_loop import (
    StageConfig,
    StageData,
    StagePaths,
    finish_stage,
    open_trainer,
    run_training,
    stage_net,
)

KIND = "value"
"""The shard kind the stage reads."""
ROLLOUT_POSITIONS = 500
"""Most held-out positions the rollout baseline plays out."""


@dataclass(frozen=True)
class ValueConfig(StageConfig):
    """How the value network is trained (the other fields: ``StageConfig``)."""

    net: str = "alphago_value_l14c192"
    """Registry variant; must build a ValueNet on 49 planes."""
    steps: int = 3000
    """SGD steps."""
    batch_size: int = 128
    """Positions per minibatch (the paper: 32)."""
    learning_rate: float = 0.02
    """Initial learning rate (the paper: 0.003)."""
    eval_positions: int = 2000
    """Held-out (and training) positions the MSE is measured on (a fixed random choice)."""
    rollouts_per_position: int = 16
    """Rollouts averaged per position by the rollout-estimate baseline."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.rollouts_per_position < 1:
            raise ValueError("rollouts_per_position must be at least 1")


@dataclass(frozen=True)
class ValueReport:
    """What a finished value stage measured."""

    steps: int
    """SGD steps done."""
    train_positions: int
    """Positions in the training split."""
    heldout_positions: int
    """Positions in the held-out split (at most ``eval_positions`` of them evaluated)."""
    mse: float
    """Held-out mean of (v - z)^2 (NaN without held-out data)."""
    train_mse: float
    """The same on up to ``eval_positions`` training positions."""
    mean_mse: float
    """Held-out MSE of always predicting the training mean of z (the baseline to beat)."""
    rollout_mse: float | None
    """Held-out MSE of the rollout policy's mean outcome (None: no rollout policy given)."""
    seconds: float
    """Wall time of the call that finished the stage (after a resume: its part only)."""

    def to_dict(self) -> dict[str, float | None]:
        """Plain JSON-ready fields."""
        return dict(asdict(self))


def _squared_error(net: torch.nn.Module, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(net(x), z)


def value_mse(net: Net, planes: np.ndarray, z: np.ndarray, device: torch.device) -> float:
    """Mean of (v - z)^2 over ``planes`` (no symmetry); NaN for no positions."""
    if planes.shape[0] == 0:
        return math.nan
    values = held_out_evaluator(net, device).values(planes).astype(np.float64)
    return float(np.mean((values - z) ** 2))


def _black_outcome(stones: np.ndarray, nbr: np.ndarray, komi: float, owner: np.ndarray) -> float:
    area_owner(stones, nbr, owner)
    score = float(np.count_nonzero(owner == 1) - np.count_nonzero(owner == 2)) - komi
    return 1.0 if score > 0 else (-1.0 if score < 0 else 0.0)


def rollout_estimates(
    arrays: dict[str, np.ndarray], policy: str | Path, rollouts: int, seed: int = 0
) -> np.ndarray:
    """Each position's mean outcome for its side to move over ``rollouts`` rollouts of the
    policy file ``policy`` (to two passes or 4 P + 100 moves; Tromp-Taylor area, its komi).

    Returns:
        float64 [N] in [-1, 1].
    """
    size = board_size_of(arrays)
    n = size * size
    tables, pg = rollout_tables(str(policy)), pattern_geometry(size)
    board, owner, rng = new_board(size), np.zeros(n, dtype=np.int64), new_rng(seed)
    out = np.zeros(arrays["stones"].shape[0], dtype=np.float64)
    for i, stones in enumerate(arrays["stones"]):
        rebuild(board, pg.neighbours, pg.zobrist, stones.astype(np.int64))
        color = int(arrays["to_play"][i])
        if arrays["ko"][i] >= 0:
            set_ko(board, int(arrays["ko"][i]), color)
        last = int(arrays["recent"][i, 0])
        last = last if 0 <= last < n else -1
        total = 0.0
        for _ in range(rollouts):
            work = board.copy()
            policy_playout(work, pg.neighbours, pg.diamond, pg.zobrist, tables, color, last,
                           4 * n + 100, rng)  # fmt: skip
            black = _black_outcome(
                stones_of(work, n), pg.neighbours, float(arrays["komi"][i]), owner
            )
            total += black if color == 1 else -black
        out[i] = total / rollouts
    return out


def _outcomes(arrays: dict[str, np.ndarray]) -> np.ndarray:
    return arrays["result"].astype(np.float32)


@dataclass(frozen=True)
class _Eval:
    """The positions a value stage is measured on."""

    held: dict[str, np.ndarray] | None
    """The evaluated held-out examples (None: no held-out data)."""
    held_planes: np.ndarray
    """Their planes."""
    train_index: np.ndarray
    """The evaluated training positions."""


def _eval_set(
    heldout: dict[str, np.ndarray] | None, train_count: int, config: ValueConfig
) -> _Eval:
    index = eval_subset(train_count, config.eval_positions, config.seed)
    if heldout is None:
        return _Eval(None, np.zeros((0, NUM_VALUE_PLANES, 1, 1), dtype=np.uint8), index)
    held = select(heldout, eval_subset(len(heldout["result"]), config.eval_positions, config.seed))
    return _Eval(held, planes_from_examples(held, value_plane=True), index)


def _rollout_mse(
    heldout: dict[str, np.ndarray] | None, policy: str | Path | None, config: ValueConfig
) -> float | None:
    if policy is None:
        return None
    if heldout is None:
        return math.nan
    limit = min(config.eval_positions, ROLLOUT_POSITIONS)
    chosen = select(heldout, eval_subset(len(heldout["result"]), limit, config.seed))
    if not len(chosen["result"]):
        return math.nan
    estimates = rollout_estimates(chosen, policy, config.rollouts_per_position, config.seed)
    return float(np.mean((estimates - _outcomes(chosen)) ** 2))


def _train(
    paths: StagePaths,
    train: dict[str, np.ndarray],
    heldout: dict[str, np.ndarray] | None,
    config: ValueConfig,
    rollout_policy: str | Path | None,
    log_dir: str | Path | None,
    progress: bool,
    start: float,
    device_name: str,
) -> ValueReport:
    device = distributed.local_device(resolve_device(device_name))
    net = stage_net(config, board_size_of(train), ValueNet, NUM_VALUE_PLANES, "value network")
    trainer = open_trainer(paths, net, config, device)
    z = _outcomes(train)
    data = StageData(planes_from_examples(train, value_plane=True), z, moves=False)
    ev = _eval_set(heldout, len(z), config)
    held_z = np.zeros(0) if ev.held is None else _outcomes(ev.held)

    def evaluate(model: Net) -> dict[str, float]:
        return {"mse": value_mse(model, ev.held_planes, held_z, device)}

    run_training(
        trainer, config, data, _squared_error, paths,
        evaluate=evaluate, log_dir=log_dir, progress=progress, device=device,
    )  # fmt: skip

    def write() -> None:
        mean_mse = float(np.mean((held_z - z.mean()) ** 2)) if held_z.size else math.nan
        report = ValueReport(
            steps=trainer.step,
            train_positions=int(z.shape[0]),
            heldout_positions=0 if heldout is None else int(heldout["result"].shape[0]),
            mse=evaluate(trainer.net)["mse"],
            train_mse=value_mse(
                trainer.net, data.planes[ev.train_index], z[ev.train_index], device
            ),
            mean_mse=mean_mse,
            rollout_mse=_rollout_mse(heldout, rollout_policy, config),
            seconds=time.perf_counter() - start,
        )
        paths.finish(trainer.net.cpu(), report.to_dict(), config, "value_net")

    return ValueReport(**finish_stage(paths, write))


def train_value_net(
    data: str | Path,
    out: str | Path,
    config: ValueConfig,
    *,
    rollout_policy: str | Path | None = None,
    log_dir: str | Path | None = None,
    progress: bool = False,
    device: str = "auto",
) -> ValueReport:
    """Train the value network on the ``value`` shards in ``data`` and save it to ``out``.

    Args:
        data: a folder of ``value`` shards (``igo.data.shards``, splits train and heldout).
        out: the final network ``X.safetensors`` (with ``X.json``, ``X.report.json``; while
            training, ``X.trainer.pt``). A finished stage is skipped, a killed one resumed.
        config: the stage's settings.
        rollout_policy: a rollout policy ``.npz``; when given, ``rollout_mse`` is measured.
        log_dir: where to write CSV and TensorBoard logs (None: none).
        progress: show a progress bar.
        device: where the net trains and is measured (``auto``: CUDA when present; ``cpu``,
            ``cuda``, ``cuda:N``; under torchrun each rank's GPU).

    Raises:
        ValueError: no training examples in ``data``, or a config the data does not fit.
        TrainingDiverged: the loss became NaN or infinite.
    """
    start = time.perf_counter()
    paths = StagePaths.of(out)
    done = paths.finished()
    if done is not None:
        return ValueReport(**done)
    train, heldout = load_split_data(data, KIND)
    with torch_threads(config.torch_threads):
        return _train(
            paths, train, heldout, config, rollout_policy, log_dir, progress, start, device
        )
