"""The search players: ``mcts`` (Zero or Lee mode, with or without networks) and ``zero``.

| player and options                    | evaluator                   | leaves scored by          |
|---------------------------------------|-----------------------------|---------------------------|
| ``mcts`` (no network)                 | uniform priors              | random rollouts (Lee mode, |
|                                       |                             | lambda = 1): plain UCT    |
| ``mcts checkpoint=PATH``              | PolicyValueNet, Zero planes | the value head (Zero mode) |
| ``mcts mode=lee policy_checkpoint=P`` | AlphaGo's nets through      | value and rollouts, mixed |
| ``value_checkpoint=V``                | ``nets.build_lee_evaluators`` | by lambda               |
| ``zero``                              | the shipped 9x9 Zero net    | the value head            |

A move searches ``visits`` new simulations (default 400) and/or ``seconds``; a game clock
(``time_settings`` / ``time_left``) lowers the time to ``Clock.budget_seconds``, which keeps a
margin for lag, so a 1-second byo-yomi gets about half a second. The tree is kept between moves:
``observe`` moves its root down to the move played (``MultiSearch.advance``). Match settings by
default: no root noise, the most visited move (``temperature`` > 0 samples the first 30 moves).
The player resigns by ``ResignPolicy`` and never passes on an empty board.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

import numpy as np

from igo.agents.analysis import DEFAULT_MAX_VISITS, SearchSession
from igo.agents.nets import (
    LeeBuilder,
    LeeParts,
    build_lee_evaluators,
    check_device,
    check_lee_parts,
    check_pattern_policy,
    checkpoint_board_size,
    zero_evaluator,
    zero_weights,
)
from igo.agents.player import RESIGN, Clock, Resign, estimate_moves_left, register_player
from igo.agents.resign import ResignPolicy, ResignTracker
from igo.go.coords import Color, Point
from igo.go.sensible import sensible_moves
from igo.go.state import GameState
from igo.search.config import SearchConfig, SearchMode
from igo.search.evaluator import (
    Evaluator,
    LeafEvaluator,
    UniformEvaluator,
    evaluate_leaves,
    history_length_of,
    leaves_from_states,
)
from igo.search.mcts import MultiSearch
from igo.search.rollout import RolloutPolicy

if TYPE_CHECKING:
    from igo.agents.net_evaluator import SymmetryMode

DEFAULT_VISITS = 400
"""New simulations per move when neither visits nor seconds are given."""
_WARMUP_SIMULATIONS = 16
_WARMUP_SIZE = 9  # a search kernel compiles for array types, not sizes: any size warms up all
_TEMPERATURE_MOVES = 30


def search_config(
    mode: SearchMode,
    batch: int,
    c_puct: float | None,
    lee_lambda: float,
    expand_threshold: int | None,
    noise: float,
    temperature: float,
    lcb: bool,
) -> SearchConfig:
    """The SearchConfig of a match player (each search asks for its own simulations)."""
    defaults = SearchConfig()
    return SearchConfig(
        mode=mode,
        leaves_per_batch=batch,
        # AlphaGo used c = 5 with its SL priors; AlphaGo Zero's nets want about 1.25.
        c_puct=c_puct if c_puct is not None else (5.0 if mode == "lee" else defaults.c_puct),
        lee_lambda=lee_lambda,
        expand_threshold=(
            expand_threshold if expand_threshold is not None else defaults.expand_threshold
        ),
        dirichlet_epsilon=noise,
        temperature=temperature if temperature > 0 else 1.0,
        temperature_moves=_TEMPERATURE_MOVES if temperature > 0 else 0,
        use_lcb=lcb,
    )


@register_player("mcts")
class MctsPlayer:
    """PUCT search (``igo.search``) behind the Player protocol, with analysis support."""

    def __init__(
        self,
        checkpoint: str | None = None,
        visits: int | None = None,
        seconds: float | None = None,
        batch: int = 8,
        mode: str | None = None,
        policy_checkpoint: str | None = None,
        value_checkpoint: str | None = None,
        rollout_checkpoint: str | None = None,
        tree_policy: str | None = None,
        lee_lambda: float | None = None,
        expand_threshold: int | None = None,
        c_puct: float | None = None,
        noise: float = 0.0,
        temperature: float = 0.0,
        lcb: bool = False,
        resign_threshold: float = -0.9,
        resign_moves: int = 3,
        resign_after: int = 20,
        device: str = "auto",
        symmetry: str = "random",
        seed: int | None = None,
        max_analysis_visits: int = DEFAULT_MAX_VISITS,
        lee_builder: LeeBuilder = build_lee_evaluators,
        name: str = "mcts",
    ) -> None:
        """Args:
        checkpoint: a PolicyValueNet on Zero planes (Zero mode); None: no network.
        visits: new simulations per move (default 400 unless ``seconds`` is given).
        seconds: most seconds per move (the game clock may allow less).
        batch: leaves collected per evaluator call (virtual loss spreads them).
        mode: 'zero' or 'lee'; default: zero with a checkpoint, else lee.
        policy_checkpoint, value_checkpoint: Lee mode's AlphaGo nets, for ``lee_builder``.
        rollout_checkpoint: Lee mode's rollout policy (``.npz``), checked here and loaded by
            ``prepare`` for the search's rollouts.
        tree_policy: Lee mode's tree policy (``.npz``), for ``lee_builder``.
        lee_lambda: Lee mode's mixing weight of rollouts (default 0.5 with a value net, else 1).
        expand_threshold: Lee mode's n_thr.
        c_puct: exploration constant (default 1.25 in Zero mode, 5 in Lee mode).
        noise: Dirichlet noise weight at the root (0: none, as in match play).
        temperature: > 0 samples the first 30 moves by visits ** (1 / temperature).
        lcb: choose by lower confidence bound instead of visits.
        resign_threshold, resign_moves, resign_after: see ``ResignPolicy``.
        device: where networks run ('auto', 'cpu', 'cuda').
        symmetry: Zero nets: 'random', 'all' or 'none' board symmetries per evaluation.
        seed: seeds noise, move sampling and rollouts.
        max_analysis_visits: cap of an open-ended analysis's tree.
        lee_builder: builds Lee mode's (evaluator, tree policy) from its parts.
        name: registry name reported to GTP (``zero`` uses this class too).
        """
        if visits is not None and visits < 1:
            raise ValueError(f"visits must be at least 1, not {visits}")
        if seconds is not None and not seconds > 0:
            raise ValueError(f"seconds must be positive, not {seconds}")
        search_mode = cast(SearchMode, mode or ("zero" if checkpoint else "lee"))
        if search_mode not in ("zero", "lee"):
            raise ValueError(f"mode must be zero or lee, not {mode!r}")
        lee = LeeParts(policy_checkpoint, value_checkpoint, rollout_checkpoint, tree_policy)
        if search_mode == "zero" and lee != LeeParts():
            raise ValueError("policy/value/rollout/tree parts are for Lee mode: add --mode lee")
        if search_mode == "lee" and checkpoint:
            raise ValueError("--checkpoint is a Zero-mode net; Lee mode takes --policy-checkpoint")
        if lee_lambda is None:
            lee_lambda = 0.5 if lee.value is not None else 1.0
        if lee_lambda == 1.0 and lee.value is not None:
            # Lambda 1 mixes in no value (V = (1 - lambda) v + lambda z): skip its network pass.
            lee = replace(lee, value=None)
        self.name = name
        self.visits = visits if visits is not None or seconds is not None else DEFAULT_VISITS
        self.seconds = seconds
        self.max_analysis_visits = max_analysis_visits
        if search_mode == "zero" and symmetry not in ("none", "random", "all"):
            raise ValueError(f"symmetry must be none, random or all, not {symmetry!r}")
        self.board_sizes = _board_sizes(search_mode, checkpoint, lee, lee_builder)
        """The sizes the networks play (None: any), read from the checkpoints' JSON."""
        self.config = search_config(
            search_mode, batch, c_puct, lee_lambda, expand_threshold, noise, temperature, lcb
        )
        if lee.rollout is not None:
            check_pattern_policy(lee.rollout)
        device = check_device(device)
        self._build = _SearchBuild(
            search_mode, checkpoint, lee, lee_builder, device, symmetry, seed
        )
        self._search: MultiSearch | None = None
        self._prepare_lock = threading.Lock()
        self._stale = True  # the tree no longer stands for the game: drop it before searching
        policy = ResignPolicy(resign_threshold, resign_moves, resign_after)
        self._resign = {color: ResignTracker(policy) for color in (Color.BLACK, Color.WHITE)}
        self._root_to_play: Color | None = None

    def prepare(self) -> None:
        """Load the networks and compile the search kernels (a short search on an empty board),
        once; later calls return at once. Thread-safe: the GTP engine calls it in the background
        at start, and every search waits for it."""
        with self._prepare_lock:
            if self._search is not None:
                return
            evaluator, tree_evaluator = self._build.evaluators()
            size_attr = getattr(evaluator, "board_size", None)
            if self.board_sizes is None and size_attr is not None:
                self.board_sizes = (int(size_attr),)
            search = MultiSearch(
                evaluator,
                self.config,
                1,
                rng=self._build.seed,
                tree_policy=tree_evaluator,
                rollout_policy=self._build.rollout_policy(),
            )
            size = self.board_sizes[0] if self.board_sizes else _WARMUP_SIZE
            search.search([GameState.new(size)], num_simulations=_WARMUP_SIMULATIONS)
            search.reset()
            self._search = search

    def _tree(self) -> MultiSearch:
        """The search, prepared, its tree dropped if the game moved on without it."""
        self.prepare()
        assert self._search is not None
        if self._stale:
            self._search.reset()
            self._stale = False
        return self._search

    # ----- the Player protocol -----
    def reset(self, state: GameState) -> None:
        """A new game or position: drop the tree and the resignation streaks. Cheap: the tree is
        dropped before the next search, so a GTP engine may call this while ``prepare`` runs."""
        self._stale = True
        self._root_to_play = None
        for tracker in self._resign.values():
            tracker.reset()

    def observe(self, color: Color, point: Point) -> None:
        """Move the tree's root down to ``point`` when the tree stands for the position before."""
        search = self._search
        if search is not None and not self._stale and self._root_to_play == color:
            search.advance(0, point)
            self._root_to_play = color.opponent
        else:
            self._stale = True
            self._root_to_play = None

    def genmove(self, state: GameState, clock: Clock | None) -> Point | Resign:
        """Search ``state`` within the budget and answer the move (or RESIGN)."""
        session = self.start_genmove(state, clock)
        session.run()
        return self.finish_genmove(state, session)

    # ----- search sessions (also the AnalysisPlayer protocol) -----
    def plays_size(self, size: int) -> bool:
        """Whether the player's networks play ``size`` x ``size``."""
        return self.board_sizes is None or size in self.board_sizes

    def _check_size(self, state: GameState) -> None:
        if not self.plays_size(state.size):
            raise ValueError(f"{self.name} plays {self.board_sizes} only, not {state.size}")

    def start_genmove(self, state: GameState, clock: Clock | None) -> SearchSession:
        """A session with genmove's budget: visits, seconds and the clock's safe share."""
        self._check_size(state)
        started = time.monotonic()
        budget = self.seconds
        if clock is not None:
            allowed = clock.budget_seconds(estimate_moves_left(state))
            budget = allowed if budget is None else min(budget, allowed)
        self._root_to_play = state.to_play
        deadline = None if budget is None else started + budget
        search = self._tree()
        return SearchSession(search, state, self.visits, deadline, self.max_analysis_visits)

    def start_analysis(self, state: GameState) -> SearchSession:
        """An open-ended session on ``state`` that keeps and grows the player's tree."""
        self._check_size(state)
        search = self._tree()
        self._root_to_play = state.to_play
        return SearchSession(search, state, None, None, self.max_analysis_visits)

    def finish_genmove(self, state: GameState, session: SearchSession) -> Point | Resign:
        """The move after ``session``: the search's choice, RESIGN by the resignation rule, and
        never a pass on an empty board while a point is legal."""
        result = session.result
        if result is None:
            session.step()
            result = session.result
            assert result is not None
        if self._resign[state.to_play].update(result.root_value, len(state.moves)):
            return RESIGN
        move = int(result.move)
        if move == state.num_points and not np.any(state.stones()):
            visits = np.where(result.legal_mask[:-1], result.visit_counts[:-1] + 1, 0)
            if visits.any():
                priors = result.priors[:-1]
                move = int(np.lexsort((-priors, -visits))[0])
        elif move < state.num_points and state.is_eye(move, state.to_play):
            move = self._instead_of_eye_fill(state, result.visit_counts, result.priors)
        return move

    @staticmethod
    def _instead_of_eye_fill(state: GameState, visits: np.ndarray, priors: np.ndarray) -> Point:
        """The most visited sensible move, or pass: filling one's own true eye never helps, and a
        weak net that does it keeps games from ending (the policy player's rule, too)."""
        candidates = sensible_moves(state)
        if candidates.size == 0:
            return state.num_points
        order = np.lexsort((-priors[candidates], -visits[candidates]))
        return int(candidates[order[0]])

    def policy_priors(self, state: GameState) -> np.ndarray:
        """float [P + 1]: the evaluator's priors for ``state`` (0 on illegal moves)."""
        self._check_size(state)
        evaluator = self._tree().evaluator
        leaves = leaves_from_states([state], history_length_of(evaluator))
        priors = evaluate_leaves(evaluator, leaves)[0][0].astype(np.float64)
        priors = np.where(state.legal_mask(), priors, 0.0)
        total = priors.sum()
        return priors / total if total > 0 else priors


def _board_sizes(
    mode: SearchMode, checkpoint: str | None, lee: LeeParts, lee_builder: LeeBuilder
) -> tuple[int, ...] | None:
    """The one size the checkpoints' networks play (from their JSON, nothing loaded), or None:
    no network, or a custom Lee wiring whose evaluator says its size once built."""
    if mode == "zero":
        return None if checkpoint is None else (checkpoint_board_size(checkpoint),)
    if lee_builder is not build_lee_evaluators:
        return None
    check_lee_parts(lee)
    nets = [path for path in (lee.policy, lee.value) if path is not None]
    return (checkpoint_board_size(nets[0]),) if nets else None


@dataclass(frozen=True)
class _SearchBuild:
    """What ``MctsPlayer.prepare`` builds the search's evaluators from."""

    mode: SearchMode
    checkpoint: str | None
    lee: LeeParts
    lee_builder: LeeBuilder
    device: str
    symmetry: str
    seed: int | None

    def evaluators(self) -> tuple[Evaluator | LeafEvaluator, Evaluator | LeafEvaluator | None]:
        """(evaluator, tree policy): the networks are loaded here (torch is imported here)."""
        if self.mode == "lee":
            return self.lee_builder(self.lee, self.device)
        if self.checkpoint is None:
            return UniformEvaluator(), None
        net_seed = 0 if self.seed is None else self.seed
        symmetry = cast("SymmetryMode", self.symmetry)
        return zero_evaluator(self.checkpoint, self.device, symmetry, net_seed), None

    def rollout_policy(self) -> RolloutPolicy | None:
        """Lee mode's rollout policy, loaded from the file checked at the player's creation
        (None: uniformly random rollouts)."""
        return None if self.lee.rollout is None else RolloutPolicy.load(self.lee.rollout)


@register_player("zero")
def zero_player(
    visits: int | None = None,
    seconds: float | None = None,
    batch: int = 8,
    c_puct: float | None = None,
    noise: float = 0.0,
    temperature: float = 0.0,
    lcb: bool = False,
    resign_threshold: float = -0.9,
    resign_moves: int = 3,
    resign_after: int = 20,
    device: str = "auto",
    symmetry: str = "random",
    seed: int | None = None,
) -> MctsPlayer:
    """``mcts`` in Zero mode with the shipped network (``igo.weights``, 9x9).

    Raises:
        MissingWeightsError: naming the missing file and how to get it.
    """
    return MctsPlayer(
        checkpoint=str(zero_weights()),
        visits=visits,
        seconds=seconds,
        batch=batch,
        mode="zero",
        c_puct=c_puct,
        noise=noise,
        temperature=temperature,
        lcb=lcb,
        resign_threshold=resign_threshold,
        resign_moves=resign_moves,
        resign_after=resign_after,
        device=device,
        symmetry=symmetry,
        seed=seed,
        name="zero",
    )
