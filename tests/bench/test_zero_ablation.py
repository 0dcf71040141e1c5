"""benchmarks/zero_ablation: the per-idea table's arms differ from the arm before by one idea
exactly, and the script's argument errors are one line."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from igo.train.zero.loop_config import ZERO_CONFIGS

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "zero_ablation.py"

IDEA: dict[str, dict[str, Any]] = {
    "B-kata-heads": {"net_overrides": "pooled heads"},
    "C-gumbel": {
        "selfplay.policy_target": "improved",
        "selfplay.search.root_selection": "gumbel",
        "selfplay.search.dirichlet_epsilon": 0.0,
        "selfplay.search.temperature_moves": 0,
    },
    # each size at the run's komi (7): the two-element entries of the preset file
    "D-mixed": {"selfplay.board_sizes": ((9, 0.7, 7.0), (7, 0.15, 7.0), (11, 0.15, 7.0))},
}
"""What each arm changes in the arm before it: the idea's keys, nothing else."""


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("zero_ablation", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["zero_ablation"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


ABLATION = _script()


def _flat(arm: str) -> dict[str, Any]:
    """The arm's config as dotted keys (run_dir left out: every arm has its own)."""
    config = ZERO_CONFIGS.to_dict(ZERO_CONFIGS.load_preset(str(ABLATION.arm_preset(arm))))
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and prefix != "net_overrides":
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        else:
            flat[prefix] = value

    walk("", config)
    flat.pop("run_dir")
    return flat


@pytest.mark.parametrize("arm", list(IDEA))
def test_an_arm_differs_from_the_one_before_by_its_idea_alone(arm: str) -> None:
    before = ABLATION.ARMS[ABLATION.ARMS.index(arm) - 1]
    old, new = _flat(before), _flat(arm)
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    assert changed == set(IDEA[arm])
    for key, value in IDEA[arm].items():
        if key == "net_overrides":
            assert new[key] == {**old[key], "heads": "pooled"} and old[key]["heads"] == "fixed"
        else:
            assert tuple(new[key]) == value if isinstance(value, tuple) else new[key] == value


def test_arm_a_is_the_2017_recipe_on_9x9_komi_7_chinese() -> None:
    a = _flat("A-2017")
    assert a["net_overrides"]["heads"] == "fixed"
    assert a["selfplay.search.root_selection"] == "puct"
    assert a["selfplay.policy_target"] == "visits"
    assert a["selfplay.search.full_search_prob"] == 1.0  # no playout cap: every move full
    assert (a["selfplay.board_size"], a["selfplay.komi"], a["selfplay.rules"]) == (
        9,
        7.0,
        "chinese",
    )
    assert a["gate.mode"] == "none"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "x", "--arms", "A,Q"], "unknown arm"),
        (["--out", "x", "--generations", "0"], "--generations must be at least 1"),
        (["--out", "x", "--opponent", "nosuch:level=1"], "engine"),
        (["--arms", "A"], "--out"),
        (["--out", "x", "--stage", "fly"], "--stage"),
    ],
)
def test_bad_arguments_are_one_line(argv: list[str], message: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *argv], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("zero_ablation: error:"), done.stderr
    assert message in lines[0]
    assert not (tmp_path / "x").exists()


def test_select_arms_keeps_the_table_order() -> None:
    assert ABLATION.select_arms("c, a") == ["A-2017", "C-gumbel"]
