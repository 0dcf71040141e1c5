"""What every pipeline's run folder has, whatever its layout: the saved ``config.json``, the lock
and the clean-up after a killed run.

| path            | content                                                               |
|-----------------|-----------------------------------------------------------------------|
| ``config.json`` | ``{"package_version": ..., "config": {...}}``: the resolved settings, |
|                 | checked when the run is resumed                                       |
| ``.lock``       | held (``flock``) by the process running the pipeline                  |
| ``.*.tmp``      | an atomic write in progress (``igo.files``); removed on resume        |

The layouts (``zero_layout.py``, ``alphago_layout.py``) add their own files. Which settings a
resumed run may change is the pipeline's rule (``igo.train.config_loader``), not the folder's.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from igo.files import write_text_atomic


class RunDirInUse(ValueError):
    """Another process holds the run folder."""


@dataclass(frozen=True)
class RunFolder:
    """A run's folder (``RunFolder("runs/x")``); the layouts are its subclasses."""

    root: Path
    """The run's folder."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        object.__setattr__(self, "root", Path(root))

    @property
    def config_path(self) -> Path:
        """The resolved config, written when the run starts and checked when it resumes."""
        return self.root / "config.json"

    def saved_config(self) -> dict[str, Any] | None:
        """The settings saved in ``config.json`` (None before the run's first start)."""
        if not self.config_path.exists():
            return None
        saved: dict[str, Any] = json.loads(self.config_path.read_text(encoding="utf-8"))["config"]
        return saved

    def save_config(self, config: dict[str, Any], version: str) -> None:
        """Write ``config.json`` atomically: the settings and the package version."""
        body = {"package_version": version, "config": config}
        write_text_atomic(self.config_path, json.dumps(body, indent=1) + "\n")

    def hold(self, program: str) -> IO[bytes]:
        """Lock the folder for this process (released when the handle is closed or the process
        exits, killed or not), then delete the temporary files of atomic writes that a killed run
        left half-written. The folder must exist.

        Raises:
            RunDirInUse: if another process holds it, naming ``program``.
        """
        handle = (self.root / ".lock").open("wb")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            handle.close()
            raise RunDirInUse(f"{self.root} is in use by another {program} process") from err
        for path in self.root.rglob(".*.tmp"):
            path.unlink(missing_ok=True)
        return handle
