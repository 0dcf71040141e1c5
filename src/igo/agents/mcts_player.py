"""The search players: ``mcts`` (Zero or Lee mode, with or without networks) and ``zero``
(registered in ``igo.agents.zero_player``), two presets of one ``MctsPlayer``.

| player and options                    | evaluator                   | leaves scored by          |
|---------------------------------------|-----------------------------|---------------------------|
| ``mcts`` (no network)                 | uniform priors              | random rollouts (Lee mode, |
|                                       |                             | lambda = 1): plain UCT    |
| ``mcts checkpoint=PATH``              | PolicyValueNet, Zero planes | the value head (Zero mode) |
| ``mcts mode=lee policy_checkpoint=P`` | AlphaGo's nets through      | value and rollouts, mixed |
| ``value_checkpoint=V``                | ``nets.build_lee_evaluators`` | by lambda               |
| ``zero``                              | the shipped 9x9 Zero net    | the value head            |
| ``zero checkpoint=PATH``              | that PolicyValueNet         | the value head            |

An ``MctsPlayer`` is a ``SearchConfig`` (the search, whole) and a ``SearchSetup`` (networks, time,
resignation, device, seed); the players are presets of both (``igo.agents.search_presets``), their
options set fields of them (``igo.agents.player_options``). A move searches the config's
``num_simulations`` new simulations (``visits``, 400 by default) and/or ``seconds``; a game clock
(``time_settings`` / ``time_left``) lowers the time to ``Clock.budget_seconds``, which keeps a
margin for lag, so a 1-second byo-yomi gets about half a second. The tree is kept between moves:
``observe`` moves its root down to the move played (``MultiSearch.advance``). Match settings by
default: no root noise, the most visited move (``temperature`` > 0 samples the first 30 moves).
The player resigns by ``ResignPolicy``, passes back where passing wins the game's count
(``igo.go.scoring.passing_wins``), and otherwise plays the search's move under the end-of-game
rules of ``igo.agents.move_rules`` (no pass on an empty board or where passing loses, no move
into its own true eye).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from igo.agents.analysis import SearchSession
from igo.agents.move_rules import checked_move
from igo.agents.nets import (
    AnyEvaluator,
    LeeBuilder,
    LeeParts,
    build_lee_evaluators,
    check_backend,
    check_device,
    check_lee_parts,
    check_pattern_policy,
    checkpoint_board_sizes,
    lee_board_sizes,
    zero_evaluator,
)
from igo.agents.player import (
    RESIGN,
    Clock,
    OptionDefaults,
    Resign,
    estimate_moves_left,
    register_player,
)
from igo.agents.player_options import (
    LEE_OPTIONS,
    SEARCH_OPTIONS,
    Preset,
    apply_options,
    preset_defaults,
)
from igo.agents.resign import ResignTracker
from igo.agents.search_presets import SearchSetup, mcts_search
from igo.go.coords import Color, Point
from igo.go.scoring import passing_wins
from igo.go.state import GameState
from igo.search.config import SearchConfig, SearchMode
from igo.search.evaluator import (
    UniformEvaluator,
    evaluate_leaves,
    history_length_of,
    leaves_from_states,
)
from igo.search.mcts import MultiSearch
from igo.search.rollout import RolloutPolicy
from igo.search.timing import TimeSource

if TYPE_CHECKING:
    from igo.agents.net_evaluator import SymmetryMode

_WARMUP_SIMULATIONS = 16
_WARMUP_SIZE = 9  # a search kernel compiles for array types, not sizes: any size warms up all
MCTS_OPTIONS = (
    "checkpoint",
    *SEARCH_OPTIONS,
    "mode",
    "policy_checkpoint",
    "value_checkpoint",
    "rollout_checkpoint",
    "tree_policy",
    *LEE_OPTIONS,
    "symmetry",
)
"""The options of ``mcts``."""


class MctsPlayer:
    """PUCT search (``igo.search``) behind the Player protocol, with analysis support."""

    def __init__(
        self,
        search: SearchConfig,
        setup: SearchSetup,
        *,
        lee_builder: LeeBuilder = build_lee_evaluators,
        name: str = "mcts",
        clock: TimeSource | None = None,
    ) -> None:
        """Args:
        search: the search, whole; its ``num_simulations`` are a move's new simulations
            (unless ``setup.time_only``).
        setup: networks, time, resignation, device, seed.
        lee_builder: builds Lee mode's (evaluator, tree policy) from its parts.
        name: registry name reported to GTP (``zero`` and ``alphago`` use this class too).
        clock: what a move's time budget reads (None: ``time.monotonic``; tests simulate one).
        """
        mode, lee = search.mode, setup.lee
        if mode == "zero" and lee != LeeParts():
            raise ValueError("policy/value/rollout/tree parts are for Lee mode: add --mode lee")
        if mode == "lee" and setup.checkpoint:
            raise ValueError("--checkpoint is a Zero-mode net; Lee mode takes --policy-checkpoint")
        if mode == "zero" and setup.symmetry not in ("none", "random", "all"):
            raise ValueError(f"symmetry must be none, random or all, not {setup.symmetry!r}")
        if mode == "lee" and search.lee_lambda == 1.0 and lee.value is not None:
            # Lambda 1 mixes in no value (V = (1 - lambda) v + lambda z): skip its network pass.
            setup = replace(setup, lee=replace(lee, value=None))
        self.name = name
        self.config = search
        self.setup = setup
        self.visits = None if setup.time_only else search.num_simulations
        """New simulations of a move (None: time alone ends it)."""
        self.board_sizes = _board_sizes(search.mode, setup, lee_builder)
        """The sizes the networks play (None: any), read from the checkpoints' JSON."""
        if setup.lee.rollout is not None:
            check_pattern_policy(setup.lee.rollout)
        check_device(setup.device)
        check_backend(setup.backend, setup.device)
        if setup.backend != "torch" and lee_builder is not build_lee_evaluators:
            raise ValueError("a custom Lee-mode wiring runs its networks its own way: no --backend")
        self._lee_builder = lee_builder
        self._clock = time.monotonic if clock is None else clock
        self._search: MultiSearch | None = None
        self._prepare_lock = threading.Lock()
        self._stale = True  # the tree no longer stands for the game: drop it before searching
        self._resign = {color: ResignTracker(setup.resign) for color in (Color.BLACK, Color.WHITE)}
        self._root_to_play: Color | None = None
        self.last_visits: int | None = None
        """New simulations of the last genmove's search (``VisitCounting``)."""

    def prepare(self) -> None:
        """Load the networks and compile the search kernels (a short search on an empty board),
        once; later calls return at once. Thread-safe: the GTP engine calls it in the background
        at start, and every search waits for it."""
        with self._prepare_lock:
            if self._search is not None:
                return
            evaluator, tree_evaluator = self._evaluators()
            size_attr = getattr(evaluator, "board_size", None)
            if self.board_sizes is None and size_attr is not None:
                self.board_sizes = (int(size_attr),)
            search = MultiSearch(
                evaluator,
                self.config,
                1,
                rng=self.setup.seed,
                tree_policy=tree_evaluator,
                rollout_policy=self._rollout_policy(),
                clock=self._clock,
            )
            size = self.board_sizes[0] if self.board_sizes else _WARMUP_SIZE
            search.search([GameState.new(size)], num_simulations=_WARMUP_SIMULATIONS)
            self._search = self._seeded(search)

    def _seeded(self, search: MultiSearch) -> MultiSearch:
        """An empty search on ``search``'s networks whose generators, and the evaluator's, start
        from the setup's seed: the warm-up search and earlier games shift no seeded game."""
        seed = self.setup.seed
        reseed = getattr(search.evaluator, "reseed", None)
        if seed is not None and reseed is not None:
            reseed(seed)
        return MultiSearch(
            search.evaluator,
            self.config,
            1,
            rng=seed,
            tree_policy=search.tree_policy,
            rollout_policy=search.rollout_policy,
            clock=self._clock,
        )

    def reseed(self, seed: int) -> None:
        """Restart the search's and the network's random generators from ``seed`` and drop the
        tree (``Seedable``: GTP ``set_random_seed``); waits for a start-up in progress."""
        with self._prepare_lock:
            self.setup = replace(self.setup, seed=seed)
            if self._search is not None:
                self._search = self._seeded(self._search)
            self._stale = True
            self._root_to_play = None

    def multi_search(self, num_trees: int, size: int | None = None) -> MultiSearch:
        """A new search over ``num_trees`` trees on the player's prepared networks and search
        config (the analysis engine searches many positions at once, one tree each) for boards
        of ``size`` (any this player plays: its networks are the same for all)."""
        self.prepare()
        assert self._search is not None
        one = self._search
        return MultiSearch(
            one.evaluator,
            self.config,
            num_trees,
            rng=self.setup.seed,
            tree_policy=one.tree_policy,
            rollout_policy=one.rollout_policy,
            clock=self._clock,
        )

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
        started = self._clock()
        budget = self.setup.seconds
        if clock is not None:
            allowed = clock.budget_seconds(estimate_moves_left(state))
            budget = allowed if budget is None else min(budget, allowed)
        self._root_to_play = state.to_play
        deadline = None if budget is None else started + budget
        search = self._tree()
        cap = self.setup.max_analysis_visits
        return SearchSession(search, state, self.visits, deadline, cap)

    def start_analysis(self, state: GameState) -> SearchSession:
        """An open-ended session on ``state`` that keeps and grows the player's tree."""
        self._check_size(state)
        search = self._tree()
        self._root_to_play = state.to_play
        return SearchSession(search, state, None, None, self.setup.max_analysis_visits)

    def finish_genmove(self, state: GameState, session: SearchSession) -> Point | Resign:
        """The move after ``session``: a pass back where it wins the game's count
        (``passing_wins``), whatever the search, which counts Tromp-Taylor; RESIGN by the
        resignation rule; else the search's move under ``move_rules.checked_move``."""
        self.last_visits = session.simulations
        if passing_wins(state):
            return state.num_points
        result = session.result
        if result is None:
            session.step()
            result = session.result
            assert result is not None
        if self._resign[state.to_play].update(result.root_value, len(state.moves)):
            return RESIGN
        return checked_move(state, result)

    def policy_priors(self, state: GameState) -> np.ndarray:
        """float [P + 1]: the evaluator's priors for ``state`` (0 on illegal moves)."""
        self._check_size(state)
        evaluator = self._tree().evaluator
        leaves = leaves_from_states([state], history_length_of(evaluator))
        priors = evaluate_leaves(evaluator, leaves)[0][0].astype(np.float64)
        priors = np.where(state.legal_mask(), priors, 0.0)
        total = priors.sum()
        return priors / total if total > 0 else priors

    def _evaluators(self) -> tuple[AnyEvaluator, AnyEvaluator | None]:
        """(evaluator, tree policy): the networks are loaded here (torch is imported here)."""
        setup = self.setup
        if self.config.mode == "lee":
            if setup.backend != "torch":
                return build_lee_evaluators(setup.lee, setup.device, setup.backend)
            return self._lee_builder(setup.lee, setup.device)
        if setup.checkpoint is None:
            return UniformEvaluator(), None
        net_seed = 0 if setup.seed is None else setup.seed
        symmetry = cast("SymmetryMode", setup.symmetry)
        evaluator = zero_evaluator(
            setup.checkpoint, setup.device, symmetry, net_seed, setup.backend
        )
        return evaluator, None

    def _rollout_policy(self) -> RolloutPolicy | None:
        """Lee mode's rollout policy, loaded from the file checked at the player's creation
        (None: uniformly random rollouts)."""
        path = self.setup.lee.rollout
        return None if path is None else RolloutPolicy.load(path)


def _board_sizes(
    mode: SearchMode, setup: SearchSetup, lee_builder: LeeBuilder
) -> tuple[int, ...] | None:
    """The one size the checkpoints' networks play (from their JSON, nothing loaded), or None:
    no network, a net with pooled heads (every size), or a custom Lee wiring whose evaluator
    says its size once built."""
    if mode == "zero":
        checkpoint = setup.checkpoint
        return None if checkpoint is None else checkpoint_board_sizes(checkpoint)
    if lee_builder is not build_lee_evaluators:
        return None
    check_lee_parts(setup.lee)
    return lee_board_sizes(setup.lee, setup.backend)


def mcts_preset(given: Mapping[str, Any]) -> Preset:
    """The preset of ``mcts`` for the ``given`` options: Zero mode with a checkpoint, Lee mode
    without (or as ``mode`` says), ``mcts_search`` in that mode (lambda 0.5 with a value net)."""
    mode = given.get("mode") or ("zero" if given.get("checkpoint") else "lee")
    if mode not in ("zero", "lee"):
        raise ValueError(f"--mode {mode}: mode must be zero or lee")
    value_net = given.get("value_checkpoint") is not None
    return mcts_search(cast(SearchMode, mode), value_net), SearchSetup()


def _mcts_defaults() -> OptionDefaults:
    presets = {
        "mcts": mcts_preset({}),
        "mcts --checkpoint": mcts_preset({"checkpoint": "PATH"}),
        "mcts --value-checkpoint": mcts_preset({"value_checkpoint": "PATH"}),
    }
    return preset_defaults(MCTS_OPTIONS, presets)


@register_player("mcts", MCTS_OPTIONS, _mcts_defaults)
def mcts_player(*, lee_builder: LeeBuilder = build_lee_evaluators, **options: Any) -> MctsPlayer:
    """``mcts``: its preset (``mcts_preset``) with ``options`` set (``igo.agents.player_options``;
    e.g. ``visits=400``, ``checkpoint=PATH``, ``mode="lee"``, ``lee_lambda=1``).

    Args:
        lee_builder: builds Lee mode's (evaluator, tree policy) from its parts.
        options: the player options, by keyword.
    """
    search, setup = apply_options(*mcts_preset(options), options)
    return MctsPlayer(search, setup, lee_builder=lee_builder)
