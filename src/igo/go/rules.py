"""Rules: ko, suicide, scoring, komi and handicap compensation, as one frozen dataclass.

The presets follow KataGo's meanings (its ``rules.cpp``):

| preset        | ko          | scoring   | multi-stone suicide | white handicap bonus | komi |
|---------------|-------------|-----------|---------------------|----------------------|------|
| tromp-taylor  | positional  | area      | allowed             | 0                    | 7.5  |
| chinese       | simple      | area      | illegal             | N                    | 7.5  |
| japanese      | simple      | territory | illegal             | 0                    | 6.5  |
| korean        | simple      | territory | illegal             | 0                    | 6.5  |
| aga           | situational | area      | illegal             | N-1                  | 7.5  |
| new-zealand   | situational | area      | allowed             | 0                    | 7.5  |

Single-stone suicide is illegal under every rule set (as in KataGo): it would only repeat the
position. ``N`` is the number of handicap stones; the bonus is added to white's area score.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Literal

KoRule = Literal["simple", "positional", "situational"]
Scoring = Literal["area", "territory"]
HandicapBonus = Literal["0", "N-1", "N"]

KO_RULES: tuple[str, ...] = ("simple", "positional", "situational")
SCORINGS: tuple[str, ...] = ("area", "territory")
HANDICAP_BONUSES: tuple[str, ...] = ("0", "N-1", "N")


@dataclass(frozen=True)
class Rules:
    """A complete rule set. Board size is not part of it: it is an argument of the game."""

    ko: KoRule = "simple"
    """Which repetitions are forbidden: the immediate recapture of one stone (simple), any earlier
    position (positional superko), or any earlier position with the same side to play
    (situational superko)."""
    multi_stone_suicide: bool = False
    """Whether a move that removes its own string of two or more stones is legal."""
    scoring: Scoring = "area"
    """Area (stones + surrounded empty points) or territory (surrounded points + prisoners)."""
    komi: float = 7.5
    """Points given to white: any multiple of 0.25 (real records have ``KM[6.25]``, ``KM[3.75]``)
    within +-1000."""
    white_handicap_bonus: HandicapBonus = "N"
    """Points white gets per handicap game: 0, N-1 or N for N handicap stones (area scoring)."""

    def __post_init__(self) -> None:
        if self.ko not in KO_RULES:
            raise ValueError(f"ko rule must be one of {KO_RULES}, not {self.ko!r}")
        if self.scoring not in SCORINGS:
            raise ValueError(f"scoring must be one of {SCORINGS}, not {self.scoring!r}")
        if self.white_handicap_bonus not in HANDICAP_BONUSES:
            raise ValueError(
                f"white handicap bonus must be one of {HANDICAP_BONUSES}, "
                f"not {self.white_handicap_bonus!r}"
            )
        if not math.isfinite(self.komi) or abs(self.komi) > 1000 or (4 * self.komi) % 1 != 0:
            raise ValueError(f"komi must be a multiple of 0.25 within +-1000, not {self.komi!r}")

    def handicap_bonus(self, num_handicap: int) -> int:
        """Points white receives for ``num_handicap`` black handicap stones."""
        # As KataGo: a single "handicap" stone is just black's first move, so it earns nothing.
        if num_handicap <= 1 or self.white_handicap_bonus == "0":
            return 0
        return num_handicap - 1 if self.white_handicap_bonus == "N-1" else num_handicap

    def with_komi(self, komi: float) -> Rules:
        """The same rules with another komi."""
        return replace(self, komi=komi)

    def playing_as(self, other: Rules) -> Rules:
        """These rules with ``other``'s ko and suicide rules.

        Ko and suicide decide which moves are legal, so they belong to each move (a GTP
        controller may change them mid-game); scoring, komi and the handicap bonus only count at
        the end, so they hold for the whole game.
        """
        return replace(self, ko=other.ko, multi_stone_suicide=other.multi_stone_suicide)


PRESETS: dict[str, Rules] = {
    "tromp-taylor": Rules("positional", True, "area", 7.5, "0"),
    "chinese": Rules("simple", False, "area", 7.5, "N"),
    "japanese": Rules("simple", False, "territory", 6.5, "0"),
    "korean": Rules("simple", False, "territory", 6.5, "0"),
    "aga": Rules("situational", False, "area", 7.5, "N-1"),
    "new-zealand": Rules("situational", True, "area", 7.5, "0"),
}


def rules_from_name(name: str, komi: float | None = None) -> Rules:
    """Resolve a preset name (case-insensitive; ``_`` or space for ``-``), optionally with komi."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    aliases = {
        "tt": "tromp-taylor",
        "tromptaylor": "tromp-taylor",
        "nz": "new-zealand",
        "newzealand": "new-zealand",
        "jp": "japanese",
        "cn": "chinese",
    }
    key = aliases.get(key, key)
    if key not in PRESETS:
        raise ValueError(f"unknown rules {name!r}; choose one of {', '.join(PRESETS)}")
    rules = PRESETS[key]
    return rules if komi is None else rules.with_komi(komi)


def rules_name(rules: Rules) -> str | None:
    """The preset name of ``rules`` ignoring komi, or None if it matches no preset."""
    for name, preset in PRESETS.items():
        if preset.with_komi(rules.komi) == rules:
            return name
    return None


# KataGo's shorthand rule names that are not igo preset names (KataGo's Rules::parseRules).
_KATAGO_ALIASES = {
    "chinese-ogs": "chinese",
    "chinese-kgs": "chinese",
    "stone-scoring": "chinese",
    "bga": "aga",
    "newzealand": "new-zealand",
}
_KO_NAMES = {"SIMPLE": "simple", "POSITIONAL": "positional", "SITUATIONAL": "situational"}
_SCORING_NAMES = {"AREA": "area", "TERRITORY": "territory"}


def katago_rules(spec: str | dict[str, object], komi: float) -> Rules:
    """Rules as KataGo names them (``kata-set-rules``, the analysis engine's ``rules``): a preset
    name (KataGo's or igo's), or KataGo's JSON object, as text or parsed, with ``komi``.

    A JSON object may set ``ko``, ``scoring``, ``suicide``, ``whiteHandicapBonus`` and ``komi``
    (a multiple of 0.25); KataGo's other keys (``tax``, ``hasButton``, ``friendlyPassOk``) are
    accepted and ignored.

    Raises:
        ValueError: an unknown name or a bad object, saying why.
    """
    if isinstance(spec, str):
        text = spec.strip()
        if not text.startswith("{"):
            # KataGo accepts "-", "_" or a space between words (KaTrain sends "stone_scoring").
            key = text.lower().replace("_", "-").replace(" ", "-")
            return rules_from_name(_KATAGO_ALIASES.get(key, key), komi)
        try:
            spec = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            raise ValueError("not a JSON object") from None
    if not isinstance(spec, dict):
        raise ValueError("not a JSON object")
    ko = _KO_NAMES.get(str(spec.get("ko", "SIMPLE")).upper())
    scoring = _SCORING_NAMES.get(str(spec.get("scoring", "AREA")).upper())
    suicide, new_komi = spec.get("suicide", False), spec.get("komi", komi)
    if ko is None or scoring is None:
        raise ValueError(
            "ko must be SIMPLE, POSITIONAL or SITUATIONAL and scoring AREA or TERRITORY"
        )
    if not isinstance(suicide, bool):
        raise ValueError("suicide must be true or false")
    if isinstance(new_komi, bool) or not isinstance(new_komi, int | float):
        raise ValueError("komi must be a number")
    try:
        return Rules(
            ko=ko,  # type: ignore[arg-type]
            multi_stone_suicide=suicide,
            scoring=scoring,  # type: ignore[arg-type]
            komi=float(new_komi),
            white_handicap_bonus=str(spec.get("whiteHandicapBonus", "0")),  # type: ignore[arg-type]
        )
    except OverflowError as err:  # an integer komi beyond floats
        raise ValueError(str(err)) from None
