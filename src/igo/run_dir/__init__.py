"""Layer 3, run folders: one folder per pipeline run, each file named here and nowhere else.

- ``run_folder.py``: what every run folder has: ``config.json``, the lock, the clean-up of a
  killed run's temporary files (``RunFolder``).
- ``zero_layout.py``: an ``igo zero`` run: models, trainer checkpoints, replay, arena, logs
  (``ZeroRunDir``).
- ``alphago_layout.py``: an ``igo alphago`` run: each stage's files, the ``alphago`` player's
  parts (``AlphaGoRunDir``).

Paths only (and the small files above): no torch, nothing above ``igo.io``.
"""

from igo.run_dir.alphago_layout import STAGE_OUTPUTS, AlphaGoRunDir
from igo.run_dir.run_folder import RunDirInUse, RunFolder
from igo.run_dir.zero_layout import ZeroRunDir

__all__ = ["STAGE_OUTPUTS", "AlphaGoRunDir", "RunDirInUse", "RunFolder", "ZeroRunDir"]
