"""Property tests: every engine against the reference, and the engines against each other.

Strategies
    * arbitrary text over the whole code space *including lone surrogates* (category Cs),
      mixed with emoji, combining marks, every kind of whitespace, NUL and the characters
      whose folding is special (U+0130, U+1E9E, U+212A, final sigma);
    * generated watchlists: overlapping and nested aliases, names with punctuation and
      digits, cashtags, phrases differing only in case or whitespace, patterns of the
      regex subset with optional groups, alternations, flexible whitespace, ``\\w*``
      opt-outs, gaps and not-followed-by lookaheads, random scoring parameters;
    * documents spliced from the watchlist's compiled literals (random case, random
      whitespace runs, glued word characters, newlines) and random text.

Run more examples with ``TGEMATCH_HYPOTHESIS_PROFILE=thorough`` (see conftest.py).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from backends import ensure_backend, raw_engine, run_all_backends
from hypothesis import assume, find, given, settings
from hypothesis import strategies as st
from reference import (
    fold,
    normalize_raw_analysis,
    normalize_raw_find,
    ref_analyze,
    ref_find,
    ref_find_named,
    space,
)

import tgematch
from tgematch.compiled import compile_watchlist

# ------------------------------------------------------------------------ characters

SPECIAL_CHARS = [
    "\x00", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", " ", "\x85",
    "\xa0", "\u1680", "\u2000", "\u2007", "\u200a", "\u2028", "\u2029", "\u202f", "\u205f",
    "\u3000", "\u200b", "\ufeff", "\ud83d", "\ude80", "\udc00", "\udfff", "\ud800", "🚀",
    "\U0001f600", "\u0301", "\u0308", "\u20e3", "İ", "ı", "i", "I", "ẞ", "ß", "\u212a", "k",
    "Σ", "σ", "ς", "$", "_", "é", "É", "コ", "イ", "는", "한", "比", "币", "ก", "ລ",
    "ក", "မ", "-", ".", "'", "(", ")", "\\", "1", "²", "٣",
]  # fmt: skip

ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
TEXT_CHAR = st.one_of(
    ANY_CHAR,
    st.sampled_from(SPECIAL_CHARS),
    st.sampled_from(SPECIAL_CHARS),
    st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
)
RANDOM_TEXT = st.text(TEXT_CHAR, max_size=30)
WHITESPACE = st.text(
    st.sampled_from([" ", "\t", "\n", "\xa0", "\u3000", "\u2003", "\x1c", "\x85", "\r"]),
    min_size=1,
    max_size=3,
)
GLUE = st.sampled_from(
    [
        *("x", "_", "é", "1", "コ", "比", "$", ".", "İ", "\ud83d", "Z", "\u0301"),
        # contractions and possessives at a word's end (docs §8.2)
        *("'t", "'s", "\u2019s", "'S", "'", "\u2019", "'sx", "'1"),
    ]
)

# ------------------------------------------------------------------------ watchlists

WORDS = [
    "caldera", "labs", "cal", "tge", "token", "tokens", "launch", "live", "is", "now",
    "x1", "2", "usd.ai", "ab", "a", "b", "fabric", "protocol", "crypto", "layer", "test",
    "net", "mainnet", "İstanbul", "istanbul", "straße", "比特币", "コイン", "useless", "é",
    "_x", "o'neil", "k-9", "ΟΔΟΣ", "ς", "c++", "$eth", "#1", "\u212aelvin", "x\U0001f680y",
    "a\u200bb", "ǅz", "Ꭰb", "ราคา",
]  # fmt: skip
PATTERN_SPECIAL = set("\\()|[]{}*+?.^$")


def _case(draw: st.DrawFn, s: str) -> str:
    mode = draw(st.sampled_from(["keep", "upper", "lower", "title", "mixed"]))
    if mode == "keep":
        return s
    if mode == "upper":
        return s.upper()
    if mode == "lower":
        return s.lower()
    if mode == "title":
        return s.title()
    return "".join(c.upper() if draw(st.booleans()) else c for c in s)


@st.composite
def phrases(draw: st.DrawFn) -> str:
    """A phrase: 1-3 vocabulary words joined by whitespace runs, random case."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    seps = [draw(st.sampled_from([" ", " ", "  ", "\t", "\xa0", "\n"])) for _ in words[1:]]
    out = words[0] + "".join(sep + w for sep, w in zip(seps, words[1:], strict=True))
    out = _case(draw, out)
    if draw(st.integers(0, 9)) == 0:
        out = " " + out + " "
    return out


def _escape(word: str) -> str:
    return "".join("\\" + c if c in PATTERN_SPECIAL else c for c in word)


@st.composite
def pattern_parts(draw: st.DrawFn, allow_opt_out: bool = True) -> str:
    """One gap-free part of the regex subset (never empty-matching)."""
    n = draw(st.integers(1, 3))
    items: list[str] = []
    for k in range(n):
        w = _escape(draw(st.sampled_from(WORDS)))
        kind = draw(st.sampled_from(["word", "word", "alt", "opt", "s?"] if k else ["word", "alt"]))
        if kind == "alt":
            w2 = _escape(draw(st.sampled_from(WORDS)))
            item = f"({w}|{w2})" if draw(st.booleans()) else f"(?:{w}|{w2})"
        elif kind == "opt":
            item = f"({w}\\s+)?"
        elif kind == "s?":
            item = w + "s?"
        else:
            item = w
        items.append(item)
    out = items[0]
    for item in items[1:]:
        if out.endswith(")?"):
            out += item  # the optional group carries its own whitespace
        else:
            out += draw(st.sampled_from([r"\s+", r"\s*", " ", r"\s?"])) + item
    if allow_opt_out:
        if draw(st.integers(0, 5)) == 0:
            out = r"\w*" + out
        if out.endswith(")?"):
            pass  # a trailing \w* after an optional group could make the part empty-ish
        elif draw(st.integers(0, 5)) == 0:
            out += r"\w*"
    return out


@st.composite
def structured_patterns(draw: st.DrawFn) -> tuple[str, list[str], str | None]:
    """(pattern, its gap parts, its lookahead content or None), the pattern of the subset
    being the parts joined by ``.*`` with maybe ``\\b`` ends or a trailing lookahead."""
    parts = draw(st.lists(pattern_parts(), min_size=1, max_size=3))
    out = draw(st.sampled_from([".*", ".*?"])).join(parts)
    look = None
    if not out.startswith(r"\w*") and draw(st.integers(0, 8)) == 0:
        out = r"\b" + out  # restates the default start check
    if not out.endswith(r"\w*") and draw(st.integers(0, 3)) == 0:
        w = _escape(draw(st.sampled_from(WORDS)))
        look = draw(st.sampled_from([rf"\s+{w}", w, rf"\s*{w}", rf"({w}|\s+{w})", r"\s"]))
        out += f"(?!{look})"
    elif not out.endswith(r"\w*") and draw(st.integers(0, 8)) == 0:
        out += r"\b"
    return out, parts, look


def patterns() -> st.SearchStrategy[str]:
    """A pattern of the subset: 1-3 parts joined by ``.*``, maybe a trailing lookahead."""
    return structured_patterns().map(lambda t: t[0])


@st.composite
def rule_entries(draw: st.DrawFn, kind: str) -> Any:
    """A keyword or exclusion entry: bare phrase, bare pattern or table form."""
    shape = draw(st.sampled_from(["phrase", "pattern", "table_phrase", "table_pattern"]))
    if shape in ("phrase", "table_phrase"):
        text = draw(phrases())
        if shape == "phrase" and any(c in "\\()|[]{}*+?" for c in text):
            shape = "table_phrase"
    else:
        text = draw(patterns())
    if kind == "keyword":
        if shape == "phrase" or shape == "pattern":
            return text
        return {
            "pattern": text,
            "weight": draw(st.integers(0, 50)),
            "regex": shape == "table_pattern",
        }
    if shape == "phrase" or shape == "pattern":
        return text
    return {
        "pattern": text,
        "penalty": draw(st.integers(0, 60)),
        "label": draw(st.sampled_from(["L", "l", "label", "x y"])) + str(draw(st.integers(0, 99))),
        "regex": shape == "table_pattern",
    }


@st.composite
def companies(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Companies with nested/overlapping aliases, tokens, exclusions, priorities."""
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(phrases())
        aliases = draw(st.lists(phrases(), max_size=2))
        if draw(st.booleans()):  # nested alias: name + word, or a prefix word of the name
            aliases.append(name + " " + draw(st.sampled_from(WORDS)))
        if draw(st.booleans()) and " " in name.strip():
            aliases.append(name.split()[0])
        if draw(st.integers(0, 3)) == 0:
            # the modern profile's cases: ordinary words in both cases, short names,
            # letterless names, copies (docs §8.1, §8.3)
            name = draw(
                st.sampled_from(
                    ["Fabric", "fabric", "Treasure Hunt", "XAI", "Xai", "4", "1.5", "Haven",
                     "Bridged Cal", "Wrapped Fab", "just"]
                )
            )  # fmt: skip
        tokens = draw(
            st.lists(
                st.sampled_from(["CAL", "cal", "FAB", "$ETH", "X1", "比特", "1", "100K", "$5m"]),
                max_size=2,
            )
        )
        exclusions = draw(st.lists(phrases(), max_size=2))
        c: dict[str, Any] = {"name": name, "aliases": aliases, "tokens": tokens}
        if exclusions:
            c["exclusions"] = exclusions
        prio = draw(st.sampled_from([None, "HIGH", "MEDIUM", "LOW", "high", "Low"]))
        if prio is not None:
            c["priority"] = prio
        match = draw(st.sampled_from([None, None, "auto", "any_case", "exact_case", "cashtag"]))
        if match is not None:
            c["match"] = match
        out.append(c)
    return out


@st.composite
def watchlists(draw: st.DrawFn) -> dict[str, Any]:
    """A from_dict watchlist; invalid combinations (duplicates) are rejected."""
    d: dict[str, Any] = {"companies": draw(companies())}
    d["profile"] = draw(st.sampled_from(["seed", "modern"]))
    d["builtins"] = draw(st.booleans())
    if draw(st.booleans()):
        d["keywords"] = draw(st.lists(rule_entries("keyword"), max_size=4))
    else:
        d["keywords"] = {
            tier: draw(st.lists(rule_entries("keyword"), max_size=2))
            for tier in draw(st.lists(st.sampled_from(["high", "medium", "low"]), unique=True))
        }
    d["exclusion_rules"] = [
        e for e in draw(st.lists(rule_entries("exclusion"), max_size=2)) if isinstance(e, dict)
    ]
    d["exclusion_phrases"] = draw(st.lists(rule_entries("exclusion"), max_size=2))
    if draw(st.booleans()):
        d["context_terms"] = draw(st.lists(phrases(), max_size=3, unique=True))
    if draw(st.booleans()):
        d["scoring"] = {
            "max_gap": draw(st.integers(0, 30)),
            "proximity_distance": draw(st.integers(0, 40)),
            "halve_penalty_with_context": draw(st.booleans()),
            "relevance_threshold": draw(st.integers(0, 100)),
            "launch_threshold": draw(st.integers(0, 100)),
        }
    return d


def _spell(draw: st.DrawFn, literal: str) -> str:
    """A text spelling of a compiled literal: random case, random whitespace runs."""
    out = []
    for c in literal:
        if c == " ":
            out.append(draw(WHITESPACE))
        else:
            out.append(c.upper() if draw(st.integers(0, 3)) == 0 and len(c.upper()) == 1 else c)
    return "".join(out)


def _target_spellings(draw: st.DrawFn, plain: dict[str, Any]) -> str:
    """A spelling of one whole target: a literal of every part, short gaps between."""
    # a modern company whose phrases can never match has a target without units
    live = sorted({u[1] for u in plain["units"]})
    multi: list[int] = [i for i in live if plain["targets"][i][2] > 1]
    prefer_multi: bool = draw(st.booleans())
    t: int
    if multi and prefer_multi:
        t = draw(st.sampled_from(multi))
    else:
        t = draw(st.sampled_from(live))
    nparts = plain["targets"][t][2]
    out = []
    for p in range(nparts):
        lits = [plain["literals"][u[0]] for u in plain["units"] if u[1] == t and u[2] == p]
        if p:
            out.append(draw(st.sampled_from([" ", "  ", "-", " x ", "\n", "\t", " 比 "])))
        out.append(_spell(draw, draw(st.sampled_from(lits))))
    return "".join(out)


@st.composite
def documents(draw: st.DrawFn, plain: dict[str, Any]) -> str:
    """Random text with compiled literals, whole targets and lookahead contents spliced in."""
    pool = list(plain["literals"]) + [a for s in plain["nfb_sets"] for a in s if a.strip()]
    written = list(plain["cased_literals"])  # exact-case forms, spelt as written
    pieces: list[str] = []
    for _ in range(draw(st.integers(1, 10))):
        choice = draw(st.integers(0, 11))
        if written and choice == 0:
            pieces.append(draw(st.sampled_from(written)))
        elif pool and choice < 4:
            pieces.append(_spell(draw, draw(st.sampled_from(pool))))
        elif plain["units"] and choice < 7:
            pieces.append(_target_spellings(draw, plain))
        elif choice < 9:
            pieces.append(draw(RANDOM_TEXT))
        elif choice == 9:
            pieces.append(draw(GLUE))
        elif choice == 10:
            # now and then a long filler, to cross the default 200-character gap and
            # proximity bounds; otherwise a newline
            if draw(st.integers(0, 3)) == 0:
                filler = draw(st.sampled_from([" ", "x ", "\u3000", ". "]))
                pieces.append(filler * (draw(st.integers(150, 260)) // len(filler)))
            else:
                pieces.append("\n")
        else:
            pieces.append(draw(WHITESPACE))
        if draw(st.integers(0, 2)):
            pieces.append(draw(st.sampled_from([" ", " ", ". ", "\n", "\u3000"])))
    return "".join(pieces)


@st.composite
def cases(draw: st.DrawFn) -> tuple[dict[str, Any], Any, dict[str, Any], str]:
    """(watchlist dict, compiled watchlist, plain data, document)."""
    d = draw(watchlists())
    try:
        wl = tgematch.Watchlist.from_dict(d)
    except tgematch.ConfigError as e:
        msg = str(e)
        # only duplicates and empty-after-normalisation entries are expected here
        assert "duplicate" in msg or "empty" in msg, msg
        assume(False)
        raise AssertionError from e  # unreachable
    compiled = compile_watchlist(wl)
    plain = compiled.to_plain()
    return d, compiled, plain, draw(documents(plain))


FIXED_WATCHLIST: dict[str, Any] = {
    "companies": [
        {
            "name": "Caldera",
            "aliases": ["Caldera Labs", "Caldera Protocol"],
            "tokens": ["CAL"],
            "exclusions": ["volcanic caldera", "lava"],
            "priority": "HIGH",
        },
        {"name": "Fabric", "aliases": ["Fabric Protocol"], "tokens": ["FAB"]},
        {"name": "USELESS", "tokens": ["USELESS"], "priority": "LOW"},
        {"name": "比特币"},
        {"name": "İstanbul"},
        {"name": "a\U0001f680b"},  # lone surrogates: refused in phrases
    ],
    "keywords": ["TGE", "token launch", "airdrop", "announcing.*token", r"launch\w*", "a"],
    "exclusion_phrases": ["meme coin", r"\s+x(?!y)"],
    "builtins": True,
}


# ------------------------------------------------------------------------ properties


def test_text_strategy_reaches_surrogates_and_specials() -> None:
    """The text strategy really produces lone surrogates, astral, NUL and exotic spaces."""
    many = settings(max_examples=20_000, database=None)
    assert find(ANY_CHAR, lambda c: 0xD800 <= ord(c) <= 0xDFFF, settings=many)
    for wanted in (lambda c: ord(c) > 0xFFFF, lambda c: c == "\x00", lambda c: c == "\x85"):
        assert wanted(find(TEXT_CHAR, wanted, settings=many))
    assert find(RANDOM_TEXT, lambda t: any(0xD800 <= ord(c) <= 0xDFFF for c in t), settings=many)


@given(text=RANDOM_TEXT)
def test_arbitrary_text_fixed_watchlist(backend: str, text: str) -> None:
    compiled = compile_watchlist(tgematch.Watchlist.from_dict(FIXED_WATCHLIST))
    plain = compiled.to_plain()
    eng = raw_engine(compiled, backend)
    assert normalize_raw_find(eng.find(text)) == ref_find(plain, text)
    assert normalize_raw_analysis(eng.analyze(text)) == normalize_raw_analysis(
        ref_analyze(plain, text)
    )


@given(case=cases())
def test_find_equals_reference(backend: str, case: tuple[Any, Any, Any, str]) -> None:
    _d, compiled, plain, doc = case
    eng = raw_engine(compiled, backend)
    assert normalize_raw_find(eng.find(doc)) == ref_find(plain, doc)


@given(case=cases())
def test_analyze_equals_reference(backend: str, case: tuple[Any, Any, Any, str]) -> None:
    _d, compiled, plain, doc = case
    eng = raw_engine(compiled, backend)
    assert normalize_raw_analysis(eng.analyze(doc)) == normalize_raw_analysis(
        ref_analyze(plain, doc)
    )


def _folded_collapsed(s: str) -> str:
    out: list[str] = []
    for c in s:
        f = " " if space(c) else fold(c)
        if f == " " and out and out[-1] == " ":
            continue
        out.append(f)
    return "".join(out)


@given(case=cases())
def test_offsets_slice_back_to_literal(backend: str, case: tuple[Any, Any, Any, str]) -> None:
    _d, compiled, plain, doc = case
    eng = raw_engine(compiled, backend)
    target_of = {(int(k), int(r)): t for t, (k, r, _n, _g) in enumerate(plain["targets"])}
    for kind, ref, start, end in eng.find(doc):
        assert 0 <= start < end <= len(doc)
        t = target_of[(kind, ref)]
        nparts = plain["targets"][t][2]
        lits = {(u[2], plain["literals"][u[0]]) for u in plain["units"] if u[1] == t}
        piece = _folded_collapsed(doc[start:end])
        if nparts == 1:
            assert piece in {lit for _p, lit in lits}, (piece, lits)
        else:
            assert any(piece.startswith(lit) for p, lit in lits if p == 0), (piece, lits)
            assert any(piece.endswith(lit) for p, lit in lits if p == nparts - 1), (piece, lits)


PLAIN_KEYS = {
    "literals", "units", "nfb_sets", "targets", "company_names", "company_scores",
    "company_target", "veto_target", "keyword_patterns", "keyword_weights", "keyword_target",
    "seed_keyword_order", "exclusion_labels", "exclusion_penalties", "exclusion_target",
    "context_terms", "context_target", "proximity_distance", "proximity_boost",
    "relevance_threshold", "halve_penalty_with_context", "cased_literals", "shared_tags",
    "shared_tag_companies", "shared_tag_target", "span_once", "relevance_mode",
    "launch_threshold",
}  # fmt: skip


@given(case=cases())
def test_compiled_watchlist_invariants(case: tuple[Any, Any, Any, str]) -> None:
    """docs §5: the shape and invariants of ``CompiledWatchlist.to_plain()``."""
    d, _compiled, plain, _doc = case
    wl = tgematch.Watchlist.from_dict(d)
    assert set(plain) == PLAIN_KEYS
    lits = plain["literals"]
    assert len(set(lits)) == len(lits)
    for lit in lits:
        assert lit and lit == lit.strip(" ") and "  " not in lit
        assert all(c == " " or (not space(c) and fold(c) == c) for c in lit)
    units = [tuple(u) for u in plain["units"]]
    assert len(set(units)) == len(units)
    modern = wl.profile == "modern"
    for lit, target, part, flags, nfb, cased in units:
        assert 0 <= lit < len(lits) and 0 <= target < len(plain["targets"])
        assert 0 <= part < plain["targets"][target][2] and 0 <= flags <= 15
        assert -1 <= nfb < len(plain["nfb_sets"])
        if nfb >= 0:
            assert part == plain["targets"][target][2] - 1
        # bit 3 (contractions) exactly on the modern profile's end-checked units
        assert bool(flags & 8) == (modern and bool(flags & 2))
        assert (cased >= 0) == bool(flags & 4)
        if cased >= 0:
            assert modern and plain["targets"][target][0] == 0
            written = plain["cased_literals"][cased]
            assert len(written) == len(lits[lit])
            assert all((w == " ") == (c == " ") for w, c in zip(written, lits[lit], strict=True))
            assert "".join(fold(w) if w != " " else w for w in written) == lits[lit]
    for t, (kind, _ref, nparts, max_gap) in enumerate(plain["targets"]):
        assert 0 <= kind <= 5 and nparts >= 1 and max_gap == wl.scoring.max_gap
        for p in range(nparts):
            # only a modern company's own target may be empty (nothing of it can match)
            assert any(u[1] == t and u[2] == p for u in units) or (modern and kind == 0), (t, p)
    assert (plain["span_once"], plain["relevance_mode"]) == (modern, int(modern))
    if not modern:
        assert plain["shared_tags"] == [] and plain["cased_literals"] == []
    for k, (tag, claimants) in enumerate(
        zip(plain["shared_tags"], plain["shared_tag_companies"], strict=True)
    ):
        assert tag.startswith("$") and list(claimants) == sorted(set(claimants))
        assert tuple(plain["targets"][plain["shared_tag_target"][k]][:2]) == (5, k)
    for alts in plain["nfb_sets"]:
        assert alts and all(a and "  " not in a for a in alts)
    n = len(wl.companies)
    assert plain["company_names"] == [c.name for c in wl.companies]
    assert plain["company_scores"] == [
        wl.scoring.company_score + (wl.scoring.high_priority_bonus if c.priority == "HIGH" else 0)
        for c in wl.companies
    ]
    assert [tuple(plain["targets"][t][:2]) for t in plain["company_target"]] == [
        (0, i) for i in range(n)
    ]
    assert len(plain["veto_target"]) == n
    for i, (c, v) in enumerate(zip(wl.companies, plain["veto_target"], strict=True)):
        assert (v == -1) == (not c.exclusions)
        if v >= 0:
            assert tuple(plain["targets"][v][:2]) == (1, i)
    assert plain["keyword_patterns"] == [k.pattern for k in wl.keywords]
    assert plain["keyword_weights"] == [k.weight for k in wl.keywords]
    weights = plain["keyword_weights"]
    assert plain["seed_keyword_order"] == sorted(
        range(len(weights)), key=lambda i: (-weights[i], i)
    )
    assert plain["exclusion_labels"] == [x.label for x in wl.exclusions]
    assert plain["exclusion_penalties"] == [x.penalty for x in wl.exclusions]
    assert plain["context_terms"] == list(wl.context_terms)
    for key, kind in (("keyword_target", 2), ("exclusion_target", 3), ("context_target", 4)):
        assert [tuple(plain["targets"][t][:2]) for t in plain[key]] == [
            (kind, i) for i in range(len(plain[key]))
        ]


@given(case=cases())
def test_public_api_equals_reference(backend: str, case: tuple[Any, Any, Any, str]) -> None:
    """``Matcher.find`` / ``Matcher.analyze`` (result types) against the reference."""
    d, _compiled, plain, doc = case
    m = tgematch.Matcher(tgematch.Watchlist.from_dict(d), backend=backend)
    assert [(o.kind, o.id, o.start, o.end) for o in m.find(doc)] == ref_find_named(plain, doc)
    companies, vetoed, keywords, exclusions, crypto, cs, ks, prox, pen, conf, amb, near = (
        ref_analyze(plain, doc)
    )
    a = m.analyze(doc)

    def pos(spans: list[tuple[int, int]]) -> tuple[int, ...]:
        return tuple(sorted({s for s, _e in spans}))

    assert [(c.name, c.score, c.positions, c.spans) for c in a.companies] == [
        (plain["company_names"][i], plain["company_scores"][i], pos(sp), tuple(sp))
        for i, sp in companies
    ]
    assert [c.priority for c in a.companies] == [
        m.watchlist.companies[i].priority for i, _sp in companies
    ]
    assert [(k.pattern, k.weight, k.positions, k.spans) for k in a.keywords] == [
        (plain["keyword_patterns"][i], plain["keyword_weights"][i], pos(sp), tuple(sp))
        for i, sp in keywords
    ]
    assert [(x.label, x.penalty, x.positions, x.spans) for x in a.exclusions] == [
        (plain["exclusion_labels"][i], p, pos(sp), tuple(sp)) for i, sp, p in exclusions
    ]
    assert a.vetoed == tuple(plain["company_names"][i] for i in vetoed)
    assert (a.crypto_context, a.company_score, a.keyword_score) == (crypto, cs, ks)
    assert (a.proximity_boost, a.penalty, a.confidence) == (prox, pen, conf)
    launch = max(0, min(100, ks - pen))
    assert (a.launch_score, a.is_launch) == (launch, launch >= plain["launch_threshold"])
    assert a.ambiguous == tuple(plain["shared_tags"][k] for k in amb)
    if plain["relevance_mode"]:
        assert a.is_relevant == (near and a.is_launch)
    else:
        assert a.is_relevant == (conf >= plain["relevance_threshold"])


@given(case=cases(), title=st.one_of(st.none(), RANDOM_TEXT))
def test_matcher_consistent(backend: str, case: tuple[Any, Any, Any, str], title: Any) -> None:
    """Analysis agrees with find() and with scanning ``f"{title}\\n{content}"``."""
    d, _compiled, _plain, doc = case
    m = tgematch.Matcher(tgematch.Watchlist.from_dict(d), backend=backend)
    a = m.analyze(doc, title)
    full = doc if title is None else f"{title}\n{doc}"
    assert a == m.analyze(full)
    occ = m.find(full)
    tags = {(o.start, o.end) for o in occ if o.kind == "shared_cashtag"}
    for c in a.companies:
        own = {(o.start, o.end) for o in occ if o.kind == "company" and o.id == c.name}
        # a company's spans: its own occurrences, plus those of shared cashtags it claims
        assert own and own <= set(c.spans) <= own | tags
        assert c.spans == tuple(sorted(c.spans))
        assert c.positions == tuple(sorted({s for s, _e in c.spans}))
    span_once = m.compiled.span_once
    for k in a.keywords:
        spans = {(o.start, o.end) for o in occ if o.kind == "keyword" and o.id == k.pattern}
        assert set(k.spans) <= spans if span_once else set(k.spans) == spans
    if span_once:  # kept keyword occurrences never overlap (docs §8.4)
        kept = sorted(sp for k in a.keywords for sp in k.spans)
        assert all(e <= s for (_s0, e), (s, _e1) in itertools.pairwise(kept))
    assert a.crypto_context == any(o.kind == "context" for o in occ)
    total = a.company_score + a.keyword_score + a.proximity_boost - a.penalty
    assert a.confidence == max(0, min(100, total))
    assert a.company_score == sum(c.score for c in a.companies)
    assert a.keyword_score == sum(k.weight for k in a.keywords)
    assert a.penalty == sum(x.penalty for x in a.exclusions)


# ------------------------------------------------------------- native == python


@pytest.fixture
def need_native() -> None:
    """Skip (or fail under TGEMATCH_REQUIRE_NATIVE=1) without the native backend."""
    ensure_backend("native")


@given(case=cases(), title=st.one_of(st.none(), RANDOM_TEXT))
def test_backends_agree_matcher(
    need_native: None, case: tuple[Any, Any, Any, str], title: Any
) -> None:
    d, _compiled, _plain, doc = case
    wl = tgematch.Watchlist.from_dict(d)

    def run(name: str) -> Any:
        m = tgematch.Matcher(wl, backend=name)
        assert m.backend == name
        return (
            m.analyze(doc, title),
            m.find(doc),
            m.analyze_many([doc, doc[::-1]]),
        )

    run_all_backends(run)


@given(text=RANDOM_TEXT)
def test_backends_agree_arbitrary_text(need_native: None, text: str) -> None:
    wl = tgematch.Watchlist.from_dict(FIXED_WATCHLIST)
    run_all_backends(lambda name: tgematch.Matcher(wl, backend=name).analyze(text))
    run_all_backends(lambda name: tgematch.Matcher(wl, backend=name).find(text))


@given(case=cases(), threshold=st.sampled_from([0, 30, 50, 100, 1000]))
def test_backends_agree_seed_api(
    need_native: None, case: tuple[Any, Any, Any, str], threshold: int
) -> None:
    d, _compiled, _plain, doc = case
    comps = d["companies"]
    kws = [
        k for k in (d["keywords"] if isinstance(d["keywords"], list) else []) if isinstance(k, str)
    ]

    def run(name: str) -> Any:
        try:
            pm = tgematch.OptimizedPatternMatcher(comps, kws, backend=name)
        except tgematch.ConfigError:
            return "config-error"
        mc = pm.match_companies(doc, confidence_threshold=threshold)
        mk = pm.match_keywords(doc, confidence_threshold=threshold)
        return (
            mc,
            mk,
            pm.check_proximity(mc[2], mk[2]),
            pm.detect_exclusions(doc),
            pm.detect_exclusions(doc, has_crypto_context=True),
            pm.has_crypto_context(str(hash(doc)), doc),
            pm.analyze_content_relevance(doc, "T"),
        )

    run_all_backends(run)


# ------------------------------------------------------- the compiler against Python re


def _normalise(s: str, strip: bool = True) -> str:
    """Fold with the tables, collapse whitespace runs; strip unless told otherwise."""
    out = _folded_collapsed(s)
    return out.strip(" ") if strip else out


# Controls and lone surrogates are refused in a watchlist (only TAB, LF, CR allowed).
REGEX_ALPHABET = st.characters(exclude_categories=("Cs", "Cc"))


def _part_regex(part: str) -> str:
    """A gap part as a plain Python regex: the ``\\w*`` opt-out markers removed."""
    if part.startswith(r"\w*"):
        part = part[3:]
    if part.endswith(r"\w*"):
        part = part[:-3]
    return part


@given(pat=structured_patterns(), data=st.data())
def test_pattern_literals_agree_with_python_re(
    pat: tuple[str, list[str], str | None], data: st.DataObject
) -> None:
    """docs §4 expansion, checked against Python ``re`` both ways.

    Sound: every compiled literal of a part fully matches the part (``re.IGNORECASE``).
    Complete: every string Python's regex engine generates for the part, folded and
    whitespace-normalised, is one of the part's literals. The same for the lookahead.
    """
    import re

    pattern, parts, look = pat
    wl = tgematch.Watchlist.from_dict(
        {
            "keywords": [{"pattern": pattern, "regex": True}],
            "builtins": False,
            "context_terms": [],
            "profile": "seed",  # the seed's flags: whole-word checks only (docs §4)
        }
    )
    plain = compile_watchlist(wl).to_plain()
    (target,) = [t for t, tg in enumerate(plain["targets"]) if tg[0] == 2]
    assert plain["targets"][target][2] == len(parts)
    units = [u for u in plain["units"] if u[1] == target]
    for p, part in enumerate(parts):
        lits = {plain["literals"][u[0]] for u in units if u[2] == p}
        flags = {u[3] for u in units if u[2] == p}
        assert flags == {
            (0 if part.startswith(r"\w*") else 1) | (0 if part.endswith(r"\w*") else 2)
        }
        rx = _part_regex(part)
        for lit in lits:  # leading/trailing spaces of an alternative were dropped
            assert any(
                re.fullmatch(rx, v, re.IGNORECASE) for v in (lit, f" {lit}", f"{lit} ", f" {lit} ")
            ), (rx, lit)
        sample = data.draw(
            st.from_regex(re.compile(rx), fullmatch=True, alphabet=REGEX_ALPHABET),
            label=f"part {p}",
        )
        assert _normalise(sample) in lits, (rx, sample, lits)
    nfbs = {u[4] for u in units}
    if look is None:
        assert nfbs == {-1}
        return
    last = len(parts) - 1
    assert {u[4] for u in units if u[2] != last} <= {-1}
    (nfb,) = {u[4] for u in units if u[2] == last}
    alts = set(plain["nfb_sets"][nfb])
    for alt in alts:
        assert re.fullmatch(look, alt, re.IGNORECASE), (look, alt)
    sample = data.draw(
        st.from_regex(re.compile(look), fullmatch=True, alphabet=REGEX_ALPHABET), label="lookahead"
    )
    assert _normalise(sample, strip=False) in alts, (look, sample, alts)
