"""The GTP front end: ``GoEngine`` puts a ``Player`` behind the Go Text Protocol.

``igo.io.gtp`` speaks the wire protocol to any ``Engine``; this package is igo's engine:
``engine`` (the engine: game, player, clocks, command table), ``game`` (the game it keeps),
``context`` (what the command groups see of the engine), the command groups
(``board_commands``, ``move_commands``, ``clocks``, ``score_commands``, ``analysis_commands``),
``arguments`` (numbers, colours, vertices, rules and time controls as controllers send them),
``startup`` (the player's preparation in the background) and ``conformance`` (the suite every
engine passes). The players themselves live in ``igo.agents`` and know nothing of GTP.
"""

from igo.agents.gtp.engine import GoEngine

__all__ = ["GoEngine"]
