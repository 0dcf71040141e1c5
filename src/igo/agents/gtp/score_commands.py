"""GTP commands that score the game: ``final_score`` and ``final_status_list``.

Dead stones and seki are estimated with random playouts from the current position
(``igo.go.scoring``), ``num_scoring_playouts`` of them; the score follows the rules in force.
``final_status_list`` lists one string a line, as GNU Go answers.
"""

from __future__ import annotations

import numpy as np

from igo.agents.gtp.arguments import vertex_list
from igo.agents.gtp.context import EngineContext
from igo.go.scoring import final_score, final_status, seki_stones, stone_strings
from igo.io.gtp import GtpError

__all__ = ["ScoreCommands"]


class ScoreCommands:
    """The scoring command handlers of one engine."""

    def __init__(self, engine: EngineContext) -> None:
        self.engine = engine

    def _dead(self) -> np.ndarray:
        return final_status(self.engine.state, self.engine.num_scoring_playouts)

    def final_score(self, args: list[str]) -> str:
        state, playouts = self.engine.state, self.engine.num_scoring_playouts
        return final_score(state, self._dead(), playouts).to_sgf()

    def final_status_list(self, args: list[str]) -> str:
        if len(args) != 1 or args[0].lower() not in ("alive", "dead", "seki"):
            raise GtpError("syntax error")
        state, dead = self.engine.state, self._dead()
        seki = seki_stones(state, dead, self.engine.num_scoring_playouts)
        stones = state.stones() != 0
        wanted = {"dead": dead, "seki": seki & ~dead, "alive": stones & ~dead & ~seki}
        mask = wanted[args[0].lower()] & stones
        # One string per line, its points in board order, as GNU Go answers.
        strings = stone_strings(np.where(mask, state.stones(), 0), state.size)
        return "\n".join(vertex_list(np.sort(s), self.engine.size) for s in strings)
