"""int8 of a net with pooled heads on a mixed run's replay: calibration feeds every size the
replay holds, the one graph keeps a free board size and matches torch at 9x9 and 13x13 within the
int8 tolerances of ``test_quantize.py``, and ``igo compress quantize`` reports each size; bad
input (a fixed-heads net and a replay of another size, an empty replay) is one line.

The graphs have 7-bit weights (``reduce_range``): with 8-bit ones, ONNX Runtime's u8 x s8 kernel
on CPUs without VNNI (AVX2) saturates its int16 sums, and this tiny net's values moved by up to
0.19 (0.014 with 7 bits; docs/compression.md, "int8 and QAT of a net for every size")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_quantize import MAX_VALUE_ERROR, MIN_AGREEMENT

from igo.cli.main import main
from igo.compress import compare, quantize
from igo.compress import int8 as int8_module
from igo.compress.int8 import Int8StaticConfig
from igo.compress.positions import load_positions_by_size
from igo.nn.checkpoint import save_checkpoint
from igo.nn.inference import TorchEvaluator
from mixed_sizes import BAD_REPLAYS, REPLAY, SIZES, bad_replay, pooled_net

pytest.importorskip("onnxruntime")


def _record_feeds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The shapes of the batches ONNX Runtime's calibration reads (as it reads them)."""
    seen: list[tuple[int, ...]] = []
    make = int8_module._reader

    def recording(quant: Any, groups: list[np.ndarray], batch: int) -> Any:
        reader = make(quant, groups, batch)
        get_next = reader.get_next

        def next_feed() -> dict[str, np.ndarray] | None:
            feed = get_next()
            if feed is not None:
                seen.append(tuple(feed["planes"].shape))
            return feed

        reader.get_next = next_feed
        return reader

    monkeypatch.setattr(int8_module, "_reader", recording)
    return seen


def test_the_cli_calibrates_on_every_size_and_reports_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source, out = tmp_path / "net.safetensors", tmp_path / "net-int8.onnx"
    save_checkpoint(pooled_net(), source)
    seen = _record_feeds(monkeypatch)
    argv = ["compress", "quantize", "--from", str(source), "--out", str(out)]
    assert main([*argv, "--method", "int8", "--calibration", str(REPLAY), "--reduce-range"]) == 0
    assert {shape[-1] for shape in seen} == set(SIZES)  # each size's activations seen
    train = load_positions_by_size(REPLAY, pooled_net().config, 512, split="train", each=True)
    assert sum(shape[0] for shape in seen) == sum(len(p) for p in train.values())
    printed = capsys.readouterr().out
    for n in SIZES:
        assert f"{n}x{n} policy on" in printed and f"{n}x{n} value on" in printed


def test_the_int8_graph_plays_both_sizes_as_torch_does() -> None:
    onnx = pytest.importorskip("onnx")
    net = pooled_net()
    calibration = load_positions_by_size(REPLAY, net.config, 512, split="train", each=True)
    quantized = quantize(net, Int8StaticConfig(reduce_range=True), list(calibration.values()))
    graph = onnx.load_from_string(quantized.model)  # type: ignore[attr-defined]
    dims = graph.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param for d in dims] == ["batch", "", "size", "size"]  # a free board size
    held = load_positions_by_size(REPLAY, net.config, 512, split="heldout", each=True)
    assert set(held) == set(SIZES)
    reference = TorchEvaluator(net, "cpu", precision="float32")
    for n, positions in held.items():
        found = compare(reference, quantized.runner(), positions)
        assert positions.planes.shape[-1] == n and found.positions > 20
        assert found.top1_agreement >= MIN_AGREEMENT["int8"]
        assert found.max_value_error <= MAX_VALUE_ERROR["int8"]


def test_a_fixed_heads_net_calibrates_on_its_own_size_only() -> None:
    net = pooled_net("fixed")
    by_size = load_positions_by_size(REPLAY, net.config, 64, split="train", each=True)
    assert set(by_size) == {9}  # the 13x13 games are not read for it
    mixed = load_positions_by_size(REPLAY, pooled_net().config, 64, split="train", each=True)
    with pytest.raises(ValueError, match="the net plays 9x9 only"):
        quantize(net, Int8StaticConfig(), list(mixed.values()))


@pytest.mark.parametrize("case", list(BAD_REPLAYS))
def test_bad_replays_are_one_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (source, replay), out = bad_replay(case, tmp_path), tmp_path / "o.onnx"
    argv = ["compress", "quantize", "--from", str(source), "--out", str(out)]
    assert main([*argv, "--method", "int8", "--calibration", str(replay)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and BAD_REPLAYS[case] in err[0] and "Traceback" not in err[0], err
    assert not out.exists()


@pytest.mark.parametrize(
    ("flags", "seven_bit"),
    [(["avx", "avx2", "fma"], True), (["avx2", "avx_vnni"], False), (["avx512_vnni"], False)],
)
def test_int8_weights_are_7_bit_on_a_cpu_without_vnni(flags: list[str], seven_bit: bool) -> None:
    from igo.compress.int8 import int8_reduce_range

    assert int8_reduce_range(flags) is seven_bit


@pytest.mark.parametrize(
    ("flag", "cpu_wants_7", "seven_bit"),
    [([], True, True), ([], False, False), (["--full-range"], True, False),
     (["--reduce-range"], False, True)],
)  # fmt: skip
def test_the_cli_picks_int8_weights_by_the_cpu_unless_told(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flag: list[str],
    cpu_wants_7: bool,
    seven_bit: bool,
) -> None:
    import json

    from igo.compress import recipe

    monkeypatch.setattr(recipe, "int8_reduce_range", lambda: cpu_wants_7)
    source, out = tmp_path / "net.safetensors", tmp_path / "net-int8.onnx"
    save_checkpoint(pooled_net(), source)
    argv = ["compress", "quantize", "--from", str(source), "--out", str(out), "--method", "int8"]
    assert main([*argv, "--calibration", str(REPLAY), "--positions", "64", *flag]) == 0
    written = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert written["extra"]["compress"]["reduce_range"] is seven_bit
    assert f"weights {'7' if seven_bit else '8'}-bit" in capsys.readouterr().out


def test_a_weight_width_flag_on_another_method_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli_refusal import assert_refused

    source, out = tmp_path / "net.safetensors", tmp_path / "net-w4.safetensors"
    save_checkpoint(pooled_net(), source)
    argv = ["compress", "quantize", "--from", str(source), "--out", str(out), "--method", "w4"]
    assert_refused([*argv, "--full-range"], "are int8's", capsys, out)
