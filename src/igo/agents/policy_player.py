"""The ``policy`` player: a network's move with no search (AlphaGo's raw SL/RL policy, or the
policy head of an AlphaGo Zero net).

The checkpoint decides the encoding: 48 input planes is AlphaGo's policy network
(``igo.encode.alphago``), any other (2H + 1) an AlphaGo Zero net (``igo.encode.zero_planes``). The
move is the most probable (``temperature`` 0) or drawn from ``p ** (1 / temperature)``, among the
legal moves that fill none of the player's own true eyes, plus pass once a stone is on the board
and the Tromp-Taylor count does not lose by it (``igo.go.scoring.passing_loses``; the same
sensibleness AlphaGo's planes encode; without it a weak net fills its eyes and games never end).
With no such move left it passes, and it passes back where passing wins the game's count
(``igo.go.scoring.passing_wins``). It never resigns.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from igo.agents.nets import check_backend, check_device, load_runner, policy_board_sizes
from igo.agents.player import Clock, Resign, register_player
from igo.go.coords import Color, Point
from igo.go.scoring import passing_loses, passing_wins
from igo.go.sensible import sensible_moves
from igo.go.state import GameState

_WARMUP_SIZE = 9  # encoders compile for array types, not sizes


class PriorSource(Protocol):
    """What the policy players read their moves from: priors for states (an ``Evaluator``)."""

    def evaluate(self, states: Sequence[GameState]) -> tuple[np.ndarray, np.ndarray]:
        """(priors float [B, P + 1], values float [B]) for ``states``."""
        ...


@register_player("policy")
class PolicyPlayer:
    """Plays the network's policy directly: one forward pass per move."""

    name = "policy"

    def __init__(
        self,
        checkpoint: str | None = None,
        temperature: float = 0.0,
        device: str = "auto",
        symmetry: str = "none",
        seed: int | None = None,
        backend: str = "torch",
    ) -> None:
        """Args:
        checkpoint: a Zero PolicyValueNet / PolicyNet, or an AlphaGo policy net (48 planes).
        temperature: 0 plays the most probable move; > 0 samples ``p ** (1 / temperature)``.
        device: where the net runs ('auto', 'cpu', 'cuda').
        symmetry: Zero nets: 'none', 'random' or 'all' board symmetries per evaluation.
        seed: seeds the sampling (and the random symmetry).
        backend: what runs the net: torch, or onnx (ONNX Runtime; an .onnx checkpoint always).
        """
        if checkpoint is None:
            raise ValueError("the policy player needs a network: --checkpoint PATH")
        if symmetry not in ("none", "random", "all"):
            raise ValueError(f"symmetry must be none, random or all, not {symmetry!r}")
        check_backend(backend, device)
        self._net = (checkpoint, check_device(device), symmetry, 0 if seed is None else seed)
        self._backend = backend
        self.board_sizes = policy_board_sizes(checkpoint, backend)
        """The one size the network plays, None: every size (pooled heads, AlphaGo's policy
        net resized); from its JSON."""
        self._setup(temperature, seed)

    def _setup(self, temperature: float, seed: int | None) -> None:
        if not temperature >= 0:
            raise ValueError(f"temperature must be >= 0, not {temperature}")
        self.temperature = temperature
        self._rng = np.random.default_rng(seed)
        self._priors: PriorSource | None = None
        self._prepare_lock = threading.Lock()

    def _load(self) -> PriorSource:
        """The network as a prior source (torch is imported here)."""
        from igo.agents.net_evaluator import (
            AlphaGoNetEvaluator,
            ZeroNetEvaluator,
            is_alphago_policy,
        )

        checkpoint, device, symmetry, seed = self._net
        net = load_runner(checkpoint, self._backend)
        if is_alphago_policy(net):
            return AlphaGoNetEvaluator(policy_net=net, device=device)
        return ZeroNetEvaluator(net, device=device, symmetry=symmetry, seed=seed)  # type: ignore[arg-type]

    def prepare(self) -> None:
        """Load the network and compile its encoder (one evaluation of an empty board), once;
        thread-safe, and every move waits for it."""
        with self._prepare_lock:
            if self._priors is None:
                priors = self._load()
                size = self.board_sizes[0] if self.board_sizes else _WARMUP_SIZE
                priors.evaluate([GameState.new(size)])
                self._priors = priors

    def reseed(self, seed: int) -> None:
        """Restart the sampling's generator, and a loaded network's random symmetry, from
        ``seed`` (``Seedable``: GTP ``set_random_seed``)."""
        with self._prepare_lock:
            self._rng = np.random.default_rng(seed)
            reseed = getattr(self._priors, "reseed", None)
            if reseed is not None:
                reseed(seed)

    def reset(self, state: GameState) -> None:
        """Nothing to forget: each move is one evaluation."""

    def observe(self, color: Color, point: Point) -> None:
        """Nothing to update."""

    def policy_priors(self, state: GameState) -> np.ndarray:
        """float [P + 1]: the network's probabilities over the legal moves of ``state``."""
        self.prepare()
        assert self._priors is not None
        priors, _ = self._priors.evaluate([state])
        return np.asarray(priors[0], dtype=np.float64)

    def genmove(self, state: GameState, clock: Clock | None) -> Point | Resign:
        """The network's move among the sensible ones (see the module docstring)."""
        if self.board_sizes is not None and state.size not in self.board_sizes:
            raise ValueError(f"this network plays {self.board_sizes}, not {state.size}")
        if passing_wins(state):
            return state.num_points
        candidates = sensible_moves(state)
        pass_move = state.num_points
        if candidates.size == 0 or (np.any(state.stones()) and not passing_loses(state)):
            candidates = np.append(candidates, pass_move)
        if candidates.size == 1:
            return int(candidates[0])
        probs = self.policy_priors(state)[candidates]
        if self.temperature == 0 or probs.sum() <= 0:
            return int(candidates[np.argmax(probs)])
        weights = probs ** (1.0 / self.temperature)
        total = weights.sum()
        if not np.isfinite(total) or total <= 0:
            return int(candidates[np.argmax(probs)])
        return int(self._rng.choice(candidates, p=weights / total))
