"""Real positions for the compression tests: eight GNU Go (level 1) 9x9 games in ``data/``,
imported into ``sl`` shards once a session (all held out)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from igo.data.records import ImportConfig, import_records

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def sl_shards(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of ``sl`` shards of the eight games (train and held-out splits)."""
    out = tmp_path_factory.mktemp("compress") / "sl"
    import_records([DATA], out, ImportConfig(heldout=0.5))
    return out
