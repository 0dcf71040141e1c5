"""Atomic writes: whole files or none (their mode: tests/cli/test_file_modes.py); output checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from igo.files import check_creatable, write_text_atomic


def test_a_replaced_file_is_whole_and_no_temp_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    write_text_atomic(target, "old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new" and sorted(tmp_path.iterdir()) == [target]


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.txt"
    write_text_atomic(target, "old")

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        write_text_atomic(target, "new")
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize(
    ("path", "folder", "error"),
    [
        ("afile/out.txt", False, NotADirectoryError),
        ("afile/deeper/out", True, NotADirectoryError),
        ("afile", True, NotADirectoryError),
        ("folder", False, IsADirectoryError),
    ],
)
def test_check_creatable_names_what_is_in_the_way(
    tmp_path: Path, path: str, folder: bool, error: type[OSError]
) -> None:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(error) as info:
        check_creatable(tmp_path / path, folder=folder)
    assert info.value.filename is not None and Path(info.value.filename).name in path


def test_check_creatable_accepts_new_paths_and_existing_folders(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("x")
    check_creatable(tmp_path / "new" / "deeper" / "out.npz")
    check_creatable(tmp_path / "new" / "deeper", folder=True)
    check_creatable(tmp_path / "folder", folder=True)
    check_creatable(tmp_path / "file.txt")  # replaced atomically later
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt", "folder"]  # made nothing


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_check_creatable_refuses_a_read_only_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(PermissionError):
            check_creatable(locked / "out.txt")
    finally:
        locked.chmod(0o700)
