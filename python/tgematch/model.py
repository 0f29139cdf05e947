"""The parts of a watchlist: companies, keyword and exclusion rules, scoring, and the
checks every field of them passes.

Each check raises :class:`ConfigError` naming the offending entry (``companies[3].aliases[1]``,
``keywords.high[12]`` …) and the reason; :mod:`tgematch.config` reads configurations into
these parts and :class:`tgematch.watchlist.Watchlist` holds them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ._text import normalize_phrase
from .rules import MODERN_EXCLUSION_PENALTY, SEED_TIER_WEIGHTS
from .syntax import PatternError, parse_pattern

__all__ = [
    "MATCH_MODES",
    "MAX_COMPANY_NAME",
    "MAX_INT",
    "MAX_NESTING",
    "MAX_STATUS",
    "MODERN_SCORING_DEFAULTS",
    "PRIORITIES",
    "PROFILES",
    "Company",
    "ConfigError",
    "ExclusionRule",
    "KeywordRule",
    "Scoring",
    "name_key",
]

PRIORITIES = ("HIGH", "MEDIUM", "LOW")
TIERS = ("high", "medium", "low")
DEFAULT_TIER_WEIGHTS = SEED_TIER_WEIGHTS
"""The seed's keyword tier weights (the modern ones: ``rules.MODERN_TIER_WEIGHTS``)."""
MATCH_MODES = ("auto", "any_case", "exact_case", "cashtag")
"""How a company's name and aliases match (docs/matching.md §8.1)."""
PROFILES = ("modern", "seed")
"""``seed``: the seed system's semantics exactly; ``modern``: docs/matching.md §8."""
METADATA_KEYS = frozenset({"about", "description", "name", "version"})
PATTERN_MARKERS = frozenset("\\()|[]{}*+?")
COMPANY_KEYS = ("name", "aliases", "tokens", "exclusions", "priority", "match")

MAX_INT = 10**9
"""The one bound (inclusive) for every integer of a watchlist: weights, penalties, scores,
distances, ``max_gap`` and thresholds. Both engines accept it (the native one needs
64-bit values), and sums of many weights stay exact."""
MAX_COMPANY_NAME = 255
"""Longest company name, in characters: what the alerts store's ``companies.name`` holds."""
MAX_STATUS = 50
"""Longest ``status`` of a company: what the alerts store's ``companies.status`` holds."""
MAX_NESTING = 100
"""Deepest nesting of arrays/objects (tables) a watchlist file may have; checked before
parsing, because ``json`` and ``tomllib`` recurse and a deep file would end in
``RecursionError`` (a real watchlist nests four levels)."""

# C0 and C1 controls (Unicode category Cc: U+0000-U+001F, U+007F-U+009F, including NUL
# and DEL) other than TAB, LF and CR (ordinary white space, which phrase normalisation
# turns into a space), and lone surrogates: they cannot be stored (NUL, surrogates) or
# displayed safely, and no name, phrase or pattern needs them (patterns write ``\s``).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class ConfigError(ValueError):
    """An invalid watchlist: the message names the offending entry and the reason."""


@dataclass(frozen=True, slots=True)
class Company:
    """A watched company, in the seed system's dict format.

    ``tokens`` are ticker symbols, matched as cashtags (``$`` + symbol). ``exclusions``
    are phrases meaning the name is used in another sense; any of them in a document
    vetoes the company for that document. ``match`` says how the name and aliases match
    in the modern profile (``auto``, ``any_case``, ``exact_case`` or ``cashtag``;
    docs/matching.md §8.1). ``extra`` keeps every other key of the configuration (for
    example ``status``); it does not affect matching.
    """

    name: str
    aliases: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    priority: str = "MEDIUM"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    match: str = "auto"

    def to_dict(self) -> dict[str, Any]:
        """The seed's dict form of this company (extra keys included; ``match`` only
        when it is not the default)."""
        out = {
            "name": self.name,
            "aliases": list(self.aliases),
            "tokens": list(self.tokens),
            "exclusions": list(self.exclusions),
            "priority": self.priority,
            **self.extra,
        }
        if self.match != "auto":
            out["match"] = self.match
        return out


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """A weighted keyword: a plain phrase, or a pattern of the regex subset (``regex``)."""

    pattern: str
    weight: int
    regex: bool = False


@dataclass(frozen=True, slots=True)
class ExclusionRule:
    """A phrase or pattern whose occurrence costs ``penalty`` (halved in crypto context)."""

    pattern: str
    penalty: int
    label: str
    regex: bool = False


@dataclass(frozen=True, slots=True)
class Scoring:
    """Scoring parameters; the defaults are the seed system's (contract §4).

    * ``company_score``: added for every matched company; ``high_priority_bonus`` more
      for a HIGH priority one.
    * ``keyword_weight``: weight of a plain keyword given without one (seed: 15).
    * ``exclusion_penalty``: penalty of an exclusion phrase given without one.
    * ``proximity_boost`` once when a company and a keyword start less than
      ``proximity_distance`` characters apart.
    * ``relevance_threshold``: a document is relevant at this confidence or above.
    * ``max_gap``: the longest gap, in characters, that ``.*`` in a pattern bridges.
    * ``halve_penalty_with_context``: exclusion penalties are halved (floor) when the
      document has crypto context.
    * ``launch_threshold``: launch news (``is_launch``) at this ``launch_score`` or above.

    The modern profile's defaults differ in ``exclusion_penalty`` (0) and
    ``halve_penalty_with_context`` (false): see :data:`MODERN_SCORING_DEFAULTS`.
    """

    company_score: int = 20
    high_priority_bonus: int = 10
    keyword_weight: int = 15
    exclusion_penalty: int = 10
    proximity_boost: int = 20
    proximity_distance: int = 200
    relevance_threshold: int = 50
    max_gap: int = 200
    halve_penalty_with_context: bool = True
    launch_threshold: int = 50


MODERN_SCORING_DEFAULTS: dict[str, Any] = {
    "exclusion_penalty": MODERN_EXCLUSION_PENALTY,
    # An exclusion marks a non-event whatever the context: crypto news is where testnets
    # and scam warnings appear, so halving there halved every penalty that mattered.
    "halve_penalty_with_context": False,
}
"""Where the modern profile's scoring defaults differ from the seed's (``Scoring()``)."""


def name_key(name: str) -> str:
    """The form two company names must not share: phrase normalisation, then casefold."""
    return normalize_phrase(name).casefold()


# ---------------------------------------------------------------------- field checks
def check_list(value: Any, where: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
    return list(value)


def check_string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {type(value).__name__}")
    bad = _BAD_CHARS.search(value)
    if bad is not None:
        kind = "lone surrogate" if "\ud800" <= bad.group() <= "\udfff" else "control character"
        raise ConfigError(
            f"{where}: {kind} U+{ord(bad.group()):04X} at position {bad.start()} in {value!r}"
        )
    return value


def check_number(value: Any, where: str, what: str) -> int:
    """A configuration number: a whole number in 0..MAX_INT (``2.0`` is read as 2)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {what} must be a number, got {value!r}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ConfigError(f"{where}: {what} must be a whole number, got {value!r}")
    return check_integer(int(value), where, what)


def check_integer(value: Any, where: str, what: str) -> int:
    """A validated integer field: exactly ``int`` (no bool, no float) in 0..MAX_INT."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}: {what} must be an integer, got {value!r}")
    if value < 0:
        raise ConfigError(f"{where}: {what} must not be negative, got {value!r}")
    if value > MAX_INT:
        raise ConfigError(f"{where}: {what} must be at most {MAX_INT}, got {value!r}")
    return value


def is_pattern(text: str) -> bool:
    return any(ch in PATTERN_MARKERS for ch in text)


def check_phrase(text: str, where: str) -> None:
    if not normalize_phrase(text):
        raise ConfigError(
            f"{where}: empty phrase {text!r} (nothing left after removing whitespace)"
        )


def check_rule(pattern: str, regex: bool, where: str) -> None:
    """A keyword or exclusion pattern (``regex``) or phrase is valid, else ConfigError."""
    if not regex:
        check_phrase(pattern, where)
        return
    try:
        parse_pattern(pattern)
    except PatternError as e:
        raise ConfigError(f"{where}: {e}") from None
