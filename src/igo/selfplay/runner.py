"""The self-play game loop: many games at once, all their leaves in one network call per step.

``play_selfplay_games`` keeps ``parallel_games`` games going in the trees of one
:class:`~igo.search.MultiSearch` (``game_slots.GameSlots``); each step searches every live game's
position together (one batched evaluator call per search step for all of them), plays or resigns
each game's move, and starts a new game in a slot as soon as its game ends, until ``num_games``
have been started and finished. AlphaGo Zero's self-play (Silver et al. 2017, Methods
"Self-play"): Dirichlet noise at the root, visit-proportional moves for the first
``temperature_moves`` moves, resignation below a threshold except in a share of games played out
to check it; KataGo's playout cap randomisation decides which moves get a full search and a
policy target.

A mix of sizes (``SelfPlayConfig.board_sizes``) draws each game's size by weight from its own
seeded stream; a step then searches the live games **one size at a time** (one ``search`` call,
hence one batched network call per search step, per size): a search call takes states of one
size, and grouping costs no padding (a 9x9 leaf padded to 19x19 would cost 4.5 times its
points), only one network call per size per step (docs/zero.md, "Mixed sizes").
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from igo.search.evaluator import Evaluator, LeafEvaluator
from igo.search.mcts import MultiSearch
from igo.selfplay.game import (
    LiveGame,
    endgame_rules,
    final_count,
    game_sgf,
    training_target,
    winner_code,
)
from igo.selfplay.game_slots import GameSlots, slot_count
from igo.selfplay.record import GameData
from igo.selfplay.selfplay_config import SelfPlayConfig

GameFn = Callable[[GameData], None]
StopFn = Callable[[], bool]
MovesFn = Callable[[int], None]


def play_selfplay_games(
    evaluator: Evaluator | LeafEvaluator,
    config: SelfPlayConfig,
    num_games: int,
    *,
    seed: int,
    resign_threshold: float,
    on_game: GameFn,
    generation: int = 0,
    network: int = 0,
    should_stop: StopFn | None = None,
    on_moves: MovesFn | None = None,
    calibration: bool = False,
) -> int:
    """Play ``num_games`` self-play games, ``config.parallel_games`` at a time.

    Args:
        evaluator: the network as a search evaluator (batched over all live games).
        config: the self-play settings.
        num_games: games to play.
        seed: seeds the searches (noise, sampling, playout caps) and the resignation coin.
        resign_threshold: a player resigns when its root value falls below this.
        on_game: called with each finished game, in the order they finish.
        generation: the loop generation, recorded with each game.
        network: the generation of the network playing, recorded with each game.
        should_stop: polled between steps; True stops starting new games (and ends the loop
            after the current step, dropping unfinished games).
        on_moves: called after each step with the number of moves it played (for progress).
        calibration: play every game out, as a calibration game of the resignation threshold
            (``igo.selfplay.resign``).

    Returns:
        The number of games finished.
    """
    seeds = np.random.SeedSequence(seed)
    coin_seed, search_seed, size_seed = seeds.spawn(3)  # the first two as before mixes
    coin, sizes = np.random.default_rng(coin_seed), np.random.default_rng(size_seed)
    num_slots = slot_count(config.parallel_games, num_games)
    search = MultiSearch(evaluator, config.search, num_slots, np.random.default_rng(search_seed))

    def on_end(game: LiveGame) -> None:
        on_game(_finish(game, config, resign_threshold, generation, network, calibration))

    def step() -> None:
        played = 0
        for size in config.sizes:
            live, games = slots.live(partial(_on_board, size))
            if not live:
                continue
            results = search.search([g.state for g in games], trees=live)
            for i, game, result in zip(live, games, results, strict=True):
                result = endgame_rules(training_target(result, config), game.state, config)
                game.record(result)
                slots.moved(i, game.play(result, resign_threshold), on_end)
            played += len(live)
        if on_moves is not None:
            on_moves(played)

    new_game = partial(_new_game, config, coin=coin, sizes=sizes, calibration=calibration)
    slots = GameSlots([search], num_games, new_game, should_stop)
    return slots.run(step)


def _on_board(size: int, game: LiveGame) -> bool:
    return game.state.size == size


def _new_game(
    config: SelfPlayConfig,
    index: int,
    coin: np.random.Generator,
    sizes: np.random.Generator,
    calibration: bool,
) -> LiveGame:
    # The paper disables resignation in 10% of games to measure false resignations.
    allowed = bool(coin.random() >= config.resign_disabled_fraction) and not calibration
    return LiveGame(config.new_game(config.draw_size(sizes)), index, resign_allowed=allowed)


def _finish(
    game: LiveGame,
    config: SelfPlayConfig,
    threshold: float,
    generation: int,
    network: int,
    calibration: bool,
) -> GameData:
    count = final_count(game.state, config.scoring, seed=game.index)
    result = count.result
    name = f"igo-zero gen {network}"
    comment = (
        f"self-play generation {generation}, game {game.index}, "
        f"resignation {'allowed' if game.resign_allowed else 'disabled'}"
        f"{' (calibration game)' if calibration else ''}"
    )
    return GameData(
        stones=np.stack(game.stones).astype(np.int8),
        to_play=np.array(game.to_play, dtype=np.int8),
        moves=np.array(game.moves, dtype=np.int16),
        policy=game.policy_array(),
        full=np.array([p is not None for p in game.policies], dtype=np.bool_),
        root_value=np.array(game.root_values, dtype=np.float32),
        winner=winner_code(result),
        result=result.to_sgf(),
        resign_allowed=game.resign_allowed,
        resign_threshold=float(threshold),
        sgf=game_sgf(game.state, result, name, name, comment),
        generation=generation,
        network=network,
        calibration=calibration,
        owner=count.owner,
        black_lead=count.black_lead,
    )
