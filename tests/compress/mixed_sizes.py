"""Real positions of two sizes for the compression tests of nets with pooled heads: ``REPLAY``, a
Zero run's replay folder of 9x9 and 13x13 self-play games (``data/mixed-replay/README.md`` says
how it was made), and ``pooled_net``, a tiny net with pooled heads made like a trained one
(pytest puts this folder on the import path, as it has no ``__init__.py``)."""

from __future__ import annotations

from pathlib import Path

import torch

from igo.compress.positions import replay_split_by_size
from igo.data.shards import read_manifest, read_shard, write_shard
from igo.nn.checkpoint import save_checkpoint
from igo.nn.net import Net
from igo.nn.registry import create_net

REPLAY = Path(__file__).parent / "data" / "mixed-replay"
"""10 games of 9x9 and 10 of 13x13 (every position a search target); the 10th of each size is
held out."""
SIZES = (9, 13)


def pooled_net(heads: str = "pooled", seed: int = 0) -> Net:
    """A tiny 9x9 Zero net on 17 planes (resnet, 1 block of 16 channels) with its norms'
    statistics those of the replay's training positions of every size (a fresh net's are 0 and
    1, which a train-mode forward would at once replace); with fixed heads, of its 9x9 ones."""
    torch.manual_seed(seed)
    net = create_net("resnet_b6c64", board_size=9, in_planes=17, heads=heads, blocks=1, channels=16)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d | torch.nn.BatchNorm1d):
                module.momentum = None  # a cumulative mean over the calls
        net.train()
        for positions in replay_split_by_size(REPLAY, net.config, "train").values():
            net(torch.from_numpy(positions.planes))
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d | torch.nn.BatchNorm1d):
            module.momentum = 0.1  # torch's default again: a resumed training is then exact
    return net.eval()


def one_size_replay(folder: Path, size: int) -> Path:
    """``folder``, made a replay folder of the fixture's games of one size."""
    source = REPLAY / "gen-000000"
    for info in read_manifest(source):
        arrays = read_shard(source / info.name, info.kind, info.sha256)
        if arrays["stones"].shape[1] == size * size:
            write_shard(folder / "gen-000000", info.name, arrays, info.kind, extra=info.extra)
    return folder


BAD_REPLAYS = {
    "fixed heads, 13x13 games": "holds 13x13 games; the net plays 9x9 only (fixed heads",
    "empty replay": "no replay games",
}
"""The bad replays the CLI refuses in one line, and what the line says."""


def bad_replay(case: str, folder: Path) -> tuple[Path, Path]:
    """(a checkpoint in ``folder``, a replay folder in it) of a ``BAD_REPLAYS`` case."""
    source, replay = folder / "net.safetensors", folder / "replay"
    if case == "empty replay":
        save_checkpoint(pooled_net(), source)
        replay.mkdir()
    else:
        save_checkpoint(pooled_net("fixed"), source)
        one_size_replay(replay, 13)
    return source, replay
