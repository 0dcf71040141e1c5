"""``igo bench TARGET``: run one benchmark, print its JSON (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from igo.files import check_creatable, write_text_atomic

# Each target names the module and function that measure it; imported on demand, so that
# ``igo bench rules`` never pays for importing torch.
TARGETS = {
    "rules": ("igo.bench.rules", "run_rules_bench"),
    "nets": ("igo.bench.nets", "run_nets_bench"),
    "search": ("igo.bench.search", "run_search_bench"),
    "selfplay": ("igo.bench.selfplay", "run_selfplay_bench"),
    "startup": ("igo.bench.startup", "run_startup_bench"),
    "threads": ("igo.bench.genmove", "run_threads_bench"),
    "clock": ("igo.bench.genmove", "run_clock_bench"),
    "sgf": ("igo.bench.sgf", "run_sgf_bench"),
    "alphago": ("igo.bench.pipeline", "run_alphago_bench"),
}


DEVICE_TARGETS = ("nets",)
"""The targets that take ``--device`` (the others time CPU code)."""

EXAMPLES = """\
examples:
  igo bench rules                      playouts and moves per second
  igo bench search --out search.json   also keep the JSON
  igo bench nets --device cuda         the nets on the GPU
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("bench", help="measure speed; prints JSON", epilog=EXAMPLES)
    parser.add_argument("target", choices=sorted(TARGETS), help="what to measure")
    parser.add_argument(
        "--out", default=None, help="also write the JSON to this file (default: stdout only)"
    )
    parser.add_argument(
        "--device", default=None, help="nets only: cpu, cuda or auto (default: cpu)"
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    module_name, function_name = TARGETS[args.target]
    if args.out:
        check_creatable(args.out)  # before the benchmark, not after minutes of it
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as err:
        print(f"igo bench: {args.target} benchmark is not available: {err}", file=sys.stderr)
        return 1
    if args.device is not None and args.target not in DEVICE_TARGETS:
        print(f"igo bench: --device applies to {', '.join(DEVICE_TARGETS)} only", file=sys.stderr)
        return 2
    options = {} if args.device is None else {"device": args.device}
    try:
        text = json.dumps(function(**options), indent=2)
    except ValueError as err:  # a device this machine lacks
        print(f"igo bench: {err}", file=sys.stderr)
        return 2
    print(text)
    if args.out:
        write_text_atomic(args.out, text + "\n")
    return 0
