"""AlphaGo's rollout and tree policies: linear softmaxes over pattern features; saved as .npz.

Silver et al., Nature 529 (2016), Methods and Extended Data Table 4. A ``RolloutPolicy`` is a
pattern vocabulary and one weight per feature; the probability of a sensible move a is
``exp(sum of the weights a fires) / sum over sensible moves``. The features are those of
``patterns`` (the rollout kind uses the first six rows of its table, the tree kind all of them);
weights are fitted on game records by ``igo.train.alphago.rollout_policy_stage``.

| use                                   | entry point                                          |
|---------------------------------------|------------------------------------------------------|
| Lee-mode rollouts (compiled, 1-2 us a | ``MultiSearch(..., rollout_policy=policy)``: the     |
| move)                                 | search reads ``tables()`` and samples with           |
|                                       | ``playout.policy_playout``                           |
| tree-policy priors of new nodes       | ``TreePolicyEvaluator(policy)`` as ``tree_policy``   |
| move probabilities of one position    | ``RolloutPolicy.move_probabilities``                 |

The file is a plain ``.npz`` (no pickle): ``format``, ``kind``, ``vocabulary`` (int64 pattern
keys; key i is feature ``NUM_FIXED + i``) and ``weights`` (float64, fixed features first),
written atomically (temporary file, then rename).
"""

from __future__ import annotations

import io
import os
from functools import lru_cache

import numpy as np

from igo.files import write_bytes_atomic
from igo.go.board import ko_point, n_of
from igo.go.state import GameState
from igo.search.rollout.candidates import candidate_keys
from igo.search.rollout.patterns import NUM_FIXED, NUM_SLOTS, pattern_geometry
from igo.search.rollout.tables import (
    RolloutTables,
    build_table,
    map_keys,
    no_tables,
    policy_tables,
)

POLICY_FORMAT = 1
KINDS = ("rollout", "tree")


class RolloutPolicy:
    """A linear softmax over pattern features: the rollout policy or the tree policy."""

    def __init__(
        self, kind: str, vocabulary: np.ndarray, weights: np.ndarray | None = None
    ) -> None:
        """Args:
        kind: ``rollout`` or ``tree`` (which features it reads).
        vocabulary: int64 [V] pattern keys (sorted, unique); key i is feature NUM_FIXED + i.
        weights: float64 [NUM_FIXED + V] (default zeros: the uniform policy).
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        vocab = np.asarray(vocabulary, dtype=np.int64)
        if vocab.ndim != 1 or np.any(np.diff(vocab) <= 0) or (vocab.size and vocab[0] < 0):
            raise ValueError("vocabulary must be sorted, unique, non-negative int64 keys")
        self.kind = kind
        self.vocabulary = vocab
        num = NUM_FIXED + vocab.shape[0]
        w = np.zeros(num) if weights is None else np.asarray(weights, dtype=np.float64).copy()
        if w.shape != (num,) or not np.all(np.isfinite(w)):
            raise ValueError(f"weights must be {num} finite values, got shape {w.shape}")
        self.weights = w
        ids = np.arange(NUM_FIXED, num, dtype=np.int64)
        self._table = build_table(vocab, ids)
        self._tables: tuple[bytes, RolloutTables] | None = None

    @property
    def tree(self) -> bool:
        """Whether this is a tree policy (reads the tree-only features)."""
        return self.kind == "tree"

    @property
    def num_features(self) -> int:
        """Weights: the fixed features and the vocabulary."""
        return int(self.weights.shape[0])

    def feature_ids(self, keys: np.ndarray) -> np.ndarray:
        """Raw candidate keys [C, NUM_SLOTS] -> feature ids [C, NUM_SLOTS + 1] (-1: none)."""
        ids = np.empty((keys.shape[0], NUM_SLOTS + 1), dtype=np.int64)
        map_keys(keys, self._table[0], self._table[1], ids)
        return ids

    def tables(self) -> RolloutTables:
        """The compiled rollout's view of the policy (rebuilt when the weights change)."""
        stamp = self.weights.tobytes()
        if self._tables is None or self._tables[0] != stamp:
            self._tables = (stamp, policy_tables(self.vocabulary, self.weights))
        return self._tables[1]

    def move_probabilities(
        self,
        board: np.ndarray,
        to_play: int,
        last: int = -1,
        last2: int = -1,
        captured: np.ndarray | None = None,
        pass_prior: float = 0.0,
    ) -> np.ndarray:
        """The policy's distribution over moves [P + 1] (pass last) in one position.

        Args:
            board: the board vector [L] (``igo.go.board``), its ko point included.
            to_play: the side to move.
            last, last2: the previous move and the one before (-1 or P: none, pass).
            captured: int64 [C]: the mover's stones the previous move captured (nakade).
            pass_prior: probability given to pass (all of it when no move is sensible).
        """
        cands, keys = candidate_features(board, to_play, last, last2, captured, self.tree)
        n = n_of(board)
        probs = np.zeros(n + 1)
        if cands.shape[0] == 0:
            probs[n] = 1.0
            return probs
        ids = self.feature_ids(keys)
        logits = np.where(ids >= 0, self.weights[np.maximum(ids, 0)], 0.0).sum(axis=1)
        e = np.exp(logits - logits.max())
        probs[cands] = (1.0 - pass_prior) * e / e.sum()
        probs[n] = pass_prior
        return probs

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the policy to ``path`` (.npz) atomically."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array(POLICY_FORMAT),
            kind=np.array(self.kind),
            vocabulary=self.vocabulary,
            weights=self.weights,
        )
        write_bytes_atomic(path, buffer.getvalue())

    @staticmethod
    def load(path: str | os.PathLike[str]) -> RolloutPolicy:
        """Read a policy written by ``save``.

        Raises:
            ValueError: not a policy file, or of another format.
        """
        return RolloutPolicy(*read_policy_file(path))


def read_policy_file(path: str | os.PathLike[str]) -> tuple[str, np.ndarray, np.ndarray]:
    """(kind, vocabulary, weights) of a policy file, checked (cheap: nothing is compiled).

    Raises:
        ValueError: not a policy file, or of another format.
    """
    try:
        with np.load(path, allow_pickle=False) as npz:
            fmt, kind = int(npz["format"]), str(npz["kind"])
            vocab, weights = npz["vocabulary"], npz["weights"]
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path}: not a rollout policy file ({exc})") from exc
    if fmt != POLICY_FORMAT:
        raise ValueError(f"{path}: policy format {fmt}, expected {POLICY_FORMAT}")
    if kind not in KINDS:
        raise ValueError(f"{path}: policy kind {kind!r}, expected one of {KINDS}")
    return kind, vocab, weights


def candidate_features(
    board: np.ndarray,
    to_play: int,
    last: int = -1,
    last2: int = -1,
    captured: np.ndarray | None = None,
    tree: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The sensible moves of a position and their raw feature keys (``candidate_keys``).

    Args:
        board: the board vector [L], its ko point included; to_play: the side to move.
        last, last2: the previous move and the one before (-1 or P: none, pass).
        captured: int64 [C]: the mover's stones the previous move captured.
        tree: also the tree-only features.

    Returns:
        (candidate points int64 [K], keys int64 [K, NUM_SLOTS]).
    """
    n = n_of(board)
    pg = pattern_geometry(int(round(np.sqrt(n))))
    ko = ko_point(board, to_play)
    cands = np.empty(n, dtype=np.int64)
    keys = np.empty((n, NUM_SLOTS), dtype=np.int64)
    got = np.zeros(0, dtype=np.int64) if captured is None else np.asarray(captured, np.int64)
    count = candidate_keys(
        board, pg.diamond, pg.neighbours, to_play, ko, last, last2, got, tree, cands, keys
    )
    return cands[:count].copy(), keys[:count].copy()


def game_context(state: GameState) -> tuple[int, int, np.ndarray]:
    """(previous move, the one before, the stones of the side to move the previous move
    captured) of ``state``'s game; -1 for none or a pass."""
    from igo.search.root import replay_game  # the search imports this package

    n = state.num_points
    points = [int(point) for _, point in state.moves[-2:]]
    last = points[-1] if points and points[-1] < n else -1
    last2 = points[0] if len(points) == 2 and points[0] < n else -1
    captured = np.zeros(0, dtype=np.int64)
    if last >= 0:
        history = replay_game(state, 0, 2)[1]
        captured = np.flatnonzero((history[1] == state.to_play) & (history[0] == 0))
    return last, last2, captured.astype(np.int64)


def state_features(state: GameState, tree: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``candidate_features`` of a GameState (its previous moves from its game)."""
    last, last2, captured = game_context(state)
    return candidate_features(state.board_vector, int(state.to_play), last, last2, captured, tree)


@lru_cache(maxsize=8)
def _load_tables(path: str, mtime_ns: int) -> RolloutTables:
    return RolloutPolicy.load(path).tables()


def rollout_tables(path: str | None) -> RolloutTables:
    """The compiled tables of the policy file ``path`` (cached while the file is unchanged);
    ``None``: no policy (uniform rollouts)."""
    if path is None:
        return no_tables()
    return _load_tables(str(path), os.stat(path).st_mtime_ns)


def tables_of(policy: RolloutPolicy | RolloutTables | None) -> RolloutTables:
    """What compiled rollouts read of ``policy``: a policy's tables (rebuilt only when its
    weights changed), tables as they are, ``None``: no policy (uniform rollouts)."""
    if policy is None:
        return no_tables()
    if isinstance(policy, RolloutPolicy):
        return policy.tables()
    return policy
