"""The one config loader (``igo.train.config_loader``) on a small pipeline of its own: parts,
shared keys, overrides with type checks, TOML text, the resume rule and config.json."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from igo.run_dir import RunFolder
from igo.train.config_loader import ConfigError, ConfigLoader


@dataclass(frozen=True)
class Part:
    steps: int = 10
    threads: int = 1
    seed: int = 0


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
