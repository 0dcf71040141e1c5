"""GTP command arguments as controllers send them, parsed into igo types.

Covers the words every command group reads (numbers, colours, vertices) and the vertex lists it
writes, the rules of ``kgs-rules`` (KGS names) and ``kata-set-rules`` / ``kata-get-rules``
(KataGo's names and JSON form), and the time controls of ``time_settings`` and
``kgs-time_settings``. Every parser raises ``GtpError`` with the message the controller should
see, so the handlers stay a few lines each.
"""

from __future__ import annotations

import json
import math

import numpy as np

from igo.agents.player import TimeSettings
from igo.go.coords import Color, Point, from_gtp, parse_color, to_gtp
from igo.go.rules import Rules, katago_rules
from igo.io.gtp import GtpError


def parse_number(word: str) -> float:
    """A finite number, or ``GtpError("syntax error")``."""
    try:
        value = float(word)
    except ValueError:
        raise GtpError("syntax error") from None
    if not math.isfinite(value):
        raise GtpError("syntax error")
    return value


def parse_int(word: str) -> int:
    """A whole number written as digits (optionally signed), or ``GtpError("syntax error")``."""
    try:
        return int(word)
    except ValueError:
        raise GtpError("syntax error") from None


def color_arg(args: list[str], arity: int = 1) -> Color:
    """The colour in ``args[0]`` of a command that takes ``arity`` arguments."""
    if len(args) != arity:
        raise GtpError("syntax error")
    try:
        return parse_color(args[0])
    except ValueError:
        raise GtpError("syntax error") from None


def vertex_arg(word: str, size: int) -> Point:
    """A GTP vertex argument as a point (``syntax error`` if it is none)."""
    try:
        return from_gtp(word, size)
    except ValueError:
        raise GtpError("syntax error") from None


def vertex_list(points: list[Point] | np.ndarray, size: int) -> str:
    """Points as a GTP vertex list (space separated)."""
    return " ".join(to_gtp(int(p), size) for p in points)


def rules_from_kgs(name: str, komi: float) -> Rules:
    """Rules for a KGS ``kgs-rules`` name (japanese, chinese, aga, new_zealand) with ``komi``."""
    try:
        return katago_rules(name, komi)
    except ValueError:
        raise GtpError(f"unknown rules {name}") from None


def rules_from_katago(text: str, komi: float) -> Rules:
    """Rules for ``kata-set-rules``: ``igo.go.rules.katago_rules`` with its error as GtpError."""
    text = text.strip()
    if not text.startswith("{"):
        return rules_from_kgs(text, komi)
    try:
        return katago_rules(text, komi)
    except ValueError as err:
        raise GtpError(f"unknown rules: {err}") from None


def rules_to_katago(rules: Rules) -> str:
    """KataGo's ``kata-get-rules`` JSON for ``rules`` (one line)."""
    spec = {
        "ko": rules.ko.upper(),
        "scoring": rules.scoring.upper(),
        # KataGo's territory rules tax seki points; area rules tax nothing.
        "tax": "SEKI" if rules.scoring == "territory" else "NONE",
        "suicide": rules.multi_stone_suicide,
        "hasButton": False,
        "whiteHandicapBonus": rules.white_handicap_bonus,
        "friendlyPassOk": False,
    }
    return json.dumps(spec, separators=(",", ":"))


def time_settings_from_gtp(args: list[str]) -> TimeSettings | None:
    """GTP ``time_settings main_time byo_yomi_time byo_yomi_stones`` (canadian byo-yomi).

    Returns:
        None for no time limit: byo-yomi time with zero stones means that (GTP 2, section 4.2),
        and so does a control with no time at all.
    """
    if len(args) != 3:
        raise GtpError("syntax error")
    main, period = parse_number(args[0]), parse_number(args[1])
    stones = parse_int(args[2])
    if main < 0 or period < 0 or stones < 0:
        raise GtpError("syntax error")
    if (period > 0 and stones == 0) or (main == 0 and period == 0):
        return None
    if period == 0:
        return TimeSettings.absolute(main)
    return TimeSettings.canadian(main, period, stones)


def time_settings_from_kgs(args: list[str]) -> TimeSettings | None:
    """``kgs-time_settings none | absolute M | byoyomi M T P | canadian M T S``."""
    if not args:
        raise GtpError("syntax error")
    kind, rest = args[0].lower(), args[1:]
    arity = {"none": 0, "absolute": 1, "byoyomi": 3, "canadian": 3}
    if kind not in arity or len(rest) != arity[kind]:
        raise GtpError("syntax error")
    if kind == "none":
        return None
    values = [parse_number(word) for word in rest]
    if any(value < 0 for value in values):
        raise GtpError("syntax error")
    try:
        if kind == "absolute":
            return TimeSettings.absolute(values[0]) if values[0] > 0 else None
        count = parse_int(rest[2])
        if values[1] == 0 or count == 0:
            return TimeSettings.absolute(values[0]) if values[0] > 0 else None
        if kind == "byoyomi":
            return TimeSettings.japanese(values[0], values[1], count)
        return TimeSettings.canadian(values[0], values[1], count)
    except ValueError as err:
        raise GtpError(f"syntax error: {err}") from None
