"""Golden cases: hand-computed expectations shared with the Rust ``cargo test``.

``tests/golden/cases.json`` holds the cases (watchlist in from_dict form, text, complete
``find()`` output, analysis summary), written by reasoning from the contract, not by
running an engine. ``tests/golden/compiled.json`` holds each case's compiled watchlist
(``tools/gen_golden.py``); it must be current. Every case must pass on every backend, on
the raw engines fed with the stored compiled data, and on the reference matcher.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from backends import make_matcher, raw_engine
from reference import ref_analyze, ref_find_named

import tgematch
from tgematch.compiled import compile_watchlist

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES: list[dict[str, Any]] = json.loads((GOLDEN / "cases.json").read_text("utf-8"))["cases"]
KINDS = ("company", "company_exclusion", "keyword", "exclusion", "context", "shared_cashtag")


def _load_tool() -> Any:
    path = Path(__file__).resolve().parent.parent / "tools" / "gen_golden.py"
    spec = importlib.util.spec_from_file_location("gen_golden", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_enough_cases_with_unique_names() -> None:
    assert sum(c["watchlist"].get("profile", "modern") == "modern" for c in CASES) >= 9
    names = [c["name"] for c in CASES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)
    for c in CASES:
        assert set(c) == {"name", "watchlist", "text", "occurrences", "analysis"}
        base = {
            "confidence", "is_relevant", "crypto_context", "companies", "keywords",
            "exclusions", "vetoed",
        }  # fmt: skip
        modern = c["watchlist"].get("profile", "modern") == "modern"
        assert set(c["analysis"]) == (base | set(_MODERN_KEYS) if modern else base)
        for kind, _id, start, end in c["occurrences"]:
            assert kind in KINDS and 0 <= start < end <= len(c["text"])


def test_compiled_json_is_current() -> None:
    tool = _load_tool()
    current = (GOLDEN / "compiled.json").read_text("utf-8")
    assert current == tool.render(), "run `python tools/gen_golden.py`"


# The modern cases also record the launch evidence and ambiguous cashtags; the seed
# cases were computed before those fields existed (and have no shared cashtags).
_MODERN_KEYS = ("launch_score", "is_launch", "ambiguous")


def _same(got: dict[str, Any], want: dict[str, Any]) -> bool:
    missing = set(want) - set(got)
    assert not missing, f"unknown keys in the case: {missing}"
    return {k: got[k] for k in want} == want and set(got) - set(_MODERN_KEYS) <= set(want)


def _summary(a: tgematch.Analysis) -> dict[str, Any]:
    return {
        "launch_score": a.launch_score,
        "is_launch": a.is_launch,
        "ambiguous": list(a.ambiguous),
        "confidence": a.confidence,
        "is_relevant": a.is_relevant,
        "crypto_context": a.crypto_context,
        "companies": {c.name: [list(s) for s in c.spans] for c in a.companies},
        "keywords": {k.pattern: [list(s) for s in k.spans] for k in a.keywords},
        "exclusions": {x.label: x.penalty for x in a.exclusions},
        "vetoed": list(a.vetoed),
    }


def _raw_summary(plain: dict[str, Any], raw: Any) -> dict[str, Any]:
    companies, vetoed, keywords, exclusions, crypto, _cs, ks, _pb, pen, conf, amb, near = raw
    launch = max(0, min(100, int(ks) - int(pen)))
    is_launch = launch >= int(plain["launch_threshold"])
    return {
        "launch_score": launch,
        "is_launch": is_launch,
        "ambiguous": [plain["shared_tags"][k] for k in amb],
        "confidence": int(conf),
        "is_relevant": (bool(near) and is_launch)
        if plain["relevance_mode"]
        else int(conf) >= int(plain["relevance_threshold"]),
        "crypto_context": bool(crypto),
        "companies": {plain["company_names"][i]: [list(s) for s in sp] for i, sp in companies},
        "keywords": {plain["keyword_patterns"][i]: [list(s) for s in sp] for i, sp in keywords},
        "exclusions": {plain["exclusion_labels"][i]: int(p) for i, _sp, p in exclusions},
        "vetoed": [plain["company_names"][i] for i in vetoed],
    }


def _ids(case: dict[str, Any]) -> str:
    return str(case["name"])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_golden_matcher(backend: str, case: dict[str, Any]) -> None:
    m = make_matcher(case["watchlist"], backend)
    got = [[o.kind, o.id, o.start, o.end] for o in m.find(case["text"])]
    assert got == case["occurrences"]
    assert _same(_summary(m.analyze(case["text"])), case["analysis"])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_golden_raw_engine_from_stored_plain(backend: str, case: dict[str, Any]) -> None:
    """What the Rust cargo test does: the engine fed with compiled.json's data."""
    stored = {
        c["name"]: c["plain"]
        for c in json.loads((GOLDEN / "compiled.json").read_text("utf-8"))["cases"]
    }
    plain = stored[case["name"]]
    compiled = compile_watchlist(tgematch.Watchlist.from_dict(case["watchlist"]))
    if backend == "native":
        from tgematch import _native

        eng = _native.Engine(plain)
    else:
        eng = raw_engine(compiled, backend)
    names = {0: "company_names", 1: "company_names", 2: "keyword_patterns",
             3: "exclusion_labels", 4: "context_terms", 5: "shared_tags"}  # fmt: skip
    got = [[KINDS[k], plain[names[k]][r], s, e] for k, r, s, e in eng.find(case["text"])]
    assert got == case["occurrences"]
    assert _same(_raw_summary(plain, eng.analyze(case["text"])), case["analysis"])


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_golden_reference(case: dict[str, Any]) -> None:
    plain = compile_watchlist(tgematch.Watchlist.from_dict(case["watchlist"])).to_plain()
    got = [list(o) for o in ref_find_named(plain, case["text"])]
    assert got == case["occurrences"]
    assert _same(_raw_summary(plain, ref_analyze(plain, case["text"])), case["analysis"])
