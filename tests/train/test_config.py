"""Presets, overrides, resume checks and the CLI's one clear message for a bad config."""

from __future__ import annotations

from pathlib import Path

import pytest

from igo.cli.main import main
from igo.train.config import TrainConfig, learning_rate_at
from igo.train.zero_config import (
    ConfigError,
    ZeroConfig,
    config_differences,
    config_from_dict,
    load_preset,
    with_overrides,
)


@pytest.mark.parametrize("name", ["tiny", "9x9", "19x19"])
def test_presets_load(name: str) -> None:
    config = load_preset(name)
    assert config.run_dir == f"runs/zero-{name}"
    assert config.net_config().in_planes == 17
    assert config_from_dict(config.to_dict()) == config


def test_overrides_and_unknown_keys() -> None:
    config = with_overrides(load_preset("tiny"), {"selfplay.num_simulations": 7, "generations": 5})
    assert config.selfplay.num_simulations == 7 and config.generations == 5
    with pytest.raises(ConfigError, match="unknown config key selfplay.nope"):
        with_overrides(config, {"selfplay.nope": 1})
    with pytest.raises(ConfigError, match="train.bogus"):
        config_from_dict({"train": {"bogus": 1}})
    with pytest.raises(ConfigError, match="selfplay.num_simulations must be at least 1"):
        with_overrides(config, {"selfplay.num_simulations": 0})
    with pytest.raises(ConfigError, match="unknown variant"):
        with_overrides(config, {"net": "resnet_b99"})
    with pytest.raises(ConfigError, match="unknown preset"):
        load_preset("nope")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("seed", 1.5, "seed must be int, not 1.5"),
        ("seed", True, "seed must be int, not True"),
        ("selfplay.num_simulations", "many", "num_simulations must be int, not 'many'"),
        ("selfplay.scoring", "area", "scoring must be one of 'tromp-taylor', 'estimate'"),
        ("train.learning_rate", "fast", "learning_rate must be float"),
        ("train.lr_drops", [0.5, "x"], r"lr_drops must be tuple\[float, ...\]"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_config_error(key: str, value: object, message: str) -> None:
    """Refused when the config is built, before a run folder exists (not a TypeError deep in
    the run)."""
    with pytest.raises(ConfigError, match=message):
        with_overrides(load_preset("tiny"), {key: value})


def test_an_int_is_a_float_and_a_list_a_tuple() -> None:
    overrides = {"train.learning_rate": 1, "train.lr_drops": [0.25, 0.5]}
    config = with_overrides(load_preset("tiny"), overrides)
    assert config.train.learning_rate == 1 and config.train.lr_drops == (0.25, 0.5)


def test_resume_may_change_only_how_long_and_where() -> None:
    saved = ZeroConfig().to_dict()
    longer = with_overrides(
        ZeroConfig(), {"generations": 500, "selfplay.num_workers": 2, "gate.mode": "none"}
    )
    assert config_differences(saved, longer.to_dict()) == []
    other = with_overrides(ZeroConfig(), {"selfplay.num_simulations": 50})
    assert config_differences(saved, other.to_dict()) == [
        "selfplay.num_simulations: now 50 (saved 200)"
    ]


def test_learning_rate_schedules() -> None:
    step = TrainConfig(learning_rate=0.1, schedule="step", lr_drops=(0.5, 0.75))
    assert [learning_rate_at(step, s, 100) for s in (0, 49, 50, 75, 99)] == pytest.approx(
        [0.1, 0.1, 0.01, 0.001, 0.001]
    )
    cosine = TrainConfig(learning_rate=0.1, schedule="cosine", warmup_steps=10)
    assert learning_rate_at(cosine, 0, 100) == pytest.approx(0.01)
    assert learning_rate_at(cosine, 50, 100) == pytest.approx(0.05)


def test_cli_bad_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["zero", "--preset", "nope", "--no-progress"]) == 2
    assert "igo zero: error: unknown preset 'nope'" in capsys.readouterr().err
    args = ["zero", "--preset", "tiny", "--visits", "0", "--run-dir", str(tmp_path)]
    assert main(args) == 2
    assert "num_simulations must be at least 1" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[selfplay]\nboard_size = 'big'\n")
    assert main(["zero", "--preset", str(bad)]) == 2
    assert "selfplay" in capsys.readouterr().err
