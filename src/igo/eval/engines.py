"""Engine specs: short strings that name a GTP engine and its settings, turned into command lines.

| spec                                   | engine                                              |
|----------------------------------------|-----------------------------------------------------|
| ``igo:player=random,seed=3``           | ``python -m igo gtp --player random --seed 3``      |
| ``gnugo:level=10`` (``gnugo``)         | GNU Go 3.8 in GTP mode at that level (default 10)   |
| ``leelaz:weights=PATH,visits=400``     | Leela Zero 0.17 (Debian ``leela-zero``) with weights|
| anything else                          | a GTP command line, run as is                       |

Every kind takes ``name=...`` to choose the engine's name in the arena database; otherwise the
name is derived from the spec (``igo-random``, ``gnugo-l10``, ``leelaz-<weights>-v400``). Other
``igo`` keys pass through as ``--key value`` flags of ``igo gtp``. The rules of the match reach
GNU Go by its rules flag (``--chinese-rules`` for area scoring, ``--japanese-rules`` for
territory) and igo by ``--rules``; komi and board size go over GTP.
"""

from __future__ import annotations

import re
import shlex
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from igo.go.rules import Rules, rules_name
from igo.io.gtp_client import GtpClient, GtpCommandError, GtpEngineError, find_program
from igo.io.processes import python_argv

KNOWN = ("igo", "gnugo", "leelaz")

# ``word:key=value``: what a mistyped kind looks like, as opposed to a command line.
_KIND_LIKE = re.compile(r"^[A-Za-z][\w-]*:[\w-]+=")


@dataclass(frozen=True)
class EngineSpec:
    """A parsed engine spec."""

    kind: str
    """``igo``, ``gnugo``, ``leelaz`` or ``command``."""
    options: dict[str, str] = field(default_factory=dict)
    """key=value settings after the colon (for ``command``: ``{"argv": ...}``)."""
    text: str = ""
    """The spec as the user wrote it."""

    @property
    def name(self) -> str:
        """The engine's name in results and the database, e.g. ``gnugo-l10`` or ``igo-random``."""
        opts = self.options
        if "name" in opts and self.kind != "command":
            return opts["name"]
        if self.kind == "gnugo":
            return f"gnugo-l{opts.get('level', '10')}"
        if self.kind == "igo":
            base = Path(opts["checkpoint"]).stem if "checkpoint" in opts else opts.get("player")
            visits = f"-v{opts['visits']}" if "visits" in opts else ""
            return f"igo-{base or 'random'}{visits}"
        if self.kind == "leelaz":
            weights = Path(opts.get("weights", "none")).name.split(".")[0][:12]
            budget = f"-v{opts['visits']}" if "visits" in opts else ""
            return f"leelaz-{weights}{budget}"
        return self.text


def parse_engine_spec(text: str) -> EngineSpec:
    """Parse ``kind:key=value,...`` or a raw GTP command line.

    Raises:
        ValueError: an empty spec, a malformed option list, or an unknown ``kind:`` prefix.
    """
    spec = text.strip()
    if not spec:
        raise ValueError("empty engine spec")
    kind, sep, rest = spec.partition(":")
    if kind not in KNOWN or (not sep and " " in spec):
        if _KIND_LIKE.match(spec) and find_program(shlex.split(spec)[0]) is None:
            raise ValueError(
                f"unknown engine {kind!r} in {spec!r}: use igo:, gnugo:, leelaz: "
                "or a GTP command line"
            )
        return EngineSpec("command", {"argv": spec}, spec)
    options: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise ValueError(f"engine option {item!r} in {spec!r} must be key=value")
        options[key.strip()] = value.strip()
    return EngineSpec(kind, options, spec)


def engine_argv(spec: EngineSpec, rules: Rules, seed: int | None = None) -> list[str]:
    """The command line that starts ``spec`` as a GTP engine under ``rules``.

    Args:
        spec: The engine.
        rules: The match's rules.
        seed: A random seed for engines that take one (igo, GNU Go, Leela Zero) unless the spec
            sets its own; a match gives every game a new one, so that games differ.

    Raises:
        ValueError: an option the engine does not take, or a program that is not installed.
    """
    opts = {k: v for k, v in spec.options.items() if k != "name"}
    if seed is not None and spec.kind != "command":
        opts.setdefault("seed", str(seed))
    if spec.kind == "command":
        try:
            argv = shlex.split(opts["argv"])
        except ValueError as exc:
            raise ValueError(f"cannot parse command line {spec.text!r}: {exc}") from exc
        if find_program(argv[0]) is None and not Path(argv[0]).is_file():
            raise ValueError(f"program {argv[0]!r} not found (engine {spec.text!r})")
        return argv
    if spec.kind == "igo":
        return _igo_argv(opts, rules)
    if spec.kind == "gnugo":
        return _gnugo_argv(spec, opts, rules)
    return _leelaz_argv(spec, opts)


def _igo_argv(opts: dict[str, str], rules: Rules) -> list[str]:
    argv = python_argv("-m", "igo", "gtp")  # -P: a file in the current folder shadows nothing
    preset = rules_name(rules)
    if "rules" not in opts and preset is not None:
        # The referee is authoritative, but an engine that knows the rules plays legal moves.
        argv += ["--rules", preset]
    for key, value in opts.items():
        argv += [f"--{key.replace('_', '-')}", value]
    return argv


def _gnugo_argv(spec: EngineSpec, opts: dict[str, str], rules: Rules) -> list[str]:
    program = find_program("gnugo")
    if program is None:
        raise ValueError("GNU Go is not installed (Debian: apt-get install gnugo)")
    level = opts.pop("level", "10")
    if not level.isdigit() or not 0 <= int(level) <= 10:
        raise ValueError(f"gnugo level must be 0..10, not {level!r}")
    scoring = "--japanese-rules" if rules.scoring == "territory" else "--chinese-rules"
    argv = [program, "--mode", "gtp", "--level", level, scoring]
    if "seed" in opts:
        argv += ["--seed", opts.pop("seed")]
    _no_leftovers(spec, opts)
    return argv


def _leelaz_argv(spec: EngineSpec, opts: dict[str, str]) -> list[str]:
    program = find_program("leelaz")
    if program is None:
        raise ValueError("Leela Zero is not installed (Debian: apt-get install leela-zero)")
    if "weights" not in opts:
        raise ValueError("leelaz needs weights=PATH (Debian's package ships none)")
    if not Path(opts["weights"]).is_file():
        raise ValueError(f"leelaz weights {opts['weights']!r} not found")
    argv = [program, "--gtp", "--noponder", "-w", opts.pop("weights")]
    if "visits" in opts:
        argv += ["-v", opts.pop("visits")]
    if "playouts" in opts:
        argv += ["-p", opts.pop("playouts")]
    if "seed" in opts:
        argv += ["-s", opts.pop("seed")]
    _no_leftovers(spec, opts)
    return argv


def _no_leftovers(spec: EngineSpec, opts: dict[str, str]) -> None:
    if opts:
        raise ValueError(f"{spec.kind} does not take option(s) {', '.join(sorted(opts))}")


def probe_engine(argv: list[str], name: str, size: int, timeout: float = 30.0) -> str:
    """Start an engine once, check that it speaks GTP and plays on ``size``, and quit it.

    A match calls this before its first game so that a bad spec fails with one message instead
    of losing every game by forfeit.

    Returns:
        The engine's own ``name`` and ``version``, e.g. ``GNU Go 3.8``.

    Raises:
        ValueError: it cannot be started, does not answer, or refuses the board size; the
            message ends with the last line the engine wrote to its standard error.
    """
    with tempfile.NamedTemporaryFile(prefix="igo-probe-", suffix=".log") as log:
        try:
            with GtpClient(argv, timeout=timeout, name=name, stderr_path=log.name) as client:
                ident = " ".join(_optional(client, cmd) for cmd in ("name", "version")).strip()
                client.send(f"boardsize {size}")
                return ident or name
        except (GtpEngineError, GtpCommandError) as exc:
            lines = Path(log.name).read_text(errors="replace").strip().splitlines()
            why = f": {lines[-1].strip()}" if lines else ""
            raise ValueError(f"engine {name} does not work ({exc}){why}") from exc


def _optional(client: GtpClient, command: str) -> str:
    try:
        return client.send(command)
    except GtpCommandError:
        return ""
