"""The Zero config: presets, overrides, resume checks and the CLI's one clear message for a bad
config."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from igo.cli.main import main
from igo.run_dir import ZeroRunDir
from igo.selfplay.selfplay_config import SELFPLAY_SEARCH
from igo.train.zero.loop_config import (
    GATE_SEARCH,
    ZERO_CONFIGS,
    ConfigError,
    ZeroConfig,
    nest_flat_search,
    upgrade_saved,
)


@pytest.mark.parametrize("name", ["tiny", "9x9", "19x19"])
def test_presets_load(name: str) -> None:
    config = ZERO_CONFIGS.load_preset(name)
    assert config.run_dir == f"runs/zero-{name}"
    assert config.net_config().in_planes == 17
    assert ZERO_CONFIGS.from_dict(ZERO_CONFIGS.to_dict(config)) == config


def test_overrides_and_unknown_keys() -> None:
    config = ZERO_CONFIGS.with_overrides(
        ZERO_CONFIGS.load_preset("tiny"), {"selfplay.search.num_simulations": 7, "generations": 5}
    )
    assert config.selfplay.search.num_simulations == 7 and config.generations == 5
    assert config.selfplay.search.cheap_simulations == 7, "a cheap search never exceeds a full one"
    with pytest.raises(ConfigError, match="unknown config key selfplay.nope"):
        ZERO_CONFIGS.with_overrides(config, {"selfplay.nope": 1})
    with pytest.raises(ConfigError, match="train.bogus"):
        ZERO_CONFIGS.from_dict({"train": {"bogus": 1}})
    with pytest.raises(ConfigError, match="selfplay.search: num_simulations must be at least 1"):
        ZERO_CONFIGS.with_overrides(config, {"selfplay.search.num_simulations": 0})
    with pytest.raises(ConfigError, match="did you mean selfplay.search.num_simulations"):
        ZERO_CONFIGS.with_overrides(config, {"selfplay.num_simulations": 7})
    with pytest.raises(ConfigError, match="unknown variant"):
        ZERO_CONFIGS.with_overrides(config, {"net": "resnet_b99"})
    with pytest.raises(ConfigError, match="unknown preset"):
        ZERO_CONFIGS.load_preset("nope")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("seed", 1.5, "seed must be int, not 1.5"),
        ("seed", True, "seed must be int, not True"),
        ("selfplay.search.num_simulations", "many", "num_simulations must be int, not 'many'"),
        ("selfplay.search", 3, "search must be SearchConfig, not 3"),
        ("selfplay.scoring", "area", "scoring must be one of 'tromp-taylor', 'estimate'"),
        ("train.learning_rate", "fast", "learning_rate must be float"),
        ("train.lr_drops", [0.5, "x"], r"lr_drops must be tuple\[float, ...\]"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_config_error(key: str, value: object, message: str) -> None:
    """Refused when the config is built, before a run folder exists (not a TypeError deep in
    the run)."""
    with pytest.raises(ConfigError, match=message):
        ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), {key: value})


def test_an_int_is_a_float_and_a_list_a_tuple() -> None:
    overrides = {"train.learning_rate": 1, "train.lr_drops": [0.25, 0.5]}
    config = ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("tiny"), overrides)
    assert config.train.learning_rate == 1 and config.train.lr_drops == (0.25, 0.5)


def test_resume_may_change_only_how_long_and_where() -> None:
    saved = ZERO_CONFIGS.to_dict(ZeroConfig())
    longer = ZERO_CONFIGS.with_overrides(
        ZeroConfig(), {"generations": 500, "selfplay.num_workers": 2, "gate.mode": "none"}
    )
    assert ZERO_CONFIGS.differences(saved, ZERO_CONFIGS.to_dict(longer)) == []
    other = ZERO_CONFIGS.with_overrides(ZeroConfig(), {"selfplay.search.num_simulations": 50})
    assert ZERO_CONFIGS.differences(saved, ZERO_CONFIGS.to_dict(other)) == [
        "selfplay.search.num_simulations: now 50 (saved 200)"
    ]
    gate = ZERO_CONFIGS.with_overrides(ZeroConfig(), {"gate.search.num_simulations": 50})
    assert ZERO_CONFIGS.differences(saved, ZERO_CONFIGS.to_dict(gate)) == []


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


def test_a_search_table_keeps_the_defaults_of_its_part() -> None:
    """A key left out of ``[selfplay.search]`` is self-play's default, not SearchConfig's."""
    config = ZERO_CONFIGS.load_preset("tiny")
    assert config.selfplay.search == replace(
        SELFPLAY_SEARCH,
        num_simulations=32,
        full_search_prob=1.0,
        cheap_simulations=8,
        temperature_moves=4,
        leaves_per_batch=4,
    )
    assert config.gate.search == replace(GATE_SEARCH, num_simulations=32, temperature_moves=2)
    text = ZERO_CONFIGS.to_toml(config)
    assert "\n[selfplay.search]\nnum_simulations = 32\n" in text
    assert "\n[gate.search]\nnum_simulations = 32\n" in text


FIXTURE = Path(__file__).parent / "fixtures" / "config-flat-search.json"
"""The ``config.json`` igo 0.1.0 wrote for ``igo zero --preset 9x9`` with self-play at 120
simulations and gating at 64, its search knobs flat in ``selfplay`` and ``gate``."""


def test_a_run_saved_with_flat_search_keys_resumes(tmp_path: Path) -> None:
    run = ZeroRunDir(tmp_path / "run")
    run.create()
    shutil.copy(FIXTURE, run.config_path)
    overrides = {"selfplay.search.num_simulations": 120, "gate.search.num_simulations": 64}
    config = ZERO_CONFIGS.with_overrides(ZERO_CONFIGS.load_preset("9x9"), overrides)
    saved = nest_flat_search(json.loads(FIXTURE.read_text())["config"])
    assert ZERO_CONFIGS.from_dict(saved) == config
    assert nest_flat_search(saved) == saved, "a nested config passes through"
    ZERO_CONFIGS.check_saved(run, config, "0.1.1")  # resumes, and rewrites it nested
    rewritten = json.loads(run.config_path.read_text())["config"]
    assert rewritten == json.loads(json.dumps(ZERO_CONFIGS.to_dict(config)))
    other = ZERO_CONFIGS.with_overrides(config, {"selfplay.search.c_puct": 2.0})
    with pytest.raises(ConfigError, match=r"selfplay.search.c_puct: now 2.0 \(saved 1.25\)"):
        ZERO_CONFIGS.check_saved(run, other, "0.1.1")


def test_a_mixed_run_saved_before_komi_per_size_resumes(tmp_path: Path) -> None:
    config = ZERO_CONFIGS.load_preset("mixed-kata")
    old = json.loads(json.dumps(ZERO_CONFIGS.to_dict(config)))
    old["selfplay"]["board_sizes"] = [[9, 0.7], [13, 0.2], [19, 0.1]]  # as igo wrote it then
    assert upgrade_saved(old)["selfplay"]["board_sizes"] == [
        [9, 0.7, 7.5],
        [13, 0.2, 7.5],
        [19, 0.1, 7.5],
    ]
    run = ZeroRunDir(tmp_path / "run")
    run.create()
    run.save_config(old, "0.1.1")
    ZERO_CONFIGS.check_saved(run, config, "0.1.2")  # the same preset resumes it
    other = ZERO_CONFIGS.with_overrides(
        config, {"selfplay.board_sizes": [[9, 0.7, 7.0], [13, 0.2], [19, 0.1]]}
    )
    with pytest.raises(ConfigError, match="selfplay.board_sizes: now"):
        ZERO_CONFIGS.check_saved(run, other, "0.1.2")


def test_a_bad_komi_in_the_mix_is_one_line_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    preset = tmp_path / "bad.toml"
    text = ZERO_CONFIGS.presets()["mixed-kata"].read_text(encoding="utf-8")
    preset.write_text(text.replace("[[9, 0.7], [13, 0.2]", "[[9, 0.7, 7.1], [13, 0.2]"))
    assert main(["zero", "--preset", str(preset), "--run-dir", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "selfplay.board_sizes: komi of 9: komi must be a multiple of 0.25" in err
    assert err.count("\n") == 1 and "Traceback" not in err and not (tmp_path / "run").exists()
