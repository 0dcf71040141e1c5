"""``igo compress distill`` end to end: the student it writes plays through GTP's policy player
and passes the player conformance suite; a rerun is the finished run; bad input is one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_refusal import assert_refused

from igo.agents.conformance import check_player
from igo.agents.nets import ALPHAGO_WEIGHTS, ZERO_WEIGHTS, shipped_weights
from igo.agents.player import create_player
from igo.cli.main import main
from igo.data.records import ImportConfig, import_records

DATA = Path(__file__).parent / "data"

TEACHER = str(shipped_weights(ALPHAGO_WEIGHTS["policy"]))


def _argv(data: Path, out: Path, *extra: str) -> list[str]:
    return [
        "compress", "distill", "--teacher", TEACHER, "--student", "mobilenet_b10c96",
        "--blocks", "2", "--channels", "16", "--data", str(data), "--out", str(out),
        "--steps", "6", "--batch-size", "8", "--checkpoint-every", "3", "--eval-positions", "32",
        "--threads", "1", *extra,
    ]  # fmt: skip


def test_a_distilled_student_plays(
    sl_shards: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "student.safetensors"
    argv = _argv(sl_shards, out, "--teacher", TEACHER, "--hints", "middle", "--hint-steps", "2")
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert (
        "after 6 steps (2 of FitNets hints)" in printed and "teacher 84.62 M" in printed
    )  # two members
    assert (tmp_path / "student.logs" / "heldout.csv").is_file()
    assert not out.with_suffix(".trainer.pt").exists()
    check_player(create_player("policy", checkpoint=str(out), seed=1), sizes=(9,))
    assert main(argv) == 0  # finished: the report again, nothing retrained
    assert capsys.readouterr().out == printed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--teacher", "missing.safetensors"), "missing.safetensors"),
        (("--student", "mobilenet_b99"), "mobilenet_b99"),
        (("--out", "{tmp}/s.onnx"), "written as a .safetensors checkpoint"),
        (("--data", "{tmp}/nowhere"), "no such folder of sl shards"),
        (("--hints", "middle", "--hint-steps", "6"), "hint_steps must be in [0, steps)"),
        (("--hints", "body.nothing"), "no layer 'body.nothing'"),
        (("--temperature", "0"), "temperature must be > 0"),
        (("--data", "{tmp}/no-heldout"), "no held-out sl shards"),
        (("--seed", "0", "--data", "{tmp}/no-heldout"), "reads one --data folder of sl shards"),
    ],
)
def test_bad_input_is_one_line(
    sl_shards: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: tuple[str, ...],
    message: str,
) -> None:
    argv = _argv(sl_shards, tmp_path / "s.safetensors")
    import_records([DATA], tmp_path / "no-heldout", ImportConfig(heldout=0.0))
    flag = change[0]
    values = [v.format(tmp=tmp_path) for v in change]
    if flag in ("--teacher", "--student", "--out", "--data"):
        argv[argv.index(flag) + 1] = values[1]  # replaces the first one given
    else:
        argv += values
    assert_refused(argv, message, capsys, tmp_path / "s.safetensors")


@pytest.mark.parametrize(
    ("other", "message"),
    [
        (shipped_weights(ALPHAGO_WEIGHTS["value"]), "teacher 2 (value on 49 planes, 9x9)"),
        (shipped_weights(ZERO_WEIGHTS), "teacher 2 (policy_value on 17 planes, 9x9)"),
    ],
)
def test_an_ensemble_of_unlike_teachers_is_refused_in_one_line(
    sl_shards: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    other: Path,
    message: str,
) -> None:
    """A mean of soft policies needs one input and one output space: a value net or a Zero net
    beside the policy net is named, with what it is, before any training."""
    out = tmp_path / "s.safetensors"
    assert main(_argv(sl_shards, out, "--teacher", str(other))) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert message in err[0] and "teacher 1 (policy on 48 planes, 9x9)" in err[0]
    assert not out.exists() and not out.with_suffix(".trainer.pt").exists()
