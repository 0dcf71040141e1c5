"""``auto``: the strongest shipped player for each board size, from a table measured here.

``igo gtp`` (and ``igo play``, ``igo analysis``) without ``--player`` plays ``auto``: a
``SizedPlayer`` that plays each size with the player ``STRONGEST`` names for it (``ELSEWHERE``
for the sizes not in the table), switching when the controller changes the size. The evidence
for each entry is in docs/gtp.md ("The default player"): on 9x9 the AlphaGo player beats GNU Go
level 10; elsewhere its policy network (resized) and rollouts beat the search without a network.
Where the ``alphago`` player's networks are not installed, ``mcts`` (no network) plays instead.
Every player in the table is a search player, so ``auto`` takes the search options
(``--visits``, ``--seconds``...), and each chosen player keeps its own defaults for the rest.
"""

from __future__ import annotations

from typing import Any

from igo.agents.alphago_player import alphago_parts
from igo.agents.mcts_player import MctsPlayer
from igo.agents.nets import MissingWeightsError
from igo.agents.player import OptionDefaults, create_player, register_player
from igo.agents.player_options import SEARCH_OPTIONS
from igo.agents.sized_player import DEFAULT_SIZE, SizedPlayer

AUTO = "auto"
"""The name of the player that picks the strongest one per size."""
STRONGEST: dict[int, str] = {9: "alphago"}
"""The strongest shipped player of a board size (evidence: docs/gtp.md)."""
ELSEWHERE = "alphago"
"""The strongest shipped player of the sizes ``STRONGEST`` does not list."""
WITHOUT_NETWORKS = "mcts"
"""Who plays where the chosen player's networks are not installed: the search without one."""


def default_player(size: int | None) -> str:
    """The strongest shipped player for ``size`` x ``size``; None (no size known): ``auto``,
    which picks per size as the game goes."""
    if size is None:
        return AUTO
    name = STRONGEST.get(size, ELSEWHERE)
    if name == "alphago":
        try:
            alphago_parts()
        except (MissingWeightsError, OSError):
            return WITHOUT_NETWORKS
    return name


def _auto_defaults() -> OptionDefaults:
    """None of its own: each chosen player keeps its defaults (help pages list theirs)."""
    return {AUTO: {}}


@register_player(AUTO, SEARCH_OPTIONS, _auto_defaults)
def auto_player(**options: Any) -> SizedPlayer:
    """The strongest shipped player of every size (``default_player``), each with ``options``
    (the search options; None or absent: the chosen player's default).

    Raises:
        ValueError: a bad option value (checked on every player of the table at once).
    """
    players: dict[str, object] = {}

    def chosen(size: int) -> object:
        name = default_player(size)
        if name not in players:
            players[name] = create_player(name, **options)
        return players[name]

    def build(size: int) -> MctsPlayer:
        player = chosen(size)
        if isinstance(player, SizedPlayer):
            return player.player_for(size)
        assert isinstance(player, MctsPlayer)
        return player

    def note(size: int) -> str:
        player = chosen(size)
        inner = player.size_note(size) if isinstance(player, SizedPlayer) else None
        picked = f"auto plays {size}x{size} with {default_player(size)}"
        return f"{picked} ({inner})" if inner else picked

    unlisted = min(set(range(2, 26)) - set(STRONGEST))
    for size in (*STRONGEST, unlisted):  # every choice built now: bad options fail here
        chosen(size)
    return SizedPlayer(AUTO, build, note, size=DEFAULT_SIZE)
