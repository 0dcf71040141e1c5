"""Model parallelism's throughput against the number of micro-batches, with the unsplit net in the
same run (docs/distributed.md, "Model parallelism"). Run under torchrun, one process per stage:

    torchrun --nproc_per_node 2 benchmarks/pipeline_parallel.py [--channels 64] [--rounds 2]

A 20-block ResNet (``resnet_b19c256`` at ``--channels``, layer norm, 9x9, 17 planes) trains on
random positions (throughput does not depend on the values): one SGD step is a forward and a
backward pass of ``--batch-size`` positions. Each round times, in turn, the unsplit net in rank
0 alone (the others wait), then GPipe with 1, 2, 4 and 8 micro-batches and 1F1B with 2, 4 and 8,
each for a warm-up step and ``--steps`` timed steps (ranks synchronised around each step); the
figure is the median step's samples/s. ``ideal`` is what S stages on S free cores would give with
equal stages and free messages: S x unsplit x (1 - bubble), bubble = (S - 1) / (M + S - 1).
``CPU s/step`` is the CPU time all ranks spent inside a step (``time.process_time``, summed over
the ranks): unlike wall time it hardly depends on other users' load, so its ratio to the unsplit
net's is the work the split adds (smaller products per micro-batch, sending activations).
Torch runs 1 thread per process. Prints a table on rank 0 (``--json PATH``: the raw figures).
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import time

import torch

from igo.files import write_text_atomic
from igo.nn.registry import create_net
from igo.train import distributed
from igo.train.pipeline_parallel import bubble, build_pipeline, pack_targets, pipeline_loss

SETUPS = [("unsplit", 0)] + [("gpipe", m) for m in (1, 2, 4, 8)] + [("1f1b", m) for m in (2, 4, 8)]


def _batch(size: int, batch: int) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    planes = torch.randint(0, 2, (batch, 17, size, size), generator=generator).float()
    policy = torch.softmax(torch.randn(batch, size * size + 1, generator=generator), dim=1)
    return planes, pack_targets(policy, torch.rand(batch, generator=generator) * 2 - 1)


def _time_steps(step: object, steps: int) -> tuple[list[float], float]:
    """Each timed step's wall seconds, and the CPU seconds all ranks spent in a step."""
    times, cpu = [], 0.0
    for i in range(steps + 1):
        distributed.barrier()
        start, busy = time.perf_counter(), time.process_time()
        step()  # type: ignore[operator]
        spent = time.process_time() - busy
        distributed.barrier()
        if i > 0:  # the first step warms up (allocations, the pipeline's shape exchange)
            times.append(time.perf_counter() - start)
            cpu += spent
    per_rank = distributed.gather_to_main(cpu / steps)
    return times, sum(per_rank or [])


def _measure(
    name: str, micro: int, net: torch.nn.Module, args: argparse.Namespace
) -> tuple[float, float]:
    """Median samples/s and CPU s/step of one setup."""
    planes, targets = _batch(9, args.batch_size)
    here = distributed.ranks()
    if name == "unsplit":
        model = copy.deepcopy(net)
        opt = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)

        def whole() -> None:
            if here.is_main:
                opt.zero_grad()
                pipeline_loss(model(planes), targets).backward()  # type: ignore[no-untyped-call]
                opt.step()

        times, cpu = _time_steps(whole, args.steps)
    else:
        pipe = build_pipeline(copy.deepcopy(net), micro, name, torch.device("cpu"))
        opt = torch.optim.SGD(pipe.stage.parameters(), lr=0.001, momentum=0.9)

        def piped() -> None:
            opt.zero_grad()
            pipe.step(planes, targets)
            opt.step()

        times, cpu = _time_steps(piped, args.steps)
    return args.batch_size / statistics.median(times), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with distributed.process_group() as here:
        torch.manual_seed(0)
        net = create_net("resnet_b19c256", board_size=9, channels=args.channels, norm="layer")
        rates: dict[str, list[float]] = {}
        cpus: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            for name, micro in SETUPS:
                key = name if name == "unsplit" else f"{name} M={micro}"
                rate, cpu = _measure(name, micro, net, args)
                rates.setdefault(key, []).append(rate)
                cpus.setdefault(key, []).append(cpu)
        if here.is_main:
            _print(rates, cpus, here.world_size, args)
            if args.json:
                raw = {"args": vars(args), "samples_per_s": rates, "cpu_s_per_step": cpus}
                write_text_atomic(args.json, json.dumps(raw, indent=1))


def _print(
    rates: dict[str, list[float]],
    cpus: dict[str, list[float]],
    stages: int,
    args: argparse.Namespace,
) -> None:
    unsplit = statistics.median(rates["unsplit"])
    unsplit_cpu = statistics.median(cpus["unsplit"])
    print(f"resnet_b19c256 at {args.channels} channels, 9x9, batch {args.batch_size}, "
          f"{stages} stages, load {open('/proc/loadavg').read().split()[0]}")  # fmt: skip
    print(f"{'setup':<12} {'samples/s (rounds)':<20} {'x unsplit':>9} {'bubble':>7} "
          f"{'ideal':>6} {'CPU s/step':>10} {'CPU x unsplit':>13}")  # fmt: skip
    for key, values in rates.items():
        micro = int(key.split("=")[1]) if "=" in key else 0
        share = bubble(stages, micro) if micro else 0.0
        ideal = f"{stages * (1 - share):.2f}" if micro else "1.00"
        row = ", ".join(f"{v:.1f}" for v in values)
        ratio = statistics.median(values) / unsplit
        cpu = statistics.median(cpus[key])
        print(f"{key:<12} {row:<20} {ratio:>9.2f} {share:>7.0%} {ideal:>6} {cpu:>10.2f} "
              f"{cpu / unsplit_cpu:>13.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
