"""Issue 10 rows 8, 9, 12, 15, 16, 17 and 23 (watchlist and Matcher side), issue 12 item 8."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from backends import make_matcher

import tgematch
from tgematch import ConfigError, Matcher, Watchlist
from tgematch import matcher as matcher_mod
from tgematch.watchlist import MAX_INT, MAX_NESTING

TEXT = "Caldera TGE is live, claim $CAL now on the blockchain"


def wl(companies: list[dict[str, Any]], **more: Any) -> Watchlist:
    return Watchlist.from_dict({"companies": companies, **more})


def refused(config: dict[str, Any], *parts: str) -> str:
    with pytest.raises(ConfigError) as e:
        Watchlist.from_dict(config)
    msg = str(e.value)
    for p in parts:
        assert p in msg, f"{p!r} not in {msg!r}"
    return msg


# ------------------------------------------------------------- row 8: case folding
@pytest.mark.parametrize(("a", "b"), [("Fabric", "fabric"), ("Straße", "STRASSE"), ("A  b", "a b")])
def test_names_equal_after_case_folding_are_refused(a: str, b: str) -> None:
    refused(
        {"companies": [{"name": a}, {"name": b, "priority": "HIGH"}]},
        "companies[1].name",
        "companies[0]",
        repr(a),
        repr(b),
    )


def test_aliases_may_overlap_other_companies() -> None:
    # Stated decision: only names must differ after folding; an alias shared with another
    # company's name or alias matches both companies, as configured.
    w = wl([{"name": "Fabric", "aliases": ["fab"]}, {"name": "Fab", "aliases": ["FABRIC"]}])
    assert len(w.companies) == 2


# ------------------------------------------------------------- row 9: control characters
BAD = ["\x00", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\udfff"]


@pytest.mark.parametrize("ch", BAD)
@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda s: {"companies": [{"name": f"Evil{s}Co"}]}, "companies[0].name"),
        (lambda s: {"companies": [{"name": "A", "aliases": ["b", f"x{s}"]}]}, "aliases[1]"),
        (lambda s: {"companies": [{"name": "A", "tokens": [f"T{s}"]}]}, "tokens[0]"),
        (lambda s: {"companies": [{"name": "A", "exclusions": [f"e{s}"]}]}, "exclusions[0]"),
        (lambda s: {"companies": [{"name": "A", "status": f"on{s}"}]}, "companies[0].status"),
        (lambda s: {"keywords": [f"tge{s}"]}, "keywords[0]"),
        (lambda s: {"keywords": [{"pattern": f"tg{s}e", "weight": 3}]}, "keywords[0]"),
        (lambda s: {"exclusion_phrases": [f"x{s}"]}, "exclusion_phrases[0]"),
        (lambda s: {"exclusion_rules": [{"pattern": "x", "label": f"l{s}"}]}, "label"),
        (lambda s: {"context_terms": [f"c{s}"]}, "context_terms[0]"),
    ],
)
def test_control_characters_and_surrogates_are_refused(ch: str, make: Any, where: str) -> None:
    msg = refused(make(ch), where, f"U+{ord(ch):04X}")
    assert ("surrogate" if 0xD800 <= ord(ch) <= 0xDFFF else "control character") in msg


def test_ordinary_white_space_is_still_accepted(backend: str) -> None:
    m = make_matcher(wl([{"name": "Cal\tdera", "aliases": ["cal\ndera"]}]), backend)
    assert m.analyze("Cal dera TGE").companies[0].name == "Cal\tdera"


# ------------------------------------------------------------- row 12: one bound
def _scoring_of(key: str) -> Any:
    return lambda v: {"scoring": {key: v}}


BIG = [2**63, 2**64, MAX_INT + 1]


@pytest.mark.parametrize("value", BIG)
@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda v: {"keywords": [{"pattern": "tge", "weight": v}]}, "keywords[0]"),
        (lambda v: {"keyword_weights": {"high": v}}, "keyword_weights.high"),
        (lambda v: {"exclusion_rules": [{"pattern": "x", "penalty": v}]}, "exclusion_rules[0]"),
        (lambda v: {"exclusion_phrases": [{"pattern": "x", "penalty": v}]}, "exclusion_phrases"),
    ]
    + [
        (_scoring_of(k), f"scoring.{k}")
        for k in (
            "company_score",
            "high_priority_bonus",
            "keyword_weight",
            "exclusion_penalty",
            "proximity_boost",
            "proximity_distance",
            "relevance_threshold",
            "max_gap",
        )
    ],
)
def test_integers_beyond_the_bound_are_refused(value: int, make: Any, where: str) -> None:
    refused(make(value), where, f"at most {MAX_INT}")
    refused(make(float(value)), where, f"at most {MAX_INT}")


def test_the_bound_itself_works_on_both_engines(backend: str) -> None:
    every = {
        k: MAX_INT
        for k in (
            "company_score",
            "high_priority_bonus",
            "keyword_weight",
            "exclusion_penalty",
            "proximity_boost",
            "proximity_distance",
            "max_gap",
        )
    }
    w = wl(
        [{"name": "Caldera", "priority": "HIGH", "tokens": ["CAL"]}],
        keywords=[{"pattern": "tge.*live", "weight": MAX_INT}, "claim"],
        exclusion_rules=[{"pattern": "blockchain", "penalty": MAX_INT, "label": "b"}],
        scoring={**every, "relevance_threshold": MAX_INT},
    )
    a = make_matcher(w, backend).analyze(TEXT)
    assert a == make_matcher(w, "python").analyze(TEXT)
    assert a.is_relevant is False or a.confidence <= 100


@pytest.mark.parametrize("threads", [MAX_INT, 2**63, 10**30])
def test_huge_thread_counts_behave_alike(backend: str, threads: int) -> None:
    m = make_matcher(Watchlist.example(), backend)
    docs = [TEXT, "nothing", ("TGE is live", "Caldera")]
    expected = [m.analyze(TEXT), m.analyze("nothing"), m.analyze("TGE is live", "Caldera")]
    assert m.analyze_many(docs, threads=threads) == expected
    assert list(m.iter_analyze(docs, batch_size=2, threads=threads)) == expected


# ------------------------------------------------------------- row 15: docs argument
UNORDERED_OR_WRONG = [
    {"content": "Caldera TGE is live"},
    {"Caldera TGE": 1}.keys(),
    {1: "Caldera TGE"}.values(),
    {1: "Caldera TGE"}.items(),
    {"Caldera TGE", "x"},
    frozenset({"Caldera TGE"}),
    "Caldera TGE",
    b"Caldera TGE",
    bytearray(b"Caldera TGE"),
]


@pytest.mark.parametrize("docs", UNORDERED_OR_WRONG, ids=lambda d: type(d).__name__)
def test_analyze_many_refuses_mappings_strings_and_unordered(backend: str, docs: Any) -> None:
    m = make_matcher(Watchlist.example(), backend)
    with pytest.raises(TypeError, match=r"\bdocs\b"):
        m.analyze_many(docs)
    with pytest.raises(TypeError, match=r"\bdocs\b"):
        m.iter_analyze(docs)  # at the call, not at the first next()


def test_mapping_without_content_names_the_key_and_index(backend: str) -> None:
    m = make_matcher(Watchlist.example(), backend)
    with pytest.raises(TypeError, match=r"docs\[1\].*'content'"):
        m.analyze_many([TEXT, {"text": TEXT}])
    with pytest.raises(TypeError, match=r"docs\[3\].*'content'"):
        list(m.iter_analyze([TEXT, TEXT, TEXT, {"body": TEXT}], batch_size=2))


# ------------------------------------------------------------- row 16: store columns
def test_name_and_status_lengths_fit_the_store() -> None:
    assert wl([{"name": "n" * 255, "status": "s" * 50}]).companies[0].extra["status"] == "s" * 50
    refused({"companies": [{"name": "ok"}, {"name": "n" * 256}]}, "companies[1].name", "255")
    refused({"companies": [{"name": "a", "status": "s" * 51}]}, "companies[0].status", "50")
    refused({"companies": [{"name": "a", "status": 3}]}, "companies[0].status")


# ------------------------------------------------------------- row 17: nesting, backend
@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", "[" * 100_000 + "]" * 100_000),
        (".json", '{"companies": ' + '{"a": ' * 100_000 + "1" + "}" * 100_001),
        (".toml", "a = " + "[" * 100_000 + "]" * 100_000 + "\n"),
        (".toml", "a = " + "{b = " * 100_000 + "1" + "}" * 100_000 + "\n"),
    ],
)
def test_deep_nesting_is_a_config_error(tmp_path: Path, suffix: str, text: str) -> None:
    p = tmp_path / f"deep{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=f"deep.*at most {MAX_NESTING}"):
        Watchlist.from_file(p)


def test_brackets_inside_strings_do_not_count(tmp_path: Path) -> None:
    deep = "[" * 500 + '"{' * 200
    p = tmp_path / "w.json"
    p.write_text(json.dumps({"companies": [{"name": "A", "aliases": [deep]}]}), encoding="utf-8")
    assert Watchlist.from_file(p).companies[0].aliases == (deep,)
    t = tmp_path / "w.toml"
    t.write_text(
        "# [[[[[[\n[[companies]]\nname = 'A'\nexclusions = ['" + "{" * 300 + "']\n"
        'aliases = ["[[[\\"[[["]\n',
        encoding="utf-8",
    )
    assert Watchlist.from_file(t).companies[0].aliases == ('[[["[[[',)


def test_backend_variable_errors_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TGEMATCH_BACKEND", "garbage")
    with pytest.raises(ValueError, match="TGEMATCH_BACKEND") as e:
        tgematch.default_backend()
    assert "\n" not in str(e.value)
    monkeypatch.setenv("TGEMATCH_BACKEND", "native")
    monkeypatch.setattr(matcher_mod, "_native_module", lambda: None)
    with pytest.raises(ImportError, match="TGEMATCH_BACKEND=native") as f:
        Matcher(Watchlist.example())
    assert "\n" not in str(f.value)


# ------------------------------------------------------------- row 23
def _tampered(backend: str, rule: str, value: Any) -> bytes:
    m = make_matcher(Watchlist.example(), backend)
    kw = m.watchlist.keywords[0]
    object.__setattr__(kw, rule, value)  # what editing the pickle's bytes achieves
    return pickle.dumps(m)


@pytest.mark.parametrize(("field", "value"), [("weight", -40), ("weight", 2.5), ("regex", 1)])
def test_tampered_pickle_is_validated(backend: str, field: str, value: Any) -> None:
    data = _tampered(backend, field, value)
    with pytest.raises(ConfigError, match=f"keyword rule 0.*{field}"):
        pickle.loads(data)


def test_pickles_still_round_trip(backend: str) -> None:
    m = make_matcher(Watchlist.example(), backend)
    m2 = pickle.loads(pickle.dumps(m))
    assert m2.watchlist == m.watchlist and m2.analyze(TEXT) == m.analyze(TEXT)


@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_byte_order_mark_is_accepted(tmp_path: Path, suffix: str) -> None:
    body = (
        '{"companies": [{"name": "Caldera"}]}'
        if suffix == ".json"
        else '[[companies]]\nname = "Caldera"\n'
    )
    p = tmp_path / f"w{suffix}"
    p.write_bytes(b"\xef\xbb\xbf" + body.encode())
    assert Watchlist.from_file(p).companies[0].name == "Caldera"


def test_duplicate_json_keys_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "w.json"
    p.write_text('{"companies": [{"name": "Caldera", "priority": "LOW", "name": "Fabric"}]}')
    with pytest.raises(ConfigError, match=r"w\.json: duplicate key 'name'.*'priority'"):
        Watchlist.from_file(p)
    t = tmp_path / "w.toml"  # TOML refuses them itself
    t.write_text('[[companies]]\nname = "Caldera"\nname = "Fabric"\n')
    with pytest.raises(ConfigError, match=r"w\.toml"):
        Watchlist.from_file(t)


@pytest.mark.parametrize(("size", "error"), [(0, ValueError), (-1, ValueError), ("2", TypeError)])
def test_iter_analyze_checks_batch_size_at_the_call(backend: str, size: Any, error: type) -> None:
    m = make_matcher(Watchlist.example(), backend)
    with pytest.raises(error, match="batch_size"):
        m.iter_analyze([TEXT], batch_size=size)


# ------------------------------------------------------------- issue 12 item 8
@pytest.mark.parametrize(
    ("key", "known"),
    [
        ("alias", "aliases"),
        ("token", "tokens"),
        ("exclusion", "exclusions"),
        ("priorty", "priority"),
    ],
)
def test_near_miss_company_keys_suggest_the_known_key(key: str, known: str) -> None:
    refused({"companies": [{"name": "A", key: ["x"]}]}, "companies[0]", repr(key), repr(known))


def test_other_unknown_company_keys_are_kept() -> None:
    c = wl([{"name": "A", "status": "active", "website": "https://a.example"}]).companies[0]
    assert c.extra == {"status": "active", "website": "https://a.example"}
