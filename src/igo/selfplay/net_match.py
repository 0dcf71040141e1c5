"""Network against network, many games at once: the in-process match that gating plays.

Two evaluators (the candidate and the best network), one :class:`~igo.search.MultiSearch` each
with a tree per game slot. Each step searches, for every live game, the position of whichever
side is to move: all the candidate's positions in one batched call, all the best network's in
another. Colours alternate (game i: the first network plays black when i is even), the root gets
no noise, and moves are played greedily after ``temperature_moves`` (a few sampled opening moves
keep the games apart, since the networks are otherwise deterministic).

With a mix of sizes (``SelfPlayConfig.board_sizes``) each game draws its size (and so its komi)
from the mix by weight, from the match's own seeded stream (the same seed plays the same sizes),
and each side's positions are searched one size at a time, as self-play does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from igo.go.coords import Color
from igo.search.config import SearchConfig
from igo.search.evaluator import Evaluator, LeafEvaluator
from igo.search.mcts import MultiSearch
from igo.selfplay.game import LiveGame, endgame_rules, final_result, game_sgf, winner_code
from igo.selfplay.game_slots import GameSlots, slot_count
from igo.selfplay.selfplay_config import SelfPlayConfig

AnyEvaluator = Evaluator | LeafEvaluator


@dataclass(frozen=True)
class MatchGame:
    """One finished game of a match."""

    index: int
    """The game's number (colours alternate with it)."""
    first_is_black: bool
    """Whether the first network played black."""
    winner: int
    """1 black, 2 white, 0 none."""
    result: str
    """The SGF RE value."""
    num_moves: int
    """Moves played."""
    sgf: str
    """The game as SGF."""
    board_size: int = 0
    """The board's side N."""

    @property
    def first_score(self) -> float:
        """The first network's points: 1 win, 0.5 draw, 0 loss."""
        if self.winner == 0:
            return 0.5
        first_color = Color.BLACK if self.first_is_black else Color.WHITE
        return 1.0 if self.winner == int(first_color) else 0.0


def play_match(
    evaluators: tuple[AnyEvaluator, AnyEvaluator],
    game_config: SelfPlayConfig,
    search_config: SearchConfig,
    num_games: int,
    *,
    parallel_games: int,
    seed: int,
    resign_threshold: float = -1.0,
    names: tuple[str, str] = ("first", "second"),
    on_game: Callable[[MatchGame], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[MatchGame]:
    """Play ``num_games`` games between two evaluators, ``parallel_games`` at a time.

    Args:
        evaluators: (first, second): the first plays black in even-numbered games.
        game_config: board size (or mix of sizes), rules, komi, move cap and scoring.
        search_config: both sides' search (set ``dirichlet_epsilon=0`` for no noise).
        num_games: games to play.
        parallel_games: games played at once.
        seed: seeds both searches.
        resign_threshold: a side resigns below this root value (-1: never).
        names: the player names written into the SGFs.
        on_game: called with each finished game.
        should_stop: polled between steps and as games end; True starts no more games and ends
            the match after the current step (unfinished games are dropped).

    Returns:
        The finished games, in the order they finished.
    """
    slots_n = slot_count(parallel_games, num_games)
    *seeds, size_seed = np.random.SeedSequence(seed).spawn(3)  # the first two as before mixes
    searches = [
        MultiSearch(ev, search_config, slots_n, np.random.default_rng(s))
        for ev, s in zip(evaluators, seeds, strict=True)
    ]
    sizes = np.random.default_rng(size_seed)
    done: list[MatchGame] = []

    def on_end(game: LiveGame) -> None:
        finished = _finish(game, game_config, names)
        done.append(finished)
        if on_game is not None:
            on_game(finished)

    def new_game(index: int) -> LiveGame:
        return LiveGame(game_config.new_game(game_config.draw_size(sizes)), index)

    slots = GameSlots(searches, num_games, new_game, should_stop)
    slots.run(partial(_step, slots, searches, game_config, resign_threshold, on_end))
    return done


def _step(
    slots: GameSlots,
    searches: list[MultiSearch],
    config: SelfPlayConfig,
    resign_threshold: float,
    on_end: Callable[[LiveGame], None],
) -> None:
    """Each side's positions in one batched search of its own per board size (the first's, then
    the second's after those moves), each search's move played."""
    for side in (0, 1):
        for size in config.sizes:
            live, games = slots.live(partial(_is_to_move, side, size))
            if not live:
                continue
            results = searches[side].search([g.state for g in games], trees=live)
            for i, game, result in zip(live, games, results, strict=True):
                result = endgame_rules(result, game.state, config)
                slots.moved(i, game.play(result, resign_threshold), on_end)


def _is_to_move(side: int, size: int, game: LiveGame) -> bool:
    return game.state.size == size and _side_to_move(game) == side


def _side_to_move(game: LiveGame) -> int:
    """0 if the first network is to move in ``game``, else 1."""
    first_black = game.index % 2 == 0
    return 0 if (game.state.to_play == Color.BLACK) == first_black else 1


def _finish(game: LiveGame, config: SelfPlayConfig, names: tuple[str, str]) -> MatchGame:
    result = final_result(game.state, config.scoring, seed=game.index)
    first_black = game.index % 2 == 0
    black, white = names if first_black else names[::-1]
    return MatchGame(
        index=game.index,
        first_is_black=first_black,
        winner=winner_code(result),
        result=result.to_sgf(),
        num_moves=len(game.state.moves),
        sgf=game_sgf(game.state, result, black, white, f"match game {game.index}"),
        board_size=game.state.size,
    )
