"""Supervised training of AlphaGo's rollout and tree policies: SGD on the log-likelihood.

Silver et al., Nature 529 (2016), Methods ("Rollout policy"): a linear softmax over pattern
features, trained on expert positions to maximise the log-likelihood of the move played (8 million
positions, 24.2% accuracy on KGS). Here, from the ``sl`` shards of ``igo.data.records``:

| step        | what                                                                         |
|-------------|------------------------------------------------------------------------------|
| positions   | each shard position rebuilt on a board (stones, ko point); the previous two |
|             | moves from ``recent``; the stones the previous move captured from the row   |
|             | before; the raw feature keys of every sensible candidate                    |
|             | (``igo.search.rollout.candidates.candidate_keys``). A position whose move   |
|             | is not a sensible candidate (a pass, an own-eye fill) is left out           |
| vocabulary  | pattern keys (3x3, response, 12-point) seen at least ``min_count`` times    |
|             | among the training positions' candidates                                     |
| SGD         | per position: ``w += lr * (onehot(played) - softmax)`` over the candidates' |
|             | features, positions shuffled each epoch, lr decayed as lr / (1 + epoch)      |
| evaluation  | held-out games: accuracy (the played move is the most probable) and mean     |
|             | log-likelihood against the uniform policy over sensible moves                |

Every candidate's keys are kept in memory (72 bytes per candidate and slot row), enough for some
hundred thousand positions on 9x9; a larger archive would be streamed shard by shard instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from igo.data.records import KIND, SlGame, iter_games
from igo.data.shards import require_shards
from igo.files import check_creatable
from igo.go.board import new_board, rebuild, set_ko
from igo.go.jit import njit
from igo.search.rollout.candidates import candidate_keys
from igo.search.rollout.patterns import NUM_SLOTS, TAG_NAMES, TAG_SHIFT, pattern_geometry
from igo.search.rollout.policy import KINDS, RolloutPolicy


@dataclass(frozen=True)
class RolloutTrainConfig:
    """How the rollout (or tree) policy is fitted."""

    kind: str = "rollout"
    """``rollout`` or ``tree``: which features the policy reads."""
    min_count: int = 3
    """A pattern joins the vocabulary once seen this often among training candidates."""
    epochs: int = 4
    """Passes over the training positions."""
    learning_rate: float = 0.1
    """SGD step at the first epoch (divided by 1 + epoch afterwards)."""
    l2: float = 1e-5
    """Weight decay applied to every weight a step touches."""
    seed: int = 0
    """Shuffling seed."""
    max_positions: int | None = None
    """Use at most this many training positions (None: all)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        for name, low, ok in (
            ("min_count", "at least 1", self.min_count >= 1),
            ("epochs", "at least 0", self.epochs >= 0),
            ("learning_rate", "positive", self.learning_rate > 0),
            ("l2", "at least 0", self.l2 >= 0),
        ):
            if not ok:
                raise ValueError(f"{name} must be {low}, not {getattr(self, name)}")


@dataclass(frozen=True)
class PositionKeys:
    """Raw candidate keys of N positions (C candidates in all)."""

    offsets: np.ndarray
    """int64 [N + 1]: position i's candidates are rows offsets[i]:offsets[i + 1]."""
    keys: np.ndarray
    """int64 [C, NUM_SLOTS]: raw feature keys (``candidates.candidate_keys``)."""
    target: np.ndarray
    """int64 [N]: index of the played move among the position's candidates."""

    @property
    def num_positions(self) -> int:
        """N."""
        return int(self.target.shape[0])


@dataclass
class RolloutTrainReport:
    """What a training run reached."""

    kind: str
    positions: dict[str, int] = field(default_factory=dict)
    """Positions used per split."""
    vocabulary: dict[str, int] = field(default_factory=dict)
    """Patterns kept, per pattern kind."""
    accuracy: dict[str, float] = field(default_factory=dict)
    """Top-1 move prediction per split."""
    log_likelihood: dict[str, float] = field(default_factory=dict)
    """Mean log-likelihood of the played move per split."""
    uniform_log_likelihood: dict[str, float] = field(default_factory=dict)
    """The same for the uniform policy over sensible moves."""
    seconds: float = 0.0

    def describe(self) -> str:
        """A few lines for the terminal."""
        lines = [f"{self.kind} policy: vocabulary {self.vocabulary}, {self.seconds:.1f} s"]
        for split in self.accuracy:
            lines.append(
                f"  {split}: {self.positions[split]} positions, accuracy "
                f"{100 * self.accuracy[split]:.1f}%, log-likelihood "
                f"{self.log_likelihood[split]:.3f} "
                f"(uniform {self.uniform_log_likelihood[split]:.3f})"
            )
        return "\n".join(lines)


@njit
def _game_keys(
    stones: np.ndarray,
    to_play: np.ndarray,
    moves: np.ndarray,
    recent: np.ndarray,
    kos: np.ndarray,
    board: np.ndarray,
    diamond: np.ndarray,
    nbr: np.ndarray,
    zob: np.ndarray,
    tree: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(candidate counts [T], keys [sum, NUM_SLOTS], target [T], -1 where left out) of one
    game's positions [T, P]."""
    num, n = stones.shape
    counts = np.zeros(num, dtype=np.int64)
    target = np.full(num, -1, dtype=np.int64)
    keys = np.empty((num * n, NUM_SLOTS), dtype=np.int64)
    cands = np.empty(n, dtype=np.int64)
    used = 0
    for t in range(num):
        rebuild(board, nbr, zob, stones[t].astype(np.int64))
        mover = to_play[t]
        set_ko(board, kos[t], mover)
        last, last2 = recent[t, 0], recent[t, 1]
        last = last if 0 <= last < n else -1
        last2 = last2 if 0 <= last2 < n else -1
        if t > 0 and last >= 0:
            captured = np.flatnonzero((stones[t - 1] == mover) & (stones[t] == 0))
        else:
            captured = np.zeros(0, dtype=np.int64)
        count = candidate_keys(
            board,
            diamond,
            nbr,
            mover,
            kos[t],
            last,
            last2,
            captured,
            tree,
            cands,
            keys[used : used + n],
        )
        for c in range(count):
            if cands[c] == moves[t]:
                target[t] = c
        if target[t] >= 0:
            counts[t] = count
            used += count
    return counts, keys[:used].copy(), target


def position_keys(
    games: Iterable[SlGame], tree: bool, max_positions: int | None = None
) -> PositionKeys:
    """The raw candidate keys of every usable position of ``games``."""
    parts, counts, targets = [], [], []
    total = 0
    for game in games:
        a = game.arrays
        pg = pattern_geometry(game.size)
        c, k, t = _game_keys(
            a["stones"],
            a["to_play"].astype(np.int64),
            a["move"].astype(np.int64),
            a["recent"].astype(np.int64),
            a["ko"].astype(np.int64),
            new_board(game.size),
            pg.diamond,
            pg.neighbours,
            pg.zobrist,
            tree,
        )
        keep = t >= 0
        parts.append(k)
        counts.append(c[keep])
        targets.append(t[keep])
        total += int(keep.sum())
        if max_positions is not None and total >= max_positions:
            break
    count = np.concatenate(counts) if counts else np.zeros(0, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    keys = np.concatenate(parts) if parts else np.zeros((0, NUM_SLOTS), dtype=np.int64)
    target = np.concatenate(targets) if targets else np.zeros(0, dtype=np.int64)
    if max_positions is not None and target.shape[0] > max_positions:
        target = target[:max_positions]
        offsets = offsets[: max_positions + 1]
        keys = keys[: offsets[-1]]
    return PositionKeys(offsets, keys, target)


def build_vocabulary(data: PositionKeys, min_count: int) -> np.ndarray:
    """Pattern keys (sorted) seen at least ``min_count`` times among the candidates."""
    flat = data.keys.ravel()
    patterns = flat[(flat >= 0) & ((flat >> TAG_SHIFT) > 0)]
    keys, counts = np.unique(patterns, return_counts=True)
    return keys[counts >= min_count]


@njit
def _logits(weights: np.ndarray, ids: np.ndarray, a: int, b: int, out: np.ndarray) -> None:
    for c in range(a, b):
        z = 0.0
        for j in range(ids.shape[1]):
            if ids[c, j] >= 0:
                z += weights[ids[c, j]]
        out[c - a] = z


@njit
def _sgd_epoch(
    weights: np.ndarray,
    offsets: np.ndarray,
    ids: np.ndarray,
    target: np.ndarray,
    order: np.ndarray,
    lr: float,
    l2: float,
) -> None:
    """One pass of per-position SGD on the log-likelihood, positions in ``order``."""
    probs = np.empty(ids.shape[0])
    for i in order:
        a, b = offsets[i], offsets[i + 1]
        _logits(weights, ids, a, b, probs)
        top = probs[: b - a].max()
        total = 0.0
        for c in range(b - a):
            probs[c] = np.exp(probs[c] - top)
            total += probs[c]
        for c in range(a, b):
            grad = (1.0 if c - a == target[i] else 0.0) - probs[c - a] / total
            for j in range(ids.shape[1]):
                f = ids[c, j]
                if f >= 0:
                    weights[f] += lr * (grad - l2 * weights[f])


@njit
def _evaluate(
    weights: np.ndarray, offsets: np.ndarray, ids: np.ndarray, target: np.ndarray
) -> tuple[float, float, float]:
    """(accuracy, mean log-likelihood, mean uniform log-likelihood)."""
    num = target.shape[0]
    hits, loglik, uniform = 0, 0.0, 0.0
    logits = np.empty(ids.shape[0])
    for i in range(num):
        a, b = offsets[i], offsets[i + 1]
        _logits(weights, ids, a, b, logits)
        z = logits[: b - a]
        top = z.max()
        hits += np.argmax(z) == target[i]
        loglik += z[target[i]] - top - np.log(np.exp(z - top).sum())
        uniform -= np.log(b - a)
    return hits / max(num, 1), loglik / max(num, 1), uniform / max(num, 1)


def fit(
    train: PositionKeys,
    config: RolloutTrainConfig,
    log: Callable[[str], None] | None = None,
) -> RolloutPolicy:
    """Build the vocabulary from ``train`` and fit the weights by SGD."""
    policy = RolloutPolicy(config.kind, build_vocabulary(train, config.min_count))
    ids = policy.feature_ids(train.keys)
    rng = np.random.default_rng(config.seed)
    weights = policy.weights.copy()
    for epoch in range(config.epochs):
        order = rng.permutation(train.num_positions)
        lr = config.learning_rate / (1.0 + epoch)
        _sgd_epoch(weights, train.offsets, ids, train.target, order, lr, config.l2)
        if log is not None:
            acc, ll, _ = _evaluate(weights, train.offsets, ids, train.target)
            log(f"epoch {epoch + 1}: train accuracy {100 * acc:.1f}%, log-likelihood {ll:.3f}")
    policy.weights = weights
    return policy


def evaluate(policy: RolloutPolicy, data: PositionKeys) -> tuple[float, float, float]:
    """(accuracy, mean log-likelihood, uniform mean log-likelihood) of ``policy`` on ``data``."""
    ids = policy.feature_ids(data.keys)
    acc, ll, uniform = _evaluate(policy.weights, data.offsets, ids, data.target)
    return float(acc), float(ll), float(uniform)


def train_from_shards(
    folder: str | Path,
    out: str | Path | None,
    config: RolloutTrainConfig | None = None,
    log: Callable[[str], None] | None = None,
) -> RolloutTrainReport:
    """Fit a policy on the training split of ``folder``'s ``sl`` shards, measure it on both
    splits, and save it to ``out`` (None: not saved).

    Raises:
        FileNotFoundError: no such folder.
        ShardError: it holds no ``sl`` shards.
        ValueError: its training split holds no usable position.
        OSError: ``out`` cannot be written (checked before the work).
    """
    config = config or RolloutTrainConfig()
    start = time.perf_counter()
    require_shards(folder, KIND)
    if out is not None:
        check_creatable(out)
    tree = config.kind == "tree"
    data = {
        "train": position_keys(iter_games(folder, "train"), tree, config.max_positions),
        "heldout": position_keys(iter_games(folder, "heldout"), tree),
    }
    if data["train"].num_positions == 0:
        raise ValueError(f"{folder}: no usable training positions in its {KIND} shards")
    policy = fit(data["train"], config, log)
    report = RolloutTrainReport(config.kind)
    tags = policy.vocabulary >> TAG_SHIFT
    report.vocabulary = {name: int((tags == tag).sum()) for tag, name in TAG_NAMES.items()}
    for split, keys in data.items():
        report.positions[split] = keys.num_positions
        acc, ll, uniform = evaluate(policy, keys)
        report.accuracy[split] = acc
        report.log_likelihood[split] = ll
        report.uniform_log_likelihood[split] = uniform
    if out is not None:
        policy.save(out)
    report.seconds = time.perf_counter() - start
    return report
