"""The game-refilling loop of both batched game loops: N live games, refilled until all are played.

Self-play (``runner.py``) and network against network (``net_match.py``) both keep
``parallel_games`` games going, game slot i in tree i of each of their searches
(``MultiSearch``). Each step searches live games' positions in one batched call per search; after
a move, a game goes on (every search's tree i follows the move) or ends (the trees are cleared
and the slot takes the next game at once), until ``num_games`` have started and the last has
ended. ``GameSlots`` is that loop; the callers say what one step searches and plays (``step``)
and what becomes of a finished game (``on_end``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from igo.search.mcts import MultiSearch
from igo.selfplay.game import LiveGame

NewGameFn = Callable[[int], LiveGame]
"""The game numbered i (0, 1, ...: the order the games start in)."""
StopFn = Callable[[], bool]
EndFn = Callable[[LiveGame], None]


def slot_count(parallel_games: int, num_games: int) -> int:
    """Games at once (the trees each search needs): ``parallel_games``, at most ``num_games``."""
    return max(1, min(parallel_games, num_games))


class GameSlots:
    """The live games of a batched loop, one per tree of ``searches``, refilled as games end."""

    def __init__(
        self,
        searches: Sequence[MultiSearch],
        num_games: int,
        new_game: NewGameFn,
        should_stop: StopFn | None = None,
    ) -> None:
        """Start the first games (as many as ``searches`` have trees, at most ``num_games``).

        Args:
            searches: the searches whose trees follow the games (each with one tree per slot).
            num_games: games to play in all.
            new_game: the next game to start, by its number.
            should_stop: polled before each step and when a game ends; True starts no more
                games and ends the loop before the next step (unfinished games are dropped).
        """
        self.searches = tuple(searches)
        self.num_games = num_games
        self.started = self.finished = 0
        self._new_game, self._should_stop = new_game, should_stop
        self.games: list[LiveGame | None] = [None] * self.searches[0].num_trees
        for i in range(len(self.games)):
            if self.started < num_games:
                self.games[i] = self._start()

    def _start(self) -> LiveGame:
        game = self._new_game(self.started)
        self.started += 1
        return game

    def _stopped(self) -> bool:
        return self._should_stop is not None and self._should_stop()

    def live(
        self, where: Callable[[LiveGame], bool] | None = None
    ) -> tuple[list[int], list[LiveGame]]:
        """The slots with a game (those whose game passes ``where``) and their games."""
        pairs = [
            (i, g)
            for i, g in enumerate(self.games)
            if g is not None and (where is None or where(g))
        ]
        return [i for i, _ in pairs], [g for _, g in pairs]

    def moved(self, slot: int, move: int, on_end: EndFn) -> None:
        """After ``move`` was played in ``slot``'s game: every search's tree follows it, or, if
        the game is over, ``on_end`` gets it, the trees are cleared and the slot takes the next
        game (none once ``num_games`` have started or ``should_stop`` says so)."""
        game = self.games[slot]
        assert game is not None, f"slot {slot} has no game"
        if not game.state.is_over():
            for search in self.searches:
                search.advance(slot, move)
            return
        on_end(game)
        self.finished += 1
        for search in self.searches:
            search.reset(slot)
        stop = self._stopped()
        self.games[slot] = None if self.started >= self.num_games or stop else self._start()

    def run(self, step: Callable[[], None]) -> int:
        """Call ``step`` (search live games, play, ``moved``) until no game is left or
        ``should_stop``; returns the number of games finished."""
        while any(game is not None for game in self.games) and not self._stopped():
            step()
        return self.finished
