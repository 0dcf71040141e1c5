"""``igo train-pipeline``: train a deep net split by layers over processes (model parallelism).

Run under torchrun, one process per stage (docs/distributed.md):

    torchrun --nproc_per_node 2 -m igo train-pipeline --zero-run runs/zero-tiny --steps 20
"""

from __future__ import annotations

import argparse
import sys

EXAMPLES = """\
examples:
  torchrun --nproc_per_node 2 -m \\
  igo train-pipeline --zero-run runs/zero-tiny      2 stages, GPipe, 4 micro-batches
  torchrun --nproc_per_node 2 -m \\
  igo train-pipeline --zero-run runs/zero-9x9 --schedule 1f1b --micro-batches 8 \\
      --channels 64 --out runs/deep.safetensors
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "train-pipeline",
        help="train a deep net split over processes as a pipeline (under torchrun)",
        description="Model parallelism: one process per pipeline stage, started by torchrun "
        "(docs/distributed.md).",
        epilog=EXAMPLES,
    )
    parser.add_argument("--zero-run", required=True, help="an igo zero run folder: its replay")
    parser.add_argument("--net", default="resnet_b19c256", help="a ResNet-bodied net variant")
    parser.add_argument("--channels", type=int, default=32, help="the body's width")
    parser.add_argument("--norm", default="layer", help="batch, layer, group, instance or none")
    parser.add_argument("--schedule", default="gpipe", help="gpipe or 1f1b")
    parser.add_argument("--micro-batches", type=int, default=4, help="micro-batches per batch")
    parser.add_argument("--batch-size", type=int, default=64, help="positions per step")
    parser.add_argument("--steps", type=int, default=20, help="optimiser steps")
    parser.add_argument("--learning-rate", type=float, default=0.01, help="SGD's rate")
    parser.add_argument("--seed", type=int, default=0, help="the net's and sampler's seed")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--out", help="write the trained net here (rank 0)")
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Bad settings are one line on stderr (exit 2)."""
    # Imported here so that other subcommands never pay for importing torch.
    from igo.train import distributed
    from igo.train.pipeline_training import PipelineRun, train_pipeline

    if not distributed.under_torchrun():
        print(
            "igo train-pipeline: error: it splits the net over processes: start it with "
            "torchrun --nproc_per_node 2 -m igo train-pipeline ...",
            file=sys.stderr,
        )
        return 2
    settings = PipelineRun(
        zero_run=args.zero_run,
        net=args.net,
        channels=args.channels,
        norm=args.norm,
        schedule=args.schedule,
        micro_batches=args.micro_batches,
        batch_size=args.batch_size,
        steps=args.steps,
        learning_rate=args.learning_rate,
        seed=args.seed,
        device=args.device,
        out=args.out,
    )
    with distributed.process_group():
        try:
            train_pipeline(settings, report=print)  # the last stage prints its steps
        except ValueError as err:  # a bad setting or a run folder without positions
            print(f"igo train-pipeline: error: {err}", file=sys.stderr)
            return 2
    return 0
