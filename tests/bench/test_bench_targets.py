"""The ``igo bench`` targets that took over the speed claims tests used to assert: each is
registered, and the cheap parts run (the timings themselves are docs/benchmarks.md's)."""

from __future__ import annotations

import importlib
import json

import pytest

from igo.bench.genmove import busy_cores, thread_counts
from igo.bench.sgf import run_sgf_bench, sgf_cases
from igo.cli.bench import TARGETS
from igo.cli.main import main
from igo.io.sgf import parse_sgf


@pytest.mark.parametrize("target", ["threads", "clock", "sgf", "alphago"])
def test_targets_are_registered(target: str) -> None:
    module, function = TARGETS[target]
    assert callable(getattr(importlib.import_module(module), function))


def test_thread_counts_name_torchs_default_once() -> None:
    assert thread_counts(2) == {"1": 1, "2": 2}
    assert thread_counts(1) == {"1": 1, "2": 2}
    assert thread_counts(16) == {"default": 16, "1": 1, "2": 2}


def test_busy_cores_are_gone_afterwards() -> None:
    with busy_cores(2) as spinners:
        assert len(spinners) == 2 and all(p.poll() is None for p in spinners)
    assert all(p.returncode is not None for p in spinners)
    with busy_cores(0) as none:
        assert none == []


def test_sgf_cases_hold_the_same_moves() -> None:
    deep, flat = (parse_sgf(text) for text in sgf_cases(50).values())
    assert deep.moves == flat.moves and len(deep.moves) == 50


def test_sgf_bench_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_sgf_bench(nodes=100, repeats=1)
    assert set(result["results"]) == {"deep_variations", "flat_main_line"}
    assert result["machine"]["cpu_flags"] is not None and result["deep_over_flat"] > 0
    assert main(["bench", "sgf"]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"] == 10_000


def test_device_is_for_the_nets_and_a_missing_gpu_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    assert main(["bench", "rules", "--device", "cpu"]) == 2
    assert capsys.readouterr().err == "igo bench: --device applies to nets only\n"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["bench", "nets", "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("igo bench: ") and "CUDA is not available" in err
    assert len(err.splitlines()) == 1


def test_nets_bench_runs_on_the_device_asked_for() -> None:
    from igo.bench.nets import run_nets_bench

    data = run_nets_bench(quick=True, device="cpu", names=("resnet_b6c64",), paths=("eager",))
    assert data["settings"]["device"] == "cpu"
    assert {row["path"] for row in data["results"]} == {"eager"}
