"""The watchlist: companies, keyword rules, exclusion rules, context terms, scoring.

A :class:`Watchlist` is validated when it is built, however it was built (a
configuration, the seed's arguments, direct construction, a pickle); every problem raises
:class:`ConfigError` naming the offending entry and the reason. Its parts are defined in
:mod:`tgematch.model`, configurations are read by :mod:`tgematch.config`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ._text import normalize_phrase
from .config import parse_company, parts_from_dict, read_config_file
from .model import (
    MATCH_MODES,
    MAX_COMPANY_NAME,
    MAX_INT,
    MAX_NESTING,
    MAX_STATUS,
    PRIORITIES,
    PROFILES,
    Company,
    ConfigError,
    ExclusionRule,
    KeywordRule,
    Scoring,
    check_integer,
    check_phrase,
    check_rule,
    check_string,
    name_key,
)
from .rules import BUILTIN_EXCLUSIONS, BUILTIN_KEYWORDS, DEFAULT_CONTEXT_TERMS

__all__ = [
    "BUILTIN_EXCLUSIONS",
    "BUILTIN_KEYWORDS",
    "DEFAULT_CONTEXT_TERMS",
    "MATCH_MODES",
    "MAX_COMPANY_NAME",
    "MAX_INT",
    "MAX_NESTING",
    "MAX_STATUS",
    "PRIORITIES",
    "PROFILES",
    "Company",
    "ConfigError",
    "ExclusionRule",
    "KeywordRule",
    "Scoring",
    "Watchlist",
    "name_key",
]


@dataclass(frozen=True)
class Watchlist:
    """A validated watchlist. Build it with :meth:`from_dict`, :meth:`from_file`,
    :meth:`from_seed` or :meth:`example`; every constructor raises :class:`ConfigError`
    on invalid input."""

    companies: tuple[Company, ...]
    keywords: tuple[KeywordRule, ...]
    exclusions: tuple[ExclusionRule, ...]
    context_terms: tuple[str, ...] = DEFAULT_CONTEXT_TERMS
    # Scoring is a frozen dataclass: one shared default instance is safe.
    scoring: Scoring = Scoring()  # noqa: RUF009
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
        return cls(*parts_from_dict(config))

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Watchlist:
        """Load a watchlist from a ``.json`` or ``.toml`` file (see :meth:`from_dict`)."""
        p = Path(path)
        data = read_config_file(p)
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
            text = check_string(kw, f"keywords[{i}]")
            if text not in seen:
                seen.add(text)
                rules.append(KeywordRule(text, scoring.keyword_weight, False))
        return cls(
            tuple(parse_company(c, f"companies[{i}]") for i, c in enumerate(companies)),
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


def _validate(wl: Watchlist) -> None:  # noqa: C901 - one check per field, in the order the fields are declared
    """Check invariants of a watchlist however it was built, naming offending entries."""
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
            check_integer(value, f"scoring.{f.name}", f.name)
    seen: dict[str, int] = {}
    folded: dict[str, int] = {}
    for i, c in enumerate(wl.companies):
        where = f"companies[{i}]"
        if not isinstance(c, Company):
            raise ConfigError(f"{where}: expected Company, got {type(c).__name__}")
        check_string(c.name, f"{where}.name")
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
            status = check_string(c.extra["status"], f"{where}.status")
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
        check_phrase(c.name, f"{where}.name")
        for key in ("aliases", "tokens", "exclusions"):
            for j, phrase in enumerate(getattr(c, key)):
                check_string(phrase, f"{where}.{key}[{j}]")
                check_phrase(phrase, f"{where}.{key}[{j}]")
                if key == "tokens" and normalize_phrase(phrase) == "$":
                    raise ConfigError(f"{where}.tokens[{j}]: empty ticker symbol {phrase!r}")
    patterns: dict[str, int] = {}
    for i, k in enumerate(wl.keywords):
        where = f"keyword rule {i} ({k.pattern!r})"
        if not isinstance(k, KeywordRule):
            raise ConfigError(f"keywords[{i}]: expected KeywordRule, got {type(k).__name__}")
        check_string(k.pattern, where)
        check_integer(k.weight, where, "weight")
        if not isinstance(k.regex, bool):
            raise ConfigError(f"{where}: regex must be true or false, got {k.regex!r}")
        if k.pattern in patterns:
            raise ConfigError(
                f"{where}: duplicate keyword pattern {k.pattern!r} "
                f"(also keyword rule {patterns[k.pattern]})"
            )
        patterns[k.pattern] = i
        check_rule(k.pattern, k.regex, where)
    for i, x in enumerate(wl.exclusions):
        where = f"exclusion rule {i} ({x.label!r})"
        if not isinstance(x, ExclusionRule):
            raise ConfigError(f"exclusions[{i}]: expected ExclusionRule, got {type(x).__name__}")
        check_string(x.pattern, where)
        check_string(x.label, where)
        check_integer(x.penalty, where, "penalty")
        if not isinstance(x.regex, bool):
            raise ConfigError(f"{where}: regex must be true or false, got {x.regex!r}")
        check_rule(x.pattern, x.regex, where)
    terms: dict[str, int] = {}
    for i, t in enumerate(wl.context_terms):
        check_string(t, f"context_terms[{i}]")
        check_phrase(t, f"context_terms[{i}]")
        if t in terms:
            raise ConfigError(
                f"context_terms[{i}]: duplicate term {t!r} (also context_terms[{terms[t]}])"
            )
        terms[t] = i
