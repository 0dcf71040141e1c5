"""What a mix of sizes costs the network: one call per size against one padded, masked call.

A self-play step of the mixed-kata preset (64 games at once, 9x9 : 13x13 : 19x19 = 0.7 : 0.2 :
0.1, 8 leaves a tree) asks the net for about 360 9x9, 104 13x13 and 48 19x19 positions. Self-play
groups them by size (``igo.selfplay.runner``: three forward passes); the alternative pads all 512
to 19x19 with a board mask (one pass, ``igo.nn.board_mask.pad_boards``). Training has the same
choice (one-size minibatches, ``ReplayBuffer.sample``, against padded mixed ones): a minibatch of
128 holding the sizes as the short run's window held its targets (40 9x9, 45 13x13, 43 19x19),
as three one-size passes (what bucketed steps cost on average, per 128 positions) or one padded.
Both ways are timed in the same process, interleaved, at one torch thread, with ``resnet_b6c64``
and pooled heads: inference in eval mode (fp32), training as forward and backward in train mode.

    python benchmarks/mixed_sizes.py [repeats] [inference|training|both]

Results: docs/zero.md ("Mixed sizes"), docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import torch

from igo.nn.board_mask import pad_boards
from igo.nn.net import Net
from igo.nn.registry import create_net

Step = Callable[[], None]

COUNTS = {9: 360, 13: 104, 19: 48}
"""Positions of each size in one self-play step of the mixed-kata preset (see the docstring)."""
TRAIN_COUNTS = {9: 40, 13: 45, 19: 43}
"""Positions of each size in a minibatch of 128 drawn from the short run's window."""


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _boards(counts: dict[int, int]) -> tuple[dict[int, torch.Tensor], torch.Tensor, torch.Tensor]:
    boards = {n: torch.randn(c, 17, n, n).sign().clamp(min=0) for n, c in counts.items()}
    padded, mask = pad_boards([b for n in counts for b in boards[n]])
    return boards, padded, mask


def _ways(net: Net, counts: dict[int, int], train: bool) -> tuple[Step, Step]:
    """(grouped, padded) steps over positions of ``counts``: a forward pass each, or in training
    a forward and backward pass."""
    boards, padded, mask = _boards(counts)

    def run(planes: torch.Tensor, board_mask: torch.Tensor | None = None) -> None:
        if not train:
            with torch.inference_mode():
                net(planes, board_mask)
            return
        policy, value = net(planes, board_mask)
        (policy.logsumexp(1).mean() + value.mean()).backward()  # type: ignore[union-attr]

    def grouped() -> None:
        for planes in boards.values():
            run(planes)

    return grouped, lambda: run(padded, mask)


def main(repeats: int = 5, phases: str = "both") -> None:
    """Print the median seconds of both ways, inference and training, and their ratios."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", heads="pooled")
    for phase, counts, train in (
        ("inference", COUNTS, False),
        ("training", TRAIN_COUNTS, True),
    ):
        if phases not in ("both", phase):
            continue
        net.train(train)
        grouped_fn, padded_fn = _ways(net, counts, train)
        real, padded_points = sum(n * n * c for n, c in counts.items()), 361 * sum(counts.values())
        print(f"{phase}: positions {counts}; board points {real}, padded {padded_points}")
        grouped_fn(), padded_fn()  # warm up
        times: dict[str, list[float]] = {"grouped": [], "padded": []}
        for _ in range(repeats):  # interleaved: the machine's load falls on both alike
            times["grouped"].append(_timed(grouped_fn))
            times["padded"].append(_timed(padded_fn))
        grouped, padded = statistics.median(times["grouped"]), statistics.median(times["padded"])
        print(
            f"{phase}: grouped by size {grouped:.3f} s, padded to 19x19 {padded:.3f} s, "
            f"padded / grouped {padded / grouped:.2f}x ({repeats} interleaved repeats, medians)"
        )


if __name__ == "__main__":
    args = sys.argv[1:]
    main(int(args[0]) if args else 5, args[1] if len(args) > 1 else "both")
