"""What a mix of sizes costs the network: one call per size against one padded, masked call.

A self-play step of the mixed-kata preset (64 games at once, 9x9 : 13x13 : 19x19 = 0.7 : 0.2 :
0.1, 8 leaves a tree) asks the net for about 360 9x9, 104 13x13 and 48 19x19 positions. Self-play
groups them by size (``igo.selfplay.runner``: three forward passes); the alternative pads all 512
to 19x19 with a board mask (one pass, ``igo.nn.board_mask.pad_boards``). Training has the same
choice (one-size minibatches, ``ReplayBuffer.sample``, against padded mixed ones). Both are timed
in the same process, interleaved, at one torch thread, with ``resnet_b6c64`` and pooled heads, in
eval mode (fp32) and as a training step (forward and backward, train mode).

    python benchmarks/mixed_sizes.py [repeats]

Results: docs/zero.md ("Mixed sizes"), docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import torch

from igo.nn.board_mask import pad_boards
from igo.nn.registry import create_net

COUNTS = {9: 360, 13: 104, 19: 48}
"""Positions of each size in one self-play step of the mixed-kata preset (see the docstring)."""


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(repeats: int = 5) -> None:
    """Print the median seconds of both ways, inference and training, and their ratios."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = create_net("resnet_b6c64", heads="pooled")
    boards = {n: torch.randn(count, 17, n, n).sign().clamp(min=0) for n, count in COUNTS.items()}
    padded, mask = pad_boards([b for n in COUNTS for b in boards[n]])

    def grouped_eval() -> None:
        with torch.inference_mode():
            for planes in boards.values():
                net(planes)

    def padded_eval() -> None:
        with torch.inference_mode():
            net(padded, mask)

    def grouped_train() -> None:
        for planes in boards.values():
            policy, value = net(planes)
            (policy.logsumexp(1).mean() + value.mean()).backward()  # type: ignore[union-attr]

    def padded_train() -> None:
        policy, value = net(padded, mask)
        (policy.logsumexp(1).mean() + value.mean()).backward()  # type: ignore[union-attr]

    points = {"grouped": sum(n * n * c for n, c in COUNTS.items()), "padded": 19 * 19 * 512}
    print(
        f"positions {COUNTS}; board points grouped {points['grouped']}, padded {points['padded']}"
    )
    for phase, ways, mode in (
        ("inference", (grouped_eval, padded_eval), net.eval),
        ("training", (grouped_train, padded_train), net.train),
    ):
        mode()
        ways[0](), ways[1]()  # warm up
        times: dict[str, list[float]] = {"grouped": [], "padded": []}
        for _ in range(repeats):  # interleaved: the machine's load falls on both alike
            times["grouped"].append(_timed(ways[0]))
            times["padded"].append(_timed(ways[1]))
        grouped, padded_s = statistics.median(times["grouped"]), statistics.median(times["padded"])
        print(
            f"{phase}: grouped by size {grouped:.3f} s, padded to 19x19 {padded_s:.3f} s, "
            f"padded / grouped {padded_s / grouped:.2f}x ({repeats} interleaved repeats, medians)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
