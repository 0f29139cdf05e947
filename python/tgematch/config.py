"""Reading a watchlist configuration (a mapping, a JSON or TOML file) into its parts.

The schema is the README's ("Watchlist files"); the seed system's JSON configuration
loads as it is. Everything here raises :class:`~tgematch.model.ConfigError` naming the
offending entry; nothing in a configuration is silently dropped.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from .inputs import WATCHLIST_MAX_BYTES, read_regular_file
from .model import (
    COMPANY_KEYS,
    MATCH_MODES,
    MAX_NESTING,
    METADATA_KEYS,
    MODERN_SCORING_DEFAULTS,
    PRIORITIES,
    PROFILES,
    TIERS,
    Company,
    ConfigError,
    ExclusionRule,
    KeywordRule,
    Scoring,
    check_list,
    check_number,
    check_rule,
    check_string,
    is_pattern,
)
from .rules import (
    BUILTIN_EXCLUSIONS,
    BUILTIN_KEYWORDS,
    DEFAULT_CONTEXT_TERMS,
    MODERN_EXCLUSIONS,
    MODERN_KEYWORDS,
    MODERN_TIER_WEIGHTS,
    SEED_TIER_WEIGHTS,
)

__all__ = ["WatchlistParts", "parts_from_dict", "read_config_file"]

WatchlistParts = tuple[
    tuple[Company, ...],
    tuple[KeywordRule, ...],
    tuple[ExclusionRule, ...],
    tuple[str, ...],
    Scoring,
    str,
]
"""``(companies, keywords, exclusions, context_terms, scoring, profile)``: the fields of a
:class:`~tgematch.watchlist.Watchlist`, in order."""


def parts_from_dict(config: Mapping[str, Any]) -> WatchlistParts:
    """The parts of the watchlist ``config`` describes (see ``Watchlist.from_dict``)."""
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
        parse_company(c, f"companies[{i}]")
        for i, c in enumerate(check_list(config.get("companies", []), "companies"))
    )
    user = _keywords(config, scoring, MODERN_TIER_WEIGHTS if modern else SEED_TIER_WEIGHTS)
    builtin_kw = [(p, w) for p, w, _ in MODERN_KEYWORDS] if modern else list(BUILTIN_KEYWORDS)
    builtin_x = (
        [(p, w, lab) for p, w, lab, _ in MODERN_EXCLUSIONS] if modern else list(BUILTIN_EXCLUSIONS)
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
    for i, entry in enumerate(check_list(config.get("exclusion_rules", []), "exclusion_rules")):
        xw = f"exclusion_rules[{i}]"
        excl.append((xw, _exclusion(entry, xw, scoring, need=True)))
    for i, entry in enumerate(check_list(config.get("exclusion_phrases", []), "exclusion_phrases")):
        xw = f"exclusion_phrases[{i}]"
        excl.append((xw, _exclusion(entry, xw, scoring, need=False)))
    if builtins:
        if modern:
            mine = {r.pattern for _, r in excl}
            builtin_x = [(p, w, lab) for p, w, lab in builtin_x if p not in mine]
        excl = [
            (f"builtin exclusion {p!r}", ExclusionRule(p, w, lab, True)) for p, w, lab in builtin_x
        ] + excl
    exclusions = _unique(excl, "exclusion pattern")
    context = config.get("context_terms")
    context_terms = (
        DEFAULT_CONTEXT_TERMS
        if context is None
        else tuple(
            check_string(t, f"context_terms[{i}]")
            for i, t in enumerate(check_list(context, "context_terms"))
        )
    )
    return companies, tuple(keywords), tuple(exclusions), context_terms, scoring, profile


def read_config_file(p: Path) -> Any:
    """The parsed content of the watchlist file ``p`` (``.json`` or ``.toml``)."""
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
    return data


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


# ---------------------------------------------------------------------- entries
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


def parse_company(entry: Any, where: str) -> Company:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping with a 'name', got {type(entry).__name__}")
    if "name" not in entry:
        raise ConfigError(f"{where}: missing required key 'name'")
    name = check_string(entry["name"], f"{where}.name")
    parts: dict[str, tuple[str, ...]] = {}
    for key in ("aliases", "tokens", "exclusions"):
        value = entry.get(key)
        items = [] if value is None else check_list(value, f"{where}.{key}")
        parts[key] = tuple(check_string(v, f"{where}.{key}[{j}]") for j, v in enumerate(items))
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
        weights[tier] = check_number(w, f"keyword_weights.{tier}", "weight")
    rules: list[tuple[str, KeywordRule]] = []
    if isinstance(raw, Mapping):
        for tier, entries in raw.items():
            if tier not in TIERS:
                raise ConfigError(f"keywords: unknown tier {tier!r} (expected high, medium or low)")
            for i, e in enumerate(check_list(entries, f"keywords.{tier}")):
                where = f"keywords.{tier}[{i}]"
                rules.append((where, _keyword(e, where, weights[tier])))
    else:
        for i, e in enumerate(check_list(raw, "keywords")):
            rules.append((f"keywords[{i}]", _keyword(e, f"keywords[{i}]", scoring.keyword_weight)))
    return rules


def _keyword(entry: Any, where: str, default_weight: int) -> KeywordRule:
    if isinstance(entry, str):
        check_string(entry, where)
        check_rule(entry, is_pattern(entry), where)
        return KeywordRule(entry, default_weight, is_pattern(entry))
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a string or a mapping, got {type(entry).__name__}")
    _only(entry, {"pattern", "weight", "regex"}, where)
    if "pattern" not in entry:
        raise ConfigError(f"{where}: missing required key 'pattern'")
    pattern = check_string(entry["pattern"], f"{where}.pattern")
    weight = check_number(entry.get("weight", default_weight), where, "weight")
    regex = entry.get("regex", is_pattern(pattern))
    if not isinstance(regex, bool):
        raise ConfigError(f"{where}.regex: expected true or false, got {regex!r}")
    check_rule(pattern, regex, where)
    return KeywordRule(pattern, weight, regex)


def _exclusion(entry: Any, where: str, scoring: Scoring, need: bool) -> ExclusionRule:
    if isinstance(entry, str) and not need:
        check_string(entry, where)
        check_rule(entry, is_pattern(entry), where)
        return ExclusionRule(entry, scoring.exclusion_penalty, entry, is_pattern(entry))
    if not isinstance(entry, Mapping):
        expected = "a mapping" if need else "a string or a mapping"
        raise ConfigError(f"{where}: expected {expected}, got {type(entry).__name__}")
    _only(entry, {"pattern", "penalty", "label", "regex"}, where)
    if "pattern" not in entry:
        raise ConfigError(f"{where}: missing required key 'pattern'")
    pattern = check_string(entry["pattern"], f"{where}.pattern")
    penalty = check_number(entry.get("penalty", scoring.exclusion_penalty), where, "penalty")
    label = check_string(entry.get("label", pattern), f"{where}.label")
    regex = entry.get("regex", is_pattern(pattern))
    if not isinstance(regex, bool):
        raise ConfigError(f"{where}.regex: expected true or false, got {regex!r}")
    check_rule(pattern, regex, where)
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
            values[key] = check_number(value, f"scoring.{key}", key)
    return Scoring(**values)
