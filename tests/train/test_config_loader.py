"""The one config loader (``igo.train.config_loader``) on a small pipeline of its own: parts,
shared keys, parts within parts, overrides with type checks, TOML text, the resume rule and
config.json (an older layout upgraded)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from igo.run_dir import RunFolder
from igo.train.config_loader import ConfigError, ConfigLoader


@dataclass(frozen=True)
class Inner:
    width: int = 1
    depth: int = 1


@dataclass(frozen=True)
class Part:
    steps: int = 10
    threads: int = 1
    seed: int = 0
    inner: Inner = Inner(depth=2)


@dataclass(frozen=True)
class Other:
    rate: float = 0.5
    names: tuple[str, ...] = ("a",)


@dataclass(frozen=True)
class Pipeline:
    run_dir: str = "runs/x"
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    part: Part = field(default_factory=Part)
    other: Other = field(default_factory=Other)

    def __post_init__(self) -> None:
        if self.part.seed != self.seed:
            object.__setattr__(self, "part", replace(self.part, seed=self.seed))


LOADER = ConfigLoader(
    Pipeline, "test", frozenset({"run_dir", "part.threads", "other.*"}), ("seed",)
)


def test_parts_are_the_dataclass_fields() -> None:
    assert LOADER.parts == {"part": Part, "other": Other}


def test_dicts_overrides_and_shared_keys() -> None:
    config = LOADER.from_dict({"seed": 3, "part": {"steps": 4}, "other": {"names": ["b", "c"]}})
    assert config.part == Part(steps=4, seed=3) and config.other.names == ("b", "c")
    assert "seed" not in LOADER.to_dict(config)["part"]
    assert LOADER.from_dict(LOADER.to_dict(config)) == config
    assert LOADER.with_overrides(config, {"part.steps": 7}).part.steps == 7
    with pytest.raises(ConfigError, match="part.seed: set seed at the top level"):
        LOADER.from_dict({"part": {"seed": 1}})
    with pytest.raises(ConfigError, match="unknown config key part.nope"):
        LOADER.with_overrides(config, {"part.nope": 1})
    with pytest.raises(ConfigError, match="steps must be int, not 1.5"):
        LOADER.with_overrides(config, {"part.steps": 1.5})
    with pytest.raises(ConfigError, match="unknown key bogus"):
        LOADER.from_dict({"bogus": 1})


def test_toml_text_and_a_partial_file(tmp_path: Path) -> None:
    config = LOADER.with_overrides(Pipeline(), {"other.rate": 0.25, "extra": {"k": 1}})
    path = tmp_path / "preset.toml"
    path.write_text(LOADER.to_toml(config))
    assert LOADER.load_preset(str(path)) == config
    partial = tmp_path / "partial.toml"
    partial.write_text("[part]\nsteps = 99\n")
    assert LOADER.with_file(config, partial).part.steps == 99


def test_the_resume_rule() -> None:
    saved = LOADER.to_dict(Pipeline())
    allowed = {"run_dir": "y", "part.threads": 4, "other.rate": 0.1, "other.names": ["z"]}
    assert (
        LOADER.differences(saved, LOADER.to_dict(LOADER.with_overrides(Pipeline(), allowed))) == []
    )
    changed = LOADER.with_overrides(Pipeline(), {"part.steps": 5, "extra": {"k": 2}})
    assert LOADER.differences(saved, LOADER.to_dict(changed)) == [
        "extra: now {'k': 2} (saved {})",
        "part.steps: now 5 (saved 10)",
    ]


def test_check_saved_writes_then_refuses_other_settings(tmp_path: Path) -> None:
    folder = RunFolder(tmp_path)
    LOADER.check_saved(folder, Pipeline(), "0")
    saved = folder.saved_config()
    assert saved is not None and LOADER.from_dict(saved) == Pipeline()
    LOADER.check_saved(folder, LOADER.with_overrides(Pipeline(), {"part.threads": 2}), "0")
    with pytest.raises(ConfigError, match=r"was started with other settings: part.steps: now 3"):
        LOADER.check_saved(folder, LOADER.with_overrides(Pipeline(), {"part.steps": 3}), "0")


def test_a_part_inside_a_part() -> None:
    config = LOADER.from_dict({"part": {"inner": {"width": 5}}})
    assert config.part.inner == Inner(width=5, depth=2), "a key left out keeps the field default"
    assert "\n[part.inner]\nwidth = 5\ndepth = 2\n" in LOADER.to_toml(config)
    assert LOADER.from_dict(LOADER.to_dict(config)) == config
    assert LOADER.with_overrides(config, {"part.inner.depth": 3}).part.inner == Inner(5, 3)
    saved = LOADER.to_dict(Pipeline())
    assert LOADER.differences(saved, LOADER.to_dict(config)) == [
        "part.inner.width: now 5 (saved 1)"
    ]
    with pytest.raises(ConfigError, match=r"unknown config key part.width \(did you mean"):
        LOADER.with_overrides(config, {"part.width": 2})
    with pytest.raises(ConfigError, match="part.inner: depth must be int"):
        LOADER.from_dict({"part": {"inner": {"depth": "deep"}}})


def test_a_saved_config_of_an_older_layout_is_upgraded_first(tmp_path: Path) -> None:
    def upgrade(saved: dict[str, Any]) -> dict[str, Any]:
        part = dict(saved["part"])
        if "width" in part:
            part["inner"] = {"width": part.pop("width"), "depth": 2}
        return {**saved, "part": part}

    folder = RunFolder(tmp_path)
    old = LOADER.to_dict(Pipeline())
    old["part"] = {**{k: v for k, v in old["part"].items() if k != "inner"}, "width": 1}
    folder.save_config(old, "0")
    with pytest.raises(ConfigError, match="part.inner"):
        LOADER.check_saved(folder, Pipeline(), "0")
    replace(LOADER, upgrade=upgrade).check_saved(folder, Pipeline(), "0")
    saved = folder.saved_config()
    assert saved is not None and LOADER.from_dict(saved) == Pipeline()
    assert saved["part"]["inner"] == {"width": 1, "depth": 2}, "rewritten in today's layout"


def test_a_saved_config_without_a_knob_added_since_resumes_with_its_default(
    tmp_path: Path,
) -> None:
    folder = RunFolder(tmp_path)
    old = LOADER.to_dict(Pipeline())
    del old["part"]["inner"]["width"]  # written before ``width`` (default 1) existed
    folder.save_config(old, "0")
    LOADER.check_saved(folder, Pipeline(), "0")
    saved = folder.saved_config()
    assert saved is not None and saved["part"]["inner"] == {"width": 1, "depth": 2}
    # The knob's own default is what the old run did: ``depth`` defaults to 1, this config has 2.
    del old["part"]["inner"]["depth"]
    folder.save_config(old, "0")
    with pytest.raises(ConfigError, match=r"part.inner.depth: now 2 \(saved 1\)"):
        LOADER.check_saved(folder, Pipeline(), "0")
