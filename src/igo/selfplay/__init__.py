"""Self-play (layer L4): networks play themselves; finished games become training records.

``play_selfplay_games`` (``runner.py``) plays many games at once with their leaves batched into
one network call; ``run_selfplay`` (``worker.py``) spreads a generation's games over worker
processes and writes each game atomically (``record.py``); ``play_match`` (``net_match.py``)
plays two networks against each other for gating; both loops refill their game slots through
``game_slots.py``; ``resign.py`` calibrates the resignation threshold.
"""

from igo.selfplay.record import GameData
from igo.selfplay.selfplay_config import SelfPlayConfig

__all__ = ["GameData", "SelfPlayConfig"]
