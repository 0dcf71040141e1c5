"""Fixtures of the arena tests: fake GTP engines as specs, and GNU Go (skipped when missing)."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from igo.io.gtp_client import find_program

FAKE = Path(__file__).parent / "fakes" / "fake_gtp.py"

FakeFactory = Callable[..., str]


def _fake(mode: str, after: int = 2, log: Path | None = None) -> str:
    logged = [] if log is None else [str(log)]
    return shlex.join([sys.executable, str(FAKE), mode, str(after), *logged])


@pytest.fixture(name="fake")
def fake_fixture() -> FakeFactory:
    """``fake(mode, after=2, log=None)``: the spec (a command line) of a fake engine
    (fakes/fake_gtp.py); with ``log``, the file where it notes its starts and seeds."""
    return _fake


@pytest.fixture(name="gnugo")
def gnugo_fixture() -> str:
    """The path of GNU Go; the test is skipped where it is not installed."""
    path = find_program("gnugo")
    if path is None:
        pytest.skip("GNU Go is not installed")
    return path
