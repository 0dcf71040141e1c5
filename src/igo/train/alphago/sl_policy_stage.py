"""AlphaGo's SL policy network p_sigma: supervised learning of the move played in game records.

Silver et al., Nature 529 (2016), "Supervised learning of policy networks" and Methods: a
convolutional network over 48 feature planes, softmax over the moves, trained by stochastic
gradient ascent to maximise log p_sigma(a|s) of randomly sampled state-action pairs (s, a), each
under a random one of the 8 symmetries (paper: 13 layers, 192 filters, 30 million KGS positions,
57.0% top-1 accuracy). Here:

| part       | what                                                                             |
|------------|----------------------------------------------------------------------------------|
| data       | the ``sl`` shards of ``igo.data.records.import_records`` (``train`` split), all  |
|            | in memory as uint8 planes; the pass move (index n*n) is a target like any other |
| network    | ``create_net(config.net, board_size=n, blocks, channels, norm)``: a PolicyNet    |
|            | on 48 planes (``igo.nn.backbones.alphago``)                                      |
| loss       | cross-entropy of the softmax over all n*n + 1 moves with the move played        |
| evaluation | up to ``eval_positions`` held-out positions (a fixed random choice), no         |
|            | symmetry, no legal-move masking: top-1 and top-5 accuracy and the cross-entropy |
|            | over all moves. Without held-out shards these are NaN                            |

Files, resuming and logs: ``igo.train.alphago.supervised_loop``; several processes under
torchrun: ``igo.train.distributed``.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from igo.encode.alphago import NUM_PLANES
from igo.nn.inference import resolve_device
from igo.nn.net import Net, PolicyNet
from igo.nn.threads import torch_threads
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

KIND = "sl"
"""The shard kind the stage reads."""


@dataclass(frozen=True)
class SlConfig(StageConfig):
    """How the SL policy network is trained (the fields: ``StageConfig``)."""

    net: str = "alphago_policy_l13c192"
    """Registry variant; must build a PolicyNet on 48 planes."""
    batch_size: int = 128
    """Positions per minibatch (the paper: 16)."""
    learning_rate: float = 0.05
    """Initial learning rate (the paper: 0.003, halved every 80 million steps)."""


@dataclass(frozen=True)
class SlReport:
    """What a finished SL stage measured."""

    steps: int
    """SGD steps done."""
    train_positions: int
    """Positions in the training split."""
    heldout_positions: int
    """Positions in the held-out split (at most ``eval_positions`` of them evaluated)."""
    top1: float
    """Held-out top-1 accuracy (NaN without held-out data)."""
    top5: float
    """Held-out top-5 accuracy (NaN without held-out data)."""
    loss: float
    """Held-out cross-entropy, nats (NaN without held-out data)."""
    seconds: float
    """Wall time of the call that finished the stage (after a resume: its part only)."""

    def to_dict(self) -> dict[str, float]:
        """Plain JSON-ready fields."""
        return dict(asdict(self))


def cross_entropy(net: torch.nn.Module, x: torch.Tensor, moves: torch.Tensor) -> torch.Tensor:
    """The stage's loss: mean cross-entropy of ``net``'s move logits with the moves played."""
    return F.cross_entropy(net(x), moves)


def policy_metrics(
    net: Net, planes: np.ndarray, moves: np.ndarray, device: torch.device
) -> dict[str, float]:
    """Top-1 and top-5 accuracy and cross-entropy of ``net`` on ``planes`` (no masking, no
    symmetry); NaN for no positions."""
    if planes.shape[0] == 0:
        return {"top1": math.nan, "top5": math.nan, "loss": math.nan}
    logits = torch.from_numpy(held_out_evaluator(net, device).policy_logits(planes))
    target = torch.from_numpy(moves.astype(np.int64))
    top = logits.topk(min(5, logits.shape[1]), dim=1).indices
    return {
        "top1": float((top[:, 0] == target).float().mean()),
        "top5": float((top == target[:, None]).any(dim=1).float().mean()),
        "loss": float(F.cross_entropy(logits, target)),
    }


def sl_moves(arrays: dict[str, np.ndarray], where: str) -> np.ndarray:
    """The ``move`` column as int64 targets (pass = n*n).

    Raises:
        ValueError: a move outside the board and pass (not sl shards).
    """
    moves = arrays["move"].astype(np.int64)
    points = arrays["stones"].shape[1]
    if moves.size and (moves.min() < 0 or moves.max() > points):
        raise ValueError(f"{where}: moves outside 0..{points} (pass = {points}); not sl shards?")
    return moves


def heldout_set(
    heldout: dict[str, np.ndarray] | None, config: SlConfig, size: int, where: str
) -> tuple[np.ndarray, np.ndarray]:
    """Planes and moves of the evaluated held-out positions (none without held-out data)."""
    if heldout is None:
        return np.zeros((0, NUM_PLANES, size, size), dtype=np.uint8), np.zeros(0, dtype=np.int64)
    index = eval_subset(heldout["move"].shape[0], config.eval_positions, config.seed)
    chosen = select(heldout, index)
    return planes_from_examples(chosen, value_plane=False), sl_moves(chosen, where)


def _train(
    paths: StagePaths,
    train: dict[str, np.ndarray],
    heldout: dict[str, np.ndarray] | None,
    config: SlConfig,
    where: str,
    log_dir: str | Path | None,
    progress: bool,
    start: float,
    device_name: str,
) -> SlReport:
    device = distributed.local_device(resolve_device(device_name))
    size = board_size_of(train)
    net = stage_net(config, size, PolicyNet, NUM_PLANES, "policy network")
    trainer = open_trainer(paths, net, config, device)
    train_moves = sl_moves(train, where)
    data = StageData(planes_from_examples(train, value_plane=False), train_moves, moves=True)
    held_planes, held_moves = heldout_set(heldout, config, size, where)

    def evaluate(model: Net) -> dict[str, float]:
        return policy_metrics(model, held_planes, held_moves, device)

    run_training(
        trainer, config, data, cross_entropy, paths,
        evaluate=evaluate, log_dir=log_dir, progress=progress, device=device,
    )  # fmt: skip

    def write() -> None:
        report = SlReport(
            steps=trainer.step,
            train_positions=int(train_moves.shape[0]),
            heldout_positions=0 if heldout is None else int(heldout["move"].shape[0]),
            seconds=time.perf_counter() - start,
            **evaluate(trainer.net),
        )
        paths.finish(trainer.net.cpu(), report.to_dict(), config, "sl_policy")

    return SlReport(**finish_stage(paths, write))


def train_sl_policy(
    shards: str | Path,
    out: str | Path,
    config: SlConfig,
    *,
    log_dir: str | Path | None = None,
    progress: bool = False,
    device: str = "auto",
) -> SlReport:
    """Train the SL policy network on the ``sl`` shards in ``shards`` and save it to ``out``.

    Args:
        shards: a folder written by ``igo.data.records.import_records``.
        out: the final network ``X.safetensors`` (with ``X.json``, ``X.report.json``; while
            training, ``X.trainer.pt``). A finished stage is skipped, a killed one resumed.
        config: the stage's settings.
        log_dir: where to write CSV and TensorBoard logs (None: none).
        progress: show a progress bar.
        device: where the net trains and is measured (``auto``: CUDA when present; ``cpu``,
            ``cuda``, ``cuda:N``; under torchrun each rank's GPU).

    Raises:
        ValueError: no training examples in ``shards``, or a config the data does not fit.
        TrainingDiverged: the loss became NaN or infinite.
    """
    start = time.perf_counter()
    paths = StagePaths.of(out)
    done = paths.finished()
    if done is not None:
        return SlReport(**done)
    train, heldout = load_split_data(shards, KIND)
    with torch_threads(config.torch_threads):
        return _train(paths, train, heldout, config, str(shards), log_dir, progress, start, device)
