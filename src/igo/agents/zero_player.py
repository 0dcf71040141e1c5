"""The ``zero`` player: ``mcts`` in Zero mode on the shipped 9x9 AlphaGo Zero net, or on the Zero
net of ``--checkpoint PATH`` (``igo:player=zero,checkpoint=PATH`` in a match): the same option,
field and search as ``mcts --checkpoint PATH``, under the name ``zero``.
"""

from __future__ import annotations

from typing import Any

from igo.agents.mcts_player import MctsPlayer
from igo.agents.nets import shipped_weights, zero_weights
from igo.agents.player import OptionDefaults, register_player
from igo.agents.player_options import SEARCH_OPTIONS, apply_options, preset_defaults
from igo.agents.search_presets import SearchSetup, mcts_search

ZERO_OPTIONS = ("checkpoint", *SEARCH_OPTIONS, "symmetry")
"""The options of ``zero``: ``mcts``'s Zero-mode ones (``checkpoint`` plays another Zero net)."""


def _zero_defaults() -> OptionDefaults:
    shipped = SearchSetup(checkpoint=str(shipped_weights()))
    return preset_defaults(ZERO_OPTIONS, {"zero": (mcts_search("zero", False), shipped)})


@register_player("zero", ZERO_OPTIONS, _zero_defaults)
def zero_player(**options: Any) -> MctsPlayer:
    """``mcts`` in Zero mode with the shipped network (``igo.weights``, 9x9), or the Zero net
    of ``checkpoint=PATH`` (any size, a compressed ``.onnx`` too), ``options`` set.

    Raises:
        MissingWeightsError: naming the missing file and how to get it (no ``checkpoint``).
        ValueError: for a checkpoint that is missing or no Zero net.
    """
    shipped = None if options.get("checkpoint") else str(zero_weights())
    setup = SearchSetup(checkpoint=shipped)
    search, setup = apply_options(mcts_search("zero", value_net=False), setup, options)
    return MctsPlayer(search, setup, name="zero")
