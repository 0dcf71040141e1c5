"""The ``igo`` console script: one subcommand per module in ``igo.cli``, registered below.

A new subcommand is a module with ``add_parser(subparsers)`` (which sets ``run`` as the default
action) plus one line in ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from igo import __version__
from igo.cli import alphago, bench, data, gtp, match, play, ratings, report, warmup, zero

SUBCOMMANDS = (gtp, play, match, ratings, report, bench, data, zero, alphago, warmup)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(prog="igo", description="igo: a Go AI system.")
    parser.add_argument("--version", action="version", version=f"igo {__version__}")
    subparsers = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``igo`` with ``argv`` (default: the process arguments); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
