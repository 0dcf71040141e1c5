"""Shards: atomic, checksummed, validated on read; bad ones are skipped, never fatal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from igo.data.shards import (
    ShardError,
    iter_shards,
    read_manifest,
    read_shard,
    require_shards,
    write_shard,
)


def _arrays(n: int = 4) -> dict[str, np.ndarray]:
    return {"planes": np.ones((n, 3, 5, 5), np.float32), "move": np.arange(n, dtype=np.int16)}


def test_round_trip_and_manifest(tmp_path: Path) -> None:
    info = write_shard(tmp_path, "a.npz", _arrays(), "sl", sources=("x.sgf",))
    assert info.count == 4 and read_manifest(tmp_path) == [info]
    arrays = read_shard(tmp_path / "a.npz", "sl", info.sha256)
    np.testing.assert_array_equal(arrays["move"], np.arange(4))
    assert not list(tmp_path.glob("*.tmp"))


def test_mismatched_lengths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="first dimension"):
        write_shard(tmp_path, "a.npz", {"a": np.zeros(3), "b": np.zeros(4)}, "sl")


def test_corrupt_truncated_nan_and_wrong_kind_are_skipped(tmp_path: Path) -> None:
    good = write_shard(tmp_path, "good.npz", _arrays(), "sl")
    write_shard(tmp_path, "trunc.npz", _arrays(), "sl")
    data = (tmp_path / "trunc.npz").read_bytes()
    (tmp_path / "trunc.npz").write_bytes(data[: len(data) // 2])
    bad = _arrays()
    bad["planes"][0, 0, 0, 0] = np.nan
    write_shard(tmp_path, "nan.npz", bad, "sl")
    write_shard(tmp_path, "other.npz", _arrays(), "value")
    names = [info.name for info, _ in iter_shards(tmp_path, "sl")]
    assert names == [good.name]
    with pytest.raises(ShardError, match="checksum"):
        read_shard(tmp_path / "trunc.npz", "sl", read_manifest(tmp_path)[1].sha256)
    with pytest.raises(ShardError, match="NaN"):
        read_shard(tmp_path / "nan.npz")
    with pytest.raises(ShardError, match="not sl"):
        read_shard(tmp_path / "other.npz", "sl")


def test_bad_manifest_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ShardError, match="unreadable manifest"):
        read_manifest(tmp_path)


def test_a_reader_that_needs_shards_is_told_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such shard folder"):
        require_shards(tmp_path / "nothere", "sl")
    with pytest.raises(ShardError, match="no sl shards"):
        require_shards(tmp_path, "sl")  # a folder without a manifest
    write_shard(tmp_path, "v.npz", {"x": np.zeros(2, np.int8)}, "value", "train", ())
    with pytest.raises(ShardError, match="no sl shards"):
        require_shards(tmp_path, "sl")
    assert [info.name for info in require_shards(tmp_path, "value")] == ["v.npz"]
