"""Layer 4: players behind one ``Player`` protocol, their registry, and the GTP front end.

Importing this package registers every built-in player: each player module is imported here,
explicitly (no star imports, no plugin discovery), and registers itself with ``register_player``.
A new player adds one import line below.
"""

from igo.agents import (
    alphago_player,
    auto_player,
    mcts_player,
    policy_player,
    random_player,
    zero_player,
)
from igo.agents.auto_player import default_player
from igo.agents.player import (
    RESIGN,
    Clock,
    Player,
    Resign,
    TimeSettings,
    create_player,
    list_players,
    register_player,
)

__all__ = [
    "RESIGN",
    "Clock",
    "Player",
    "Resign",
    "TimeSettings",
    "alphago_player",
    "auto_player",
    "create_player",
    "default_player",
    "list_players",
    "mcts_player",
    "policy_player",
    "random_player",
    "register_player",
    "zero_player",
]
