"""Low-bit weights: the per-channel grid, bit packing, and checkpoints that store the integers."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from igo.nn.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from igo.nn.lowbit import BITS, fake_quantize, pack_bits, quantize_weight, unpack_bits
from igo.nn.registry import create_net


@pytest.mark.parametrize("bits", BITS)
def test_pack_round_trip_and_grid(bits: int) -> None:
    weight = torch.randn(6, 5, 3, 3)
    weight[2] = 0.0  # a channel of zeros
    q, scale = quantize_weight(weight, bits)
    qmax = 2 ** (bits - 1) - 1
    assert int(q.abs().max()) == qmax and scale[2] == 1.0
    assert torch.equal(unpack_bits(pack_bits(q, bits), bits, tuple(q.shape)), q)
    assert pack_bits(q, bits).numel() == (q.numel() * bits + 7) // 8
    error = (fake_quantize(weight, bits) - weight).abs().reshape(6, -1).amax(dim=1)
    assert torch.all(error <= scale / 2 + 1e-6)  # rounding to the nearest step
    assert torch.equal(
        fake_quantize(fake_quantize(weight, bits), bits), fake_quantize(weight, bits)
    )


def test_bad_widths_are_refused() -> None:
    with pytest.raises(ValueError, match="one of"):
        quantize_weight(torch.ones(2, 2), 7)


@pytest.mark.parametrize("bits", [3, 8])
def test_low_bit_checkpoint_is_smaller_and_loads(tmp_path: Path, bits: int) -> None:
    net = create_net("resnet_b6c64", board_size=5, channels=64, blocks=2).eval()
    full, small = tmp_path / "full.safetensors", tmp_path / "small.safetensors"
    save_checkpoint(net, full)
    save_checkpoint(net, small, weight_bits=bits)
    assert small.stat().st_size < full.stat().st_size * (bits + 1) / 32
    loaded = load_checkpoint(small)
    for name, tensor in net.state_dict().items():
        got = loaded.state_dict()[name]
        quantized = name.endswith(".weight") and tensor.dim() >= 2  # conv and linear
        want = fake_quantize(tensor, bits) if quantized else tensor
        torch.testing.assert_close(got, want.to(got.dtype))


def test_a_damaged_low_bit_checkpoint_is_one_error(tmp_path: Path) -> None:
    net = create_net("resnet_b6c64", board_size=5, channels=8, blocks=1).eval()
    path = tmp_path / "n.safetensors"
    json_path = save_checkpoint(net, path, weight_bits=4)
    json_path.write_text(json_path.read_text().replace('"weight_bits": 4', '"weight_bits": 5'))
    with pytest.raises(CheckpointError, match="bad low-bit weights"):
        load_checkpoint(path)
