"""The pipeline presets ship inside the package (``igo.configs``) and are found from any folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from igo.train.alphago.pipeline_config import ALPHAGO_CONFIGS
from igo.train.config_loader import PRESETS_PACKAGE, ConfigError, find_preset, presets
from igo.train.zero.loop_config import ZERO_CONFIGS

PIPELINES = {"zero": ZERO_CONFIGS, "alphago": ALPHAGO_CONFIGS}


def shipped_files() -> list[str]:
    """Every preset file of the package, read through importlib.resources."""
    package = resources.files(PRESETS_PACKAGE)
    return sorted(f.name for f in package.iterdir() if f.name.endswith(".toml"))


def test_every_shipped_preset_is_found_by_its_short_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # not the checkout: presets come from the package, not a cwd
    files = shipped_files()
    assert {"zero-tiny.toml", "zero-9x9.toml", "zero-19x19.toml"} <= set(files)
    assert {"alphago-tiny.toml", "alphago-9x9.toml"} <= set(files)
    for file in files:
        prefix, _, name = file.removesuffix(".toml").partition("-")
        path = find_preset(name, prefix)
        assert path.name == file and path.is_file()
        assert path.read_text(encoding="utf-8") == (
            resources.files(PRESETS_PACKAGE).joinpath(file).read_text(encoding="utf-8")
        )
        PIPELINES[prefix].load_preset(name)  # and each one loads as its pipeline's config


def test_a_configs_folder_in_the_working_directory_does_not_shadow_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "zero-tiny.toml").write_text("generations = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert find_preset("tiny", "zero") == presets("zero")["tiny"]
    assert find_preset("configs/zero-tiny.toml", "zero") == Path("configs/zero-tiny.toml")


def test_an_unknown_name_lists_the_shipped_presets() -> None:
    with pytest.raises(
        ConfigError,
        match=r"presets: 19x19, 9x9, 9x9-gumbel, 9x9-kata, mixed-kata, tiny \(or a path",
    ):
        find_preset("huge", "zero")
    with pytest.raises(ConfigError, match="does not exist"):
        find_preset("missing.toml", "alphago")
