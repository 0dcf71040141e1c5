"""``assert_refused``: an ``igo compress`` command line refused in one line (``cli_refusal``:
pytest puts this folder on the import path, as it has no ``__init__.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from igo.cli.main import main


def assert_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    """``igo argv`` exits with status 2, one stderr line holding ``message`` and no traceback,
    and writes nothing at ``out``."""
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0]
    assert not out.exists()
