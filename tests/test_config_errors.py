"""Configuration errors (``ConfigError``) and argument type errors.

Every invalid watchlist raises ``tgematch.ConfigError`` (a ``ValueError``) whose message
names the offending entry as it is written in the configuration (``companies[3].aliases[1]``,
``keywords.high[0]``, ``exclusion_rules[1]`` ...) and the reason. Non-``str`` text raises
``TypeError`` naming the argument, identically on every backend.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from backends import run_all_backends

import tgematch


def config_error(config: Any) -> str:
    """Build ``config``; require a ConfigError (also a ValueError) and return its message."""
    with pytest.raises(tgematch.ConfigError) as info:
        tgematch.Watchlist.from_dict(config)
    assert isinstance(info.value, ValueError)
    return str(info.value)


def assert_names(msg: str, entry: str, *reasons: str) -> None:
    """The message names ``entry`` and contains every reason word (case-insensitive)."""
    assert entry in msg, f"{entry!r} not named in {msg!r}"
    for reason in reasons:
        assert reason.lower() in msg.lower(), f"{reason!r} not in {msg!r}"


def test_config_error_is_value_error() -> None:
    assert issubclass(tgematch.ConfigError, ValueError)


# ------------------------------------------------------------------- empty phrases


@pytest.mark.parametrize(
    ("config", "entry"),
    [
        ({"companies": [{"name": ""}]}, "companies[0].name"),
        ({"companies": [{"name": "A", "aliases": ["x", "  \t "]}]}, "companies[0].aliases[1]"),
        ({"companies": [{"name": "A", "exclusions": ["\u3000"]}]}, "companies[0].exclusions[0]"),
        ({"companies": [{"name": "A"}, {"name": "B", "tokens": [" "]}]}, "companies[1].tokens[0]"),
        ({"keywords": ["TGE", ""]}, "keywords[1]"),
        ({"keywords": {"high": ["a", " "]}}, "keywords.high[1]"),
        ({"keywords": [{"pattern": "\n"}]}, "keywords[0]"),
        ({"exclusion_phrases": ["  "]}, "exclusion_phrases[0]"),
        ({"exclusion_rules": [{"pattern": "", "label": "x"}]}, "exclusion_rules[0]"),
        ({"context_terms": ["a", "\xa0"]}, "context_terms[1]"),
    ],
)
def test_empty_phrase(config: dict[str, Any], entry: str) -> None:
    assert_names(config_error(config), entry, "empty")


def test_empty_cashtag() -> None:
    assert_names(
        config_error({"companies": [{"name": "A", "tokens": ["$"]}]}), "companies[0].tokens[0]"
    )


# ------------------------------------------------------------------- duplicates


def test_duplicate_company_name() -> None:
    msg = config_error({"companies": [{"name": "A"}, {"name": "B"}, {"name": "A"}]})
    assert_names(msg, "companies[2]", "duplicate", "'A'")


def test_duplicate_keyword_pattern() -> None:
    msg = config_error({"keywords": ["TGE", "airdrop", "TGE"]})
    assert_names(msg, "keywords[2]", "duplicate", "TGE")


def test_duplicate_keyword_across_tiers() -> None:
    msg = config_error({"keywords": {"high": ["x"], "low": ["x"]}})
    assert_names(msg, "keywords.low[0]", "duplicate", "'x'")


def test_duplicate_keyword_of_builtin() -> None:
    # the seed profile keeps the seed's rule: a built-in's pattern twice is an error
    msg = config_error({"profile": "seed", "keywords": [r"tge\s+(is\s+)?live"]})
    assert_names(msg, "keywords[0]", "duplicate")


def test_modern_rule_with_a_builtins_pattern_replaces_it() -> None:
    # the modern profile: the configuration's rule replaces the built-in (its weight counts)
    wl = tgematch.Watchlist.from_dict(
        {"keywords": [{"pattern": r"pre-?sales?", "weight": 7}], "exclusion_rules": [
            {"pattern": r"red\s+flags?", "penalty": 3, "label": "mine"}]}
    )  # fmt: skip
    assert [(k.pattern, k.weight) for k in wl.keywords if k.pattern == r"pre-?sales?"] == [
        (r"pre-?sales?", 7)
    ]
    assert [(x.label, x.penalty) for x in wl.exclusions if x.pattern == r"red\s+flags?"] == [
        ("mine", 3)
    ]


def test_unknown_profile_and_match_mode_name_the_entry() -> None:
    assert_names(config_error({"profile": "modrn"}), "profile", "'modrn'")
    msg = config_error({"companies": [{"name": "A", "match": "exact"}]})
    assert_names(msg, "companies[0].match", "'exact'")


def test_exclusion_labels_may_repeat() -> None:
    # docs/matching.md §5: a label may group several patterns; each rule still applies
    wl = tgematch.Watchlist.from_dict(
        {
            "builtins": False,
            "exclusion_rules": [
                {"pattern": "rug pull", "label": "scam", "penalty": 30},
                {"pattern": "ponzi", "label": "scam", "penalty": 20},
            ],
        }
    )
    a = tgematch.Matcher(wl, backend="python").analyze("a rug pull, a ponzi")
    assert [(x.label, x.pattern, x.penalty) for x in a.exclusions] == [
        ("scam", "rug pull", 30),
        ("scam", "ponzi", 20),
    ]
    assert a.penalty == 50


def test_duplicate_exclusion_pattern_from_phrases() -> None:
    msg = config_error({"exclusion_phrases": ["meme coin", "meme coin"]})
    assert_names(msg, "exclusion_phrases[1]", "duplicate", "meme coin", "exclusion_phrases[0]")


def test_duplicate_exclusion_pattern_across_rules_and_phrases() -> None:
    msg = config_error(
        {
            "exclusion_rules": [{"pattern": "rug pull", "label": "scam"}],
            "exclusion_phrases": ["rug pull"],
        }
    )
    assert_names(msg, "exclusion_phrases[0]", "duplicate", "rug pull", "exclusion_rules[0]")


def test_duplicate_exclusion_pattern_of_builtin() -> None:
    msg = config_error({"profile": "seed", "exclusion_phrases": [r"price\s+prediction"]})
    assert_names(msg, "exclusion_phrases[0]", "duplicate", "builtin")


def test_duplicate_context_term() -> None:
    assert_names(config_error({"context_terms": ["a", "a"]}), "context_terms[1]", "duplicate")


# ------------------------------------------------------------------- values


@pytest.mark.parametrize("priority", ["URGENT", "", "HI", 1, None])
def test_unknown_priority(priority: Any) -> None:
    config = {"companies": [{"name": "A"}, {"name": "B", "priority": priority}]}
    if priority is None:  # explicit null means the default
        assert tgematch.Watchlist.from_dict(config).companies[1].priority == "MEDIUM"
        return
    assert_names(config_error(config), "companies[1].priority", "priority")


@pytest.mark.parametrize("priority", ["high", "High", "LOW", "medium"])
def test_priority_case_insensitive(priority: str) -> None:
    wl = tgematch.Watchlist.from_dict({"companies": [{"name": "A", "priority": priority}]})
    assert wl.companies[0].priority == priority.upper()


@pytest.mark.parametrize(
    ("config", "entry", "reason"),
    [
        ({"keywords": [{"pattern": "a", "weight": -1}]}, "keywords[0]", "negative"),
        ({"keywords": {"high": [{"pattern": "a", "weight": -0.5}]}}, "keywords.high[0]", "weight"),
        ({"keywords": [{"pattern": "a", "weight": "10"}]}, "keywords[0]", "number"),
        ({"keywords": [{"pattern": "a", "weight": True}]}, "keywords[0]", "number"),
        ({"keywords": [{"pattern": "a", "weight": None}]}, "keywords[0]", "number"),
        ({"keywords": [{"pattern": "a", "weight": float("nan")}]}, "keywords[0]", "weight"),
        ({"keyword_weights": {"high": -1}}, "keyword_weights.high", "negative"),
        ({"exclusion_rules": [{"pattern": "a", "penalty": -5}]}, "exclusion_rules[0]", "negative"),
        (
            {"exclusion_phrases": [{"pattern": "a", "penalty": "x"}]},
            "exclusion_phrases[0]",
            "number",
        ),
        ({"scoring": {"max_gap": -1}}, "scoring.max_gap", "negative"),
        ({"scoring": {"company_score": "20"}}, "scoring.company_score", "number"),
    ],
)
def test_bad_weight_or_penalty(config: dict[str, Any], entry: str, reason: str) -> None:
    assert_names(config_error(config), entry, reason)


def test_whole_float_weight_accepted() -> None:
    wl = tgematch.Watchlist.from_dict({"keywords": [{"pattern": "a", "weight": 12.0}]})
    assert wl.keywords[-1].weight == 12


# ------------------------------------------------------------------- patterns


@pytest.mark.parametrize(
    ("pattern", "construct", "position"),
    [
        ("token[s]", "[", 5),
        (r"a\d+", r"\d", 1),
        ("a+", "+", 1),
        ("ab*", "*", 2),
        ("a{2}", "{", 1),
        (r"(a)\1", r"\1", 3),
        ("(?<=a)b", "(?<", 0),
        (r"a\wb", r"\w", 1),
        ("a(?!b)c", "(?!", 1),
        (r"\q", r"\q", 0),
        (r"a\bb", r"\b", 1),
    ],
)
def test_pattern_outside_subset(pattern: str, construct: str, position: int) -> None:
    msg = config_error({"keywords": ["TGE", pattern]})
    assert pattern in msg or repr(pattern) in msg, msg
    assert_names(msg, "keywords[1]", construct, f"position {position}")


@pytest.mark.parametrize(
    ("pattern", "construct", "position"),
    [("^a", "^", 0), ("a$", "$", 1), ("a.b", ".", 1)],
)
def test_pattern_outside_subset_explicit_regex(pattern: str, construct: str, position: int) -> None:
    # '^', '$' and '.' do not make a bare string a pattern; regex=true does
    assert tgematch.Watchlist.from_dict({"keywords": [pattern], "builtins": False})
    msg = config_error({"exclusion_rules": [{"pattern": pattern, "regex": True, "label": "x"}]})
    assert pattern in msg or repr(pattern) in msg, msg
    assert_names(msg, "exclusion_rules[0]", construct, f"position {position}")


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a)?", "empty"),
        ("(a", ")"),
        ("a)", ")"),
        (".*a", ".*"),
        ("a.*", ".*"),
        (r"a(?!b|)", "empty"),
        ("(a|b)?" * 13, "4096"),
    ],
)
def test_pattern_structure_errors(pattern: str, reason: str) -> None:
    msg = config_error({"keywords": {"medium": [pattern]}})
    assert_names(msg, "keywords.medium[0]", reason)


def test_regex_false_forces_phrase() -> None:
    wl = tgematch.Watchlist.from_dict({"keywords": [{"pattern": "a[b]", "regex": False}]})
    assert wl.keywords[-1].pattern == "a[b]" and not wl.keywords[-1].regex


# ------------------------------------------------------------------- types and keys


@pytest.mark.parametrize(
    ("config", "entry"),
    [
        ([], "watchlist"),
        ({"companies": "A"}, "companies"),
        ({"companies": ["A"]}, "companies[0]"),
        ({"companies": [{"aliases": []}]}, "companies[0]"),
        ({"companies": [{"name": 5}]}, "companies[0].name"),
        ({"companies": [{"name": "A", "aliases": "B"}]}, "companies[0].aliases"),
        ({"companies": [{"name": "A", "tokens": [1]}]}, "companies[0].tokens[0]"),
        ({"keywords": [5]}, "keywords[0]"),
        ({"keywords": "TGE"}, "keywords"),
        ({"keywords": {"urgent": ["a"]}}, "urgent"),
        ({"keywords": [{"pattern": "a", "regex": "yes"}]}, "keywords[0]"),
        ({"keywords": [{"weight": 3}]}, "keywords[0]"),
        ({"keywords": [{"pattern": "a", "wieght": 3}]}, "keywords[0]"),
        ({"exclusion_rules": ["a"]}, "exclusion_rules[0]"),
        ({"context_terms": "crypto"}, "context_terms"),
        ({"builtins": "yes"}, "builtins"),
        ({"scoring": {"foo": 1}}, "foo"),
        ({"scoring": {"halve_penalty_with_context": 1}}, "halve_penalty_with_context"),
    ],
)
def test_wrong_types(config: Any, entry: str) -> None:
    assert_names(config_error(config), entry)


def test_unknown_top_level_key() -> None:
    msg = config_error({"companis": []})
    assert_names(msg, "companis", "unknown")


def test_metadata_and_extra_company_keys_kept() -> None:
    wl = tgematch.Watchlist.from_dict(
        {
            "about": "x",
            "description": "y",
            "name": "z",
            "version": 1,
            "companies": [{"name": "A", "status": "pre_token"}],
        }
    )
    assert wl.companies[0].name == "A"


def test_from_file_json_and_toml(tmp_path: Path) -> None:
    cfg = {"companies": [{"name": "Caldera", "priority": "HIGH"}], "keywords": ["TGE"]}
    j = tmp_path / "w.json"
    j.write_text(json.dumps(cfg), encoding="utf-8")
    t = tmp_path / "w.toml"
    t.write_text(
        'keywords = ["TGE"]\n\n[[companies]]\nname = "Caldera"\npriority = "HIGH"\n',
        encoding="utf-8",
    )
    from_json = tgematch.Watchlist.from_file(j)
    from_toml = tgematch.Watchlist.from_file(str(t))
    assert from_json == from_toml == tgematch.Watchlist.from_dict(cfg)


def test_from_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text(json.dumps({"companies": [{"name": ""}]}), encoding="utf-8")
    with pytest.raises(tgematch.ConfigError, match=re.escape("companies[0].name")):
        tgematch.Watchlist.from_file(bad)
    yaml = tmp_path / "w.yaml"
    yaml.write_text("companies: []", encoding="utf-8")
    with pytest.raises(tgematch.ConfigError, match="yaml"):
        tgematch.Watchlist.from_file(yaml)
    broken = tmp_path / "b.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(tgematch.ConfigError, match=re.escape("b.json")):
        tgematch.Watchlist.from_file(broken)
    with pytest.raises(tgematch.ConfigError):
        tgematch.Watchlist.from_file(tmp_path / "missing.toml")


# ------------------------------------------------------------------- TypeError for text

WL = {"companies": [{"name": "Caldera"}], "keywords": ["TGE"]}


@pytest.mark.parametrize("bad", [b"Caldera", None, 5, 1.5, ["Caldera"]])
@pytest.mark.parametrize(
    ("call", "argname"),
    [
        (lambda m, bad: m.analyze(bad), "content"),
        (lambda m, bad: m.find(bad), "text"),
        (lambda m, bad: m.analyze_many([bad]), "docs[0]"),
        (lambda m, bad: list(m.iter_analyze([bad])), "docs[0]"),
    ],
)
def test_type_error_for_non_str_text(call: Any, argname: str, bad: Any) -> None:
    wl = tgematch.Watchlist.from_dict(WL)
    with pytest.raises(TypeError) as info:
        run_all_backends(lambda name: call(tgematch.Matcher(wl, backend=name), bad))
    assert argname in str(info.value)
    assert type(bad).__name__ in str(info.value)


@pytest.mark.parametrize("bad", [b"x", 5])
def test_type_error_for_non_str_title(bad: Any) -> None:
    wl = tgematch.Watchlist.from_dict(WL)
    with pytest.raises(TypeError, match="title"):
        run_all_backends(lambda name: tgematch.Matcher(wl, backend=name).analyze("x", bad))


@pytest.mark.parametrize("bad", [b"Caldera", None, 7])
def test_type_error_seed_api(bad: Any) -> None:
    def run(name: str) -> list[str]:
        pm = tgematch.OptimizedPatternMatcher([{"name": "Caldera"}], ["TGE"], backend=name)
        msgs = []
        for fn in (
            lambda: pm.match_companies(bad),
            lambda: pm.match_keywords(bad),
            lambda: pm.detect_exclusions(bad),
            lambda: pm.has_crypto_context("h", bad),
            lambda: pm.analyze_content_relevance(bad, "t"),
            lambda: pm.analyze_content_relevance("c", bad),
        ):
            with pytest.raises(TypeError) as info:
                fn()
            msgs.append(str(info.value))
        return msgs

    msgs = run_all_backends(run)
    assert all(type(bad).__name__ in m for m in msgs)
    assert "content" in msgs[4] and "title" in msgs[5]


def test_type_error_raw_engines(backend: str) -> None:
    """The engine-level objects reject non-str text with TypeError too (never crash)."""
    from backends import raw_engine

    from tgematch.compiled import compile_watchlist

    eng = raw_engine(compile_watchlist(tgematch.Watchlist.from_dict(WL)), backend)
    for bad in (b"x", None, 3):
        with pytest.raises(TypeError):
            eng.find(bad)
        with pytest.raises(TypeError):
            eng.analyze(bad)
