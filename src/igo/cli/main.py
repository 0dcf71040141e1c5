"""The ``igo`` console script: one subcommand per module in ``igo.cli``, registered below.

A new subcommand is a module with ``add_parser(subparsers)`` (which sets ``run`` and ``parser`` as
defaults, and gives an ``examples:`` epilog) plus one line in ``SUBCOMMANDS``.

Errors: the library raises ValueError (bad input: ConfigError, ShardError...) or OSError (a
missing or unwritable file); ``main`` turns either into one line on stderr, ``igo <command>:
error: ...``, and exit status 2. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from igo import __version__
from igo.cli import (
    alphago,
    analysis,
    bench,
    compress,
    data,
    gtp,
    match,
    play,
    ratings,
    report,
    review,
    serve,
    train_pipeline,
    warmup,
    zero,
)

SUBCOMMANDS = (
    gtp,
    analysis,
    review,
    serve,
    play,
    match,
    ratings,
    report,
    bench,
    data,
    zero,
    alphago,
    compress,
    warmup,
    train_pipeline,
)

EXAMPLES = """\
examples:
  igo gtp                                    a GTP engine for Sabaki or GoGui (alphago, 9x9)
  igo play --color white                     a game in the terminal
  igo match igo:player=alphago gnugo:level=10 --size 9   games, kept in runs/arena.sqlite
  igo SUBCOMMAND --help                      its flags and examples
"""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps descriptions and epilogs as written (example command lines) and ends each option's
    help with ``(default: X)`` unless the help already names its default or it has none."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        # Identity, not ==: a default of 0 is worth showing, an off switch (False) is not.
        if "default" in text or any(default is none for none in (None, False, argparse.SUPPRESS)):
            return text
        if default == []:
            return text
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            return f"{text} (default: %(default)s)"
        return text


class IgoParser(argparse.ArgumentParser):
    """An ArgumentParser with :class:`HelpFormatter`; its subcommand parsers are IgoParsers too
    (``add_subparsers`` makes parsers of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = IgoParser(prog="igo", description="igo: a Go AI system.", epilog=EXAMPLES)
    parser.add_argument("--version", action="version", version=f"igo {__version__}")
    subparsers = parser.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def error_line(err: BaseException) -> str:
    """An error as one line: ``path: reason`` for an OSError about a file, else its message."""
    if isinstance(err, OSError) and err.strerror and err.filename is not None:
        text = f"{err.filename}: {err.strerror}"
    else:
        text = str(err) or type(err).__name__
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``igo`` with ``argv`` (default: the process arguments); returns the exit status."""
    parser = build_parser()
    # parse_known_args, so that an unknown flag is reported by the subcommand's own parser (its
    # usage line, ``igo gtp: error: ...``) rather than by the top-level one.
    args, unknown = parser.parse_known_args(argv)
    command: argparse.ArgumentParser = getattr(args, "parser", parser)
    if unknown:
        command.error(f"unrecognized arguments: {' '.join(unknown)}")
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as err:
        print(f"{command.prog}: error: {error_line(err)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
