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

import time
from dataclasses import replace
from typing import cast

import numpy as np

from igo.agents.analysis import DEFAULT_MAX_VISITS, SearchSession
from igo.agents.nets import (
    LeeBuilder,
    LeeParts,
    build_lee_evaluators,
    check_rollout_policy,
    zero_evaluator,
    zero_weights,
)
from igo.agents.player import RESIGN, Clock, Resign, estimate_moves_left, register_player
from igo.agents.random_player import sensible_moves
from igo.agents.resign import ResignPolicy, ResignTracker
from igo.go.coords import Color, Point
from igo.go.state import GameState
from igo.search.config import SearchConfig, SearchMode
from igo.search.evaluator import (
    Evaluator,
    LeafEvaluator,
    evaluate_leaves,
    history_length_of,
    leaves_from_states,
)
from igo.search.mcts import MultiSearch

DEFAULT_VISITS = 400
"""New simulations per move when neither visits nor seconds are given."""
_WARMUP_SIMULATIONS = 16
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
    """The SearchConfig of a match player (``num_simulations`` is set per search)."""
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
        rollout_checkpoint: Lee mode's rollout policy (``.npz``), for the search's rollouts.
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
        evaluator, tree_evaluator = self._evaluators(
            search_mode, checkpoint, lee, lee_builder, device, symmetry, seed
        )
        self.board_sizes = _board_sizes(evaluator)
        """The sizes the networks play (None: any)."""
        self.config = search_config(
            search_mode, batch, c_puct, lee_lambda, expand_threshold, noise, temperature, lcb
        )
        if lee.rollout is not None:
            self.config = _with_rollout_policy(self.config, lee.rollout)
        self._search = MultiSearch(evaluator, self.config, 1, rng=seed, tree_policy=tree_evaluator)
        policy = ResignPolicy(resign_threshold, resign_moves, resign_after)
        self._resign = {color: ResignTracker(policy) for color in (Color.BLACK, Color.WHITE)}
        self._root_to_play: Color | None = None
        self._warm = False

    @staticmethod
    def _evaluators(
        mode: SearchMode,
        checkpoint: str | None,
        lee: LeeParts,
        lee_builder: LeeBuilder,
        device: str,
        symmetry: str,
        seed: int | None,
    ) -> tuple[Evaluator | LeafEvaluator, Evaluator | LeafEvaluator | None]:
        if mode == "lee":
            return lee_builder(lee, device)
        if checkpoint is None:
            from igo.search.evaluator import UniformEvaluator

            return UniformEvaluator(), None
        if symmetry not in ("none", "random", "all"):
            raise ValueError(f"symmetry must be none, random or all, not {symmetry!r}")
        net_seed = 0 if seed is None else seed
        return zero_evaluator(checkpoint, device, symmetry, net_seed), None  # type: ignore[arg-type]

    # ----- the Player protocol -----
    def reset(self, state: GameState) -> None:
        """A new game or position: drop the tree and the resignation streaks."""
        self._search.reset()
        self._root_to_play = None
        for tracker in self._resign.values():
            tracker.reset()
        if not self._warm and self.plays_size(state.size) and not state.is_over():
            self._warm_up(state)

    def observe(self, color: Color, point: Point) -> None:
        """Move the tree's root down to ``point`` when the tree stands for the position before."""
        if self._root_to_play == color:
            self._search.advance(0, point)
            self._root_to_play = color.opponent
        else:
            self._search.reset()
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
        return SearchSession(
            self._search, self.config, state, self.visits, deadline, self.max_analysis_visits
        )

    def start_analysis(self, state: GameState) -> SearchSession:
        """An open-ended session on ``state`` that keeps and grows the player's tree."""
        self._check_size(state)
        self._root_to_play = state.to_play
        return SearchSession(self._search, self.config, state, None, None, self.max_analysis_visits)

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
        evaluator = self._search.evaluator
        leaves = leaves_from_states([state], history_length_of(evaluator))
        priors = evaluate_leaves(evaluator, leaves)[0][0].astype(np.float64)
        priors = np.where(state.legal_mask(), priors, 0.0)
        total = priors.sum()
        return priors / total if total > 0 else priors

    def _warm_up(self, state: GameState) -> None:
        """Compile the search kernels and wake the network once, so that the first timed move
        does not pay for it (numba's first compile takes seconds)."""
        self._search.config = replace(self.config, num_simulations=_WARMUP_SIMULATIONS)
        self._search.search([state])
        self._search.reset()
        self._warm = True


def _with_rollout_policy(config: SearchConfig, path: str) -> SearchConfig:
    """``config`` whose Lee-mode rollouts sample from the rollout policy at ``path``."""
    check_rollout_policy(path)
    try:
        return replace(config, rollout_policy=path)  # type: ignore[call-arg,unused-ignore]
    except TypeError:  # a search without rollout policies
        raise ValueError("this search cannot use a rollout policy") from None


def _board_sizes(evaluator: object) -> tuple[int, ...] | None:
    size = getattr(evaluator, "board_size", None)
    return None if size is None else (int(size),)


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
