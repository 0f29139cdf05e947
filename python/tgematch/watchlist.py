"""The watchlist model: companies, keyword rules, exclusion rules, context terms, scoring.

A :class:`Watchlist` is validated when it is built; every problem raises
:class:`ConfigError` naming the offending entry (``companies[3].aliases[1]``,
``keywords.high[12]`` …) and the reason. Nothing in a configuration is silently dropped.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from ._text import normalize_phrase
from .inputs import WATCHLIST_MAX_BYTES, read_regular_file
from .rules import (
    BUILTIN_EXCLUSIONS,
    BUILTIN_KEYWORDS,
    DEFAULT_CONTEXT_TERMS,
    MODERN_EXCLUSION_PENALTY,
    MODERN_EXCLUSIONS,
    MODERN_KEYWORDS,
    MODERN_TIER_WEIGHTS,
    SEED_TIER_WEIGHTS,
)

__all__ = [
    "BUILTIN_EXCLUSIONS",
    "BUILTIN_KEYWORDS",
    "DEFAULT_CONTEXT_TERMS",
    "MATCH_MODES",
    "MAX_COMPANY_NAME",
    "MAX_INT",
    "MAX_NESTING",
    "MAX_STATUS",
    "PROFILES",
    "Company",
    "ConfigError",
    "ExclusionRule",
    "KeywordRule",
    "Scoring",
    "Watchlist",
    "name_key",
]

PRIORITIES = ("HIGH", "MEDIUM", "LOW")
TIERS = ("high", "medium", "low")
DEFAULT_TIER_WEIGHTS = SEED_TIER_WEIGHTS
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


@dataclass(frozen=True)
class Watchlist:
    """A validated watchlist. Build it with :meth:`from_dict`, :meth:`from_file`,
    :meth:`from_seed` or :meth:`example`; every constructor raises :class:`ConfigError`
    on invalid input."""

    companies: tuple[Company, ...]
    keywords: tuple[KeywordRule, ...]
    exclusions: tuple[ExclusionRule, ...]
    context_terms: tuple[str, ...] = DEFAULT_CONTEXT_TERMS
    scoring: Scoring = Scoring()
    profile: str = "modern"

    def __post_init__(self) -> None:
        _validate(self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Unpickling goes through the constructor, so a tampered pickle is validated
        # like any other watchlist (a frozen dataclass would otherwise skip __post_init__).
        return (
            Watchlist,
            (
                self.companies,
                self.keywords,
                self.exclusions,
                self.context_terms,
                self.scoring,
                self.profile,
            ),
        )

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> Watchlist:
        """Build a watchlist from the configuration schema documented in the README.

        Accepts the seed system's JSON configuration as it is (``companies``, keyword
        tiers ``keywords.high/medium/low``, ``exclusion_phrases``) plus ``keywords`` as a
        list, ``keyword_weights``, ``exclusion_rules``, ``context_terms``, ``builtins``
        and ``scoring``. Unknown top-level keys are an error (a typo would otherwise be
        ignored); ``about``, ``description``, ``name`` and ``version`` are metadata.
        """
        if not isinstance(config, Mapping):
            raise ConfigError(f"watchlist: expected a mapping, got {type(config).__name__}")
        known = {
            "companies",
            "keywords",
            "keyword_weights",
            "exclusion_phrases",
            "exclusion_rules",
            "context_terms",
            "builtins",
            "scoring",
            "profile",
        }
        for key in config:
            if not isinstance(key, str) or (key not in known and key not in METADATA_KEYS):
                raise ConfigError(
                    f"watchlist: unknown key {key!r} (known keys: {', '.join(sorted(known))})"
                )
        profile = config.get("profile", "modern")
        if profile not in PROFILES:
            raise ConfigError(f"profile: expected 'modern' or 'seed', got {profile!r}")
        modern = profile == "modern"
        scoring = _scoring(config.get("scoring", {}), MODERN_SCORING_DEFAULTS if modern else {})
        builtins = config.get("builtins", True)
        if not isinstance(builtins, bool):
            raise ConfigError(f"builtins: expected true or false, got {builtins!r}")
        companies = tuple(
            _company(c, f"companies[{i}]")
            for i, c in enumerate(_list(config.get("companies", []), "companies"))
        )
        user = _keywords(config, scoring, MODERN_TIER_WEIGHTS if modern else SEED_TIER_WEIGHTS)
        builtin_kw = [(p, w) for p, w, _ in MODERN_KEYWORDS] if modern else list(BUILTIN_KEYWORDS)
        builtin_x = (
            [(p, w, lab) for p, w, lab, _ in MODERN_EXCLUSIONS]
            if modern
            else list(BUILTIN_EXCLUSIONS)
        )
        if modern:
            # A configuration's rule with a built-in's pattern replaces the built-in (the
            # configuration's weight counts); the seed profile keeps the seed's rule that
            # the same pattern twice is an error.
            mine = {r.pattern for _, r in user}
            builtin_kw = [(p, w) for p, w in builtin_kw if p not in mine]
        entries = [(f"builtin keyword {p!r}", KeywordRule(p, w, True)) for p, w in builtin_kw]
        keywords = _unique((entries if builtins else []) + user, "keyword pattern")
        # Labels may repeat (several patterns can share one label, and the seed's JSON
        # has a phrase "testnet" beside the built-in rule labelled testnet); the same
        # pattern twice is a mistake that would count one penalty twice.
        excl: list[tuple[str, ExclusionRule]] = []
        for i, entry in enumerate(_list(config.get("exclusion_rules", []), "exclusion_rules")):
            xw = f"exclusion_rules[{i}]"
            excl.append((xw, _exclusion(entry, xw, scoring, need=True)))
        for i, entry in enumerate(_list(config.get("exclusion_phrases", []), "exclusion_phrases")):
            xw = f"exclusion_phrases[{i}]"
            excl.append((xw, _exclusion(entry, xw, scoring, need=False)))
        if builtins:
            if modern:
                mine = {r.pattern for _, r in excl}
                builtin_x = [(p, w, lab) for p, w, lab in builtin_x if p not in mine]
            excl = [
                (f"builtin exclusion {p!r}", ExclusionRule(p, w, lab, True))
                for p, w, lab in builtin_x
            ] + excl
        exclusions = _unique(excl, "exclusion pattern")
        context = config.get("context_terms")
        context_terms = (
            DEFAULT_CONTEXT_TERMS
            if context is None
            else tuple(
                _string(t, f"context_terms[{i}]")
                for i, t in enumerate(_list(context, "context_terms"))
            )
        )
        return cls(companies, tuple(keywords), tuple(exclusions), context_terms, scoring, profile)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Watchlist:
        """Load a watchlist from a ``.json`` or ``.toml`` file (see :meth:`from_dict`)."""
        p = Path(path)
        try:
            # A regular file of at most WATCHLIST_MAX_BYTES: never a FIFO or /dev/zero.
            raw = read_regular_file(p, WATCHLIST_MAX_BYTES)
        except OSError as e:
            raise ConfigError(f"{p}: cannot read watchlist file: {e.strerror or e}") from e
        suffix = p.suffix.lower()
        try:
            if suffix not in (".json", ".toml"):
                raise ConfigError(f"{p}: unknown watchlist format {suffix!r} (use .json or .toml)")
            # utf-8-sig: a leading byte order mark is accepted, as in scan inputs.
            text = raw.decode("utf-8-sig")
            depth = _nesting(text, _JSON_TOKENS if suffix == ".json" else _TOML_TOKENS)
            if depth > MAX_NESTING:
                raise ConfigError(
                    f"{p}: nested {depth} levels deep (at most {MAX_NESTING} are allowed)"
                )
            if suffix == ".json":
                data = json.loads(text, object_pairs_hook=_unique_keys)
            else:
                data = tomllib.loads(text)
        except _DuplicateKey as e:
            raise ConfigError(f"{p}: {e}") from None
        except (UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{p}: not a valid {suffix[1:].upper()} file: {e}") from e
        try:
            return cls.from_dict(data)
        except ConfigError as e:
            raise ConfigError(f"{p}: {e}") from None

    @classmethod
    def from_seed(
        cls, companies: Sequence[Mapping[str, Any]], keywords: Sequence[str]
    ) -> Watchlist:
        """Build the watchlist the seed's ``OptimizedPatternMatcher(companies, keywords)`` used.

        The built-in keyword patterns and exclusion rules of contract §5 come first; every
        keyword is a plain phrase of weight 15. As in the seed, a keyword equal to a
        built-in pattern string, or repeated, is the same rule (the seed's dict keyed by
        pattern string kept one entry).
        """
        if isinstance(companies, (str, bytes)) or not isinstance(companies, Sequence):
            raise TypeError(f"companies must be a list of dicts, not {type(companies).__name__}")
        if isinstance(keywords, (str, bytes)) or not isinstance(keywords, Iterable):
            raise TypeError(f"keywords must be a list of str, not {type(keywords).__name__}")
        scoring = Scoring()
        rules = [KeywordRule(p, w, True) for p, w in BUILTIN_KEYWORDS]
        seen = {r.pattern for r in rules}
        for i, kw in enumerate(keywords):
            text = _string(kw, f"keywords[{i}]")
            if text not in seen:
                seen.add(text)
                rules.append(KeywordRule(text, scoring.keyword_weight, False))
        return cls(
            tuple(_company(c, f"companies[{i}]") for i, c in enumerate(companies)),
            tuple(rules),
            tuple(ExclusionRule(p, w, lab, True) for p, w, lab in BUILTIN_EXCLUSIONS),
            DEFAULT_CONTEXT_TERMS,
            scoring,
            "seed",
        )

    @classmethod
    def example(cls) -> Watchlist:
        """The bundled example watchlist (``tgematch/data/example_watchlist.toml``)."""
        return cls.from_file(Path(__file__).parent / "data" / "example_watchlist.toml")

    def company(self, name: str) -> Company:
        """The company called ``name`` (KeyError if there is none)."""
        for c in self.companies:
            if c.name == name:
                return c
        raise KeyError(name)


def name_key(name: str) -> str:
    """The form two company names must not share: phrase normalisation, then casefold."""
    return normalize_phrase(name).casefold()


# ---------------------------------------------------------------------- file parsing
# Brackets outside strings (and, in TOML, comments). Unterminated strings are not
# matched, so their brackets count: such a file is invalid anyway.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)
_TOML_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]',
    re.S,
)


def _nesting(text: str, tokens: re.Pattern[str]) -> int:
    """The deepest bracket nesting of ``text``, found without recursion."""
    depth = deepest = 0
    for m in tokens.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif tok in "]}":
            depth = max(depth - 1, 0)
    return deepest


class _DuplicateKey(Exception):
    """A JSON object with a key twice (raised through ``json.loads``)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: refuse a repeated key instead of keeping the last value."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            keys = ", ".join(repr(k) for k, _ in pairs[:6])
            more = ", ..." if len(pairs) > 6 else ""
            raise _DuplicateKey(f"duplicate key {key!r} in the object with keys {keys}{more}")
        out[key] = value
    return out


# ---------------------------------------------------------------------- validation
_Rule = TypeVar("_Rule", KeywordRule, ExclusionRule)


def _unique(entries: list[tuple[str, _Rule]], what: str) -> list[_Rule]:
    """The rules in order; the same pattern twice is a ConfigError naming both entries."""
    where_of: dict[str, str] = {}
    for where, rule in entries:
        if rule.pattern in where_of:
            raise ConfigError(
                f"{where}: duplicate {what} {rule.pattern!r} (also {where_of[rule.pattern]})"
            )
        where_of[rule.pattern] = where
    return [rule for _, rule in entries]


def _list(value: Any, where: str) -> list[Any]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"{where}: expected a list, got {type(value).__name__}")
    return list(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {type(value).__name__}")
    bad = _BAD_CHARS.search(value)
    if bad is not None:
        kind = "lone surrogate" if "\ud800" <= bad.group() <= "\udfff" else "control character"
        raise ConfigError(
            f"{where}: {kind} U+{ord(bad.group()):04X} at position {bad.start()} in {value!r}"
        )
    return value


def _number(value: Any, where: str, what: str) -> int:
    """A configuration number: a whole number in 0..MAX_INT (``2.0`` is read as 2)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: {what} must be a number, got {value!r}")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ConfigError(f"{where}: {what} must be a whole number, got {value!r}")
    return _integer(int(value), where, what)


def _integer(value: Any, where: str, what: str) -> int:
    """A validated integer field: exactly ``int`` (no bool, no float) in 0..MAX_INT."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where}: {what} must be an integer, got {value!r}")
    if value < 0:
        raise ConfigError(f"{where}: {what} must not be negative, got {value!r}")
    if value > MAX_INT:
        raise ConfigError(f"{where}: {what} must be at most {MAX_INT}, got {value!r}")
    return value


def _company(entry: Any, where: str) -> Company:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with a 'name', got {type(entry).__name__}")
    if "name" not in entry:
        raise ConfigError(f"{where}: missing required key 'name'")
    name = _string(entry["name"], f"{where}.name")
    parts: dict[str, tuple[str, ...]] = {}
    for key in ("aliases", "tokens", "exclusions"):
        value = entry.get(key)
        items = [] if value is None else _list(value, f"{where}.{key}")
        parts[key] = tuple(_string(v, f"{where}.{key}[{j}]") for j, v in enumerate(items))
    priority = entry.get("priority", "MEDIUM")
    if priority is None:
        priority = "MEDIUM"
    if not isinstance(priority, str) or priority.upper() not in PRIORITIES:
        raise ConfigError(
            f"{where}.priority: unknown priority {priority!r} (expected HIGH, MEDIUM or LOW)"
        )
    match = entry.get("match", "auto")
    if match not in MATCH_MODES:
        raise ConfigError(
            f"{where}.match: unknown match mode {match!r} "
            f"(expected auto, any_case, exact_case or cashtag)"
        )
    extra = {k: v for k, v in entry.items() if k not in COMPANY_KEYS}
    for k in extra:
        # A near miss of a known key ("alias", "priorty") would be kept silently in
        # extra and never match; other keys (e.g. "status") are the caller's data.
        close = difflib.get_close_matches(str(k), COMPANY_KEYS, n=1, cutoff=0.8)
        if close:
            raise ConfigError(f"{where}: unknown key {k!r} (did you mean {close[0]!r}?)")
    return Company(
        name,
        parts["aliases"],
        parts["tokens"],
        parts["exclusions"],
        priority.upper(),
        extra,
        match,
    )


def _is_pattern(text: str) -> bool:
    return any(ch in PATTERN_MARKERS for ch in text)


def _keywords(
    config: Mapping[str, Any], scoring: Scoring, tier_weights: Mapping[str, int]
) -> list[tuple[str, KeywordRule]]:
    raw = config.get("keywords", [])
    weights = dict(tier_weights)
    tw = config.get("keyword_weights", {})
    if not isinstance(tw, Mapping):
        raise ConfigError(f"keyword_weights: expected a mapping, got {type(tw).__name__}")
    for tier, w in tw.items():
        if tier not in TIERS:
            raise ConfigError(
                f"keyword_weights: unknown tier {tier!r} (expected high, medium or low)"
            )
        weights[tier] = _number(w, f"keyword_weights.{tier}", "weight")
    rules: list[tuple[str, KeywordRule]] = []
    if isinstance(raw, Mapping):
        for tier, entries in raw.items():
            if tier not in TIERS:
                raise ConfigError(f"keywords: unknown tier {tier!r} (expected high, medium or low)")
            for i, e in enumerate(_list(entries, f"keywords.{tier}")):
                where = f"keywords.{tier}[{i}]"
                rules.append((where, _keyword(e, where, weights[tier])))
    else:
        for i, e in enumerate(_list(raw, "keywords")):
            rules.append((f"keywords[{i}]", _keyword(e, f"keywords[{i}]", scoring.keyword_weight)))
    return rules


def _keyword(entry: Any, where: str, default_weight: int) -> KeywordRule:
    if isinstance(entry, str):
        _string(entry, where)
        _check_rule_at(entry, _is_pattern(entry), where)
        return KeywordRule(entry, default_weight, _is_pattern(entry))
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a string or a mapping, got {type(entry).__name__}")
    _only(entry, {"pattern", "weight", "regex"}, where)
    if "pattern" not in entry:
        raise ConfigError(f"{where}: missing required key 'pattern'")
    pattern = _string(entry["pattern"], f"{where}.pattern")
    weight = _number(entry.get("weight", default_weight), where, "weight")
    regex = entry.get("regex", _is_pattern(pattern))
    if not isinstance(regex, bool):
        raise ConfigError(f"{where}.regex: expected true or false, got {regex!r}")
    _check_rule_at(pattern, regex, where)
    return KeywordRule(pattern, weight, regex)


def _exclusion(entry: Any, where: str, scoring: Scoring, need: bool) -> ExclusionRule:
    if isinstance(entry, str) and not need:
        _string(entry, where)
        _check_rule_at(entry, _is_pattern(entry), where)
        return ExclusionRule(entry, scoring.exclusion_penalty, entry, _is_pattern(entry))
    if not isinstance(entry, Mapping):
        expected = "a mapping" if need else "a string or a mapping"
        raise ConfigError(f"{where}: expected {expected}, got {type(entry).__name__}")
    _only(entry, {"pattern", "penalty", "label", "regex"}, where)
    if "pattern" not in entry:
        raise ConfigError(f"{where}: missing required key 'pattern'")
    pattern = _string(entry["pattern"], f"{where}.pattern")
    penalty = _number(entry.get("penalty", scoring.exclusion_penalty), where, "penalty")
    label = _string(entry.get("label", pattern), f"{where}.label")
    regex = entry.get("regex", _is_pattern(pattern))
    if not isinstance(regex, bool):
        raise ConfigError(f"{where}.regex: expected true or false, got {regex!r}")
    _check_rule_at(pattern, regex, where)
    return ExclusionRule(pattern, penalty, label, regex)


def _only(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise ConfigError(
                f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})"
            )


def _scoring(raw: Any, defaults: Mapping[str, Any]) -> Scoring:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"scoring: expected a mapping, got {type(raw).__name__}")
    names = {f.name for f in fields(Scoring)}
    values: dict[str, Any] = dict(defaults)
    for key, value in raw.items():
        if key not in names:
            raise ConfigError(
                f"scoring: unknown parameter {key!r} (known: {', '.join(sorted(names))})"
            )
        if key == "halve_penalty_with_context":
            if not isinstance(value, bool):
                raise ConfigError(f"scoring.{key}: expected true or false, got {value!r}")
            values[key] = value
        else:
            values[key] = _number(value, f"scoring.{key}", key)
    return Scoring(**values)


def _check_phrase(text: str, where: str) -> None:
    if not normalize_phrase(text):
        raise ConfigError(
            f"{where}: empty phrase {text!r} (nothing left after removing whitespace)"
        )


def _validate(wl: Watchlist) -> None:
    """Check invariants of a watchlist however it was built, naming offending entries."""
    # Imported here: patterns imports this module for its types.
    from .patterns import PatternError, parse_pattern

    for name, value, kind in (
        ("companies", wl.companies, tuple),
        ("keywords", wl.keywords, tuple),
        ("exclusions", wl.exclusions, tuple),
        ("context_terms", wl.context_terms, tuple),
    ):
        if not isinstance(value, kind):
            raise ConfigError(f"{name}: expected a tuple, got {type(value).__name__}")
    if wl.profile not in PROFILES:
        raise ConfigError(f"profile: expected 'modern' or 'seed', got {wl.profile!r}")
    if not isinstance(wl.scoring, Scoring):
        raise ConfigError(f"scoring: expected Scoring, got {type(wl.scoring).__name__}")
    for f in fields(Scoring):
        value = getattr(wl.scoring, f.name)
        if f.name == "halve_penalty_with_context":
            if not isinstance(value, bool):
                raise ConfigError(f"scoring.{f.name}: expected true or false, got {value!r}")
        else:
            _integer(value, f"scoring.{f.name}", f.name)
    seen: dict[str, int] = {}
    folded: dict[str, int] = {}
    for i, c in enumerate(wl.companies):
        where = f"companies[{i}]"
        if not isinstance(c, Company):
            raise ConfigError(f"{where}: expected Company, got {type(c).__name__}")
        _string(c.name, f"{where}.name")
        if c.name in seen:
            raise ConfigError(
                f"{where}.name: duplicate company name {c.name!r} (also companies[{seen[c.name]}])"
            )
        seen[c.name] = i
        if len(c.name) > MAX_COMPANY_NAME:
            raise ConfigError(
                f"{where}.name: company name of {len(c.name)} characters "
                f"(at most {MAX_COMPANY_NAME}): {c.name[:40]!r}..."
            )
        # The store (alert hash, company lookup) folds names: two names equal after
        # folding would be one company there.
        key = name_key(c.name)
        if key in folded:
            j = folded[key]
            raise ConfigError(
                f"{where}.name: duplicate company name {c.name!r} after case folding "
                f"(equals companies[{j}].name {wl.companies[j].name!r})"
            )
        folded[key] = i
        if not isinstance(c.extra, dict):
            raise ConfigError(f"{where}.extra: expected a dict, got {type(c.extra).__name__}")
        if "status" in c.extra:
            status = _string(c.extra["status"], f"{where}.status")
            if len(status) > MAX_STATUS:
                raise ConfigError(
                    f"{where}.status: status of {len(status)} characters (at most {MAX_STATUS})"
                )
        if c.match not in MATCH_MODES:
            raise ConfigError(
                f"{where}.match: unknown match mode {c.match!r} "
                f"(expected auto, any_case, exact_case or cashtag)"
            )
        if c.priority not in PRIORITIES:
            raise ConfigError(
                f"{where}.priority: unknown priority {c.priority!r} (expected HIGH, MEDIUM or LOW)"
            )
        _check_phrase(c.name, f"{where}.name")
        for key in ("aliases", "tokens", "exclusions"):
            for j, phrase in enumerate(getattr(c, key)):
                _string(phrase, f"{where}.{key}[{j}]")
                _check_phrase(phrase, f"{where}.{key}[{j}]")
                if key == "tokens" and normalize_phrase(phrase) == "$":
                    raise ConfigError(f"{where}.tokens[{j}]: empty ticker symbol {phrase!r}")
    patterns: dict[str, int] = {}
    for i, k in enumerate(wl.keywords):
        where = f"keyword rule {i} ({k.pattern!r})"
        if not isinstance(k, KeywordRule):
            raise ConfigError(f"keywords[{i}]: expected KeywordRule, got {type(k).__name__}")
        _string(k.pattern, where)
        _integer(k.weight, where, "weight")
        if not isinstance(k.regex, bool):
            raise ConfigError(f"{where}: regex must be true or false, got {k.regex!r}")
        if k.pattern in patterns:
            raise ConfigError(
                f"{where}: duplicate keyword pattern {k.pattern!r} "
                f"(also keyword rule {patterns[k.pattern]})"
            )
        patterns[k.pattern] = i
        _check_rule(k.pattern, k.regex, where, parse_pattern, PatternError)
    for i, x in enumerate(wl.exclusions):
        where = f"exclusion rule {i} ({x.label!r})"
        if not isinstance(x, ExclusionRule):
            raise ConfigError(f"exclusions[{i}]: expected ExclusionRule, got {type(x).__name__}")
        _string(x.pattern, where)
        _string(x.label, where)
        _integer(x.penalty, where, "penalty")
        if not isinstance(x.regex, bool):
            raise ConfigError(f"{where}: regex must be true or false, got {x.regex!r}")
        _check_rule(x.pattern, x.regex, where, parse_pattern, PatternError)
    terms: dict[str, int] = {}
    for i, t in enumerate(wl.context_terms):
        _string(t, f"context_terms[{i}]")
        _check_phrase(t, f"context_terms[{i}]")
        if t in terms:
            raise ConfigError(
                f"context_terms[{i}]: duplicate term {t!r} (also context_terms[{terms[t]}])"
            )
        terms[t] = i


def _check_rule_at(pattern: str, regex: bool, where: str) -> None:
    from .patterns import PatternError, parse_pattern

    _check_rule(pattern, regex, where, parse_pattern, PatternError)


def _check_rule(pattern: str, regex: bool, where: str, parse: Any, error: type[Exception]) -> None:
    if not regex:
        _check_phrase(pattern, where)
        return
    try:
        parse(pattern)
    except error as e:
        raise ConfigError(f"{where}: {e}") from None
