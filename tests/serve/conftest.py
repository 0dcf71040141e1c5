"""Fixtures of the serve tests: one app (one search thread) per module, and its watched folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="igo serve needs the serve extra: pip install -e .[serve]")

from serve_helpers import make_app  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402


@pytest.fixture(scope="module")
def watched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the module's app watches."""
    return tmp_path_factory.mktemp("watched")


@pytest.fixture(scope="module")
def client(watched: Path) -> Iterator[TestClient]:
    """A test client of one app for the whole module."""
    with TestClient(make_app(watched), raise_server_exceptions=False) as test_client:
        yield test_client
