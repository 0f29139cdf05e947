"""The 21,523-project watchlist of the shared corpora, in both engines (issue 3, item 5).

The watchlist is built exactly as ``tools/measure_big.py`` builds it (one company per
distinct name of ``corpora/crypto_projects.jsonl``, its symbols as cashtags, the built-in
rules), from the same function. On a deterministic sample of ~500 founder tweets:

* every available engine gives identical ``analyze`` and ``find`` results;
* the companies the data makes hard (tickers shared by several projects, names that are
  ordinary words, emoji names and symbols) are matched as the contract says: their spans
  equal those of an independent implementation of the contract written here from
  ``matching-contract.md`` §1-§2 with Python's own ``str`` methods (Unicode 14.0.0 on
  Python 3.11) and the ``regex`` package's Script property, sharing no code with the
  engines. A tweet with ``$BTC`` matches every company whose ticker is BTC.

Skipped, with the reason, when the shared data is not there (``$TGEMATCH_SHARED``,
``../shared`` next to the repository, or ``/work/shared``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from backends import available_backends, make_matcher

REPO = Path(__file__).resolve().parents[1]
SAMPLE_WITH_DOLLAR_STEP = 4
SAMPLE_OTHER_STEP = 16


def _shared() -> Path | None:
    for c in (os.environ.get("TGEMATCH_SHARED"), REPO.parent / "shared", "/work/shared"):
        if c and (Path(c) / "corpora" / "crypto_projects.jsonl").is_file():
            if (Path(c) / "corpora" / "founder_tweets.jsonl").is_file():
                return Path(c)
    return None


SHARED = _shared()
pytestmark = pytest.mark.skipif(
    SHARED is None,
    reason="shared corpora not found (crypto_projects.jsonl and founder_tweets.jsonl in "
    "$TGEMATCH_SHARED, ../shared next to the repository or /work/shared)",
)


@cache
def tool() -> ModuleType:
    """``tools/measure_big.py``, which owns the project-watchlist builder."""
    spec = importlib.util.spec_from_file_location("measure_big", REPO / "tools" / "measure_big.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("measure_big", module)
    spec.loader.exec_module(module)
    return module


@cache
def records() -> list[dict[str, Any]]:
    """The project records."""
    assert SHARED is not None
    return list(tool().read_jsonl(SHARED / "corpora" / "crypto_projects.jsonl"))


@cache
def built(profile: str = "seed") -> tuple[Any, Any, list[dict[str, Any]]]:
    """(watchlist, report, company dicts) of the project watchlist; the contract tests
    use the seed profile (the contract's semantics), the agreement tests both."""
    companies, _ = tool().project_companies(records())
    watchlist, report = tool().project_watchlist(records(), profile)
    return watchlist, report, companies


@cache
def sample() -> list[str]:
    """~500 tweets: every 4th with a ``$``, every 16th of the others, in file order."""
    assert SHARED is not None
    tweets = [r["text"] for r in tool().read_jsonl(SHARED / "corpora" / "founder_tweets.jsonl")]
    dollar = [t for t in tweets if "$" in t][::SAMPLE_WITH_DOLLAR_STEP]
    other = [t for t in tweets if "$" not in t][::SAMPLE_OTHER_STEP]
    return dollar + other


@cache
def matcher(backend: str, profile: str = "seed") -> Any:
    """The project matcher of ``backend`` (built once per test session)."""
    return make_matcher(built(profile)[0], backend)


# --------------------------------------------------- an independent contract matcher
try:
    import regex  # type: ignore[import-untyped]

    NOSP_RE: Any = regex.compile(
        r"[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}"
        r"\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]"
    )
except ImportError:  # pragma: no cover - regex is a test dependency
    NOSP_RE = None


def c_word(c: str) -> bool:
    """Contract ``word(c)``."""
    return c.isalnum() or c == "_"


def c_fold(c: str) -> str:
    """Contract ``fold(c)``."""
    low = c.lower()
    return low if len(low) == 1 else c


def c_glued(a: str, b: str) -> bool:
    """Contract ``glued(a, b)``."""
    return c_word(a) and c_word(b) and not NOSP_RE.match(a) and not NOSP_RE.match(b)


def c_flat(text: str) -> str:
    """Fold every character; every space character becomes U+0020 (length-preserving)."""
    return "".join(" " if c.isspace() else c_fold(c) for c in text)


def c_phrase(phrase: str) -> str:
    """Contract §2 phrase normalisation."""
    return re.sub(" +", " ", c_flat(phrase)).strip(" ")


@cache
def c_pattern(phrase: str) -> re.Pattern[str]:
    """Overlapping search of a normalised phrase in flat text, one space = a run of spaces."""
    body = " +".join(re.escape(w) for w in phrase.split(" "))
    return re.compile(f"(?=({body}))", re.DOTALL)


def c_occurrences(phrase: str, text: str, flat: str) -> Iterator[tuple[int, int]]:
    """Whole-word occurrences ``(i, j)`` of a normalised phrase in ``text`` (contract §2)."""
    if phrase.split(" ")[0] not in flat:
        return
    for m in c_pattern(phrase).finditer(flat):
        i = m.start()
        j = i + len(m.group(1))
        if i > 0 and c_glued(text[i - 1], text[i]):
            continue
        if j < len(text) and c_glued(text[j - 1], text[j]):
            continue
        yield (i, j)


@cache
def c_company_phrases(name: str, tokens: tuple[str, ...]) -> tuple[str, ...]:
    """A company's normalised phrases: its name and its cashtags (``$`` + symbol)."""
    tags = [s if s.strip().startswith("$") else "$" + s for s in tokens]
    return tuple(c_phrase(p) for p in [name, *tags])


def c_company_spans(
    company: dict[str, Any], text: str, flat: str | None = None
) -> tuple[tuple[int, int], ...]:
    """Sorted distinct spans of a company's name and cashtags in ``text`` (``flat``: its
    :func:`c_flat`, when already computed)."""
    flat = c_flat(text) if flat is None else flat
    phrases = c_company_phrases(company["name"], tuple(company["tokens"]))
    spans = {o for p in phrases for o in c_occurrences(p, text, flat)}
    return tuple(sorted(spans))


def c_companies(text: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """Every project company the contract matches in ``text``, with its spans."""
    _, _, companies = built()
    flat = c_flat(text)
    out = {}
    for c in companies:
        spans = c_company_spans(c, text, flat)
        if spans:
            out[c["name"]] = spans
    return out


def contract_ready() -> None:
    """Skip unless this interpreter's ``str`` methods are the contract's Unicode 14.0.0."""
    if unicodedata.unidata_version != "14.0.0":
        pytest.skip(f"independent checks need Unicode 14.0.0, not {unicodedata.unidata_version}")
    if NOSP_RE is None:
        pytest.skip("independent checks need the regex package (a test dependency)")


def is_emoji(s: str) -> bool:
    """True when ``s`` has a symbol character (category So), e.g. an emoji."""
    return any(unicodedata.category(c) == "So" for c in s)


@cache
def probe_companies() -> dict[str, list[dict[str, Any]]]:
    """The hard companies of the data, by reason, that occur in the sample.

    * ``shared ticker``: a cashtag held by 2+ companies and present in some sampled tweet;
    * ``ordinary word``: a one-word name (letters only) found as a word in 3+ tweets;
    * ``emoji``: a name or symbol with an emoji (all of them, present or not).
    """
    _, _, companies = built()
    flats = [c_flat(t) for t in sample()]
    words: dict[str, int] = {}
    for f in flats:
        for w in set(re.findall(r"\w+", f)):
            words[w] = words.get(w, 0) + 1
    holders: dict[str, list[dict[str, Any]]] = {}
    for c in companies:
        for s in c["tokens"]:
            holders.setdefault(c_phrase(s if s.startswith("$") else "$" + s), []).append(c)
    shared = [
        c for tag, cs in holders.items() if len(cs) > 1 and any(tag in f for f in flats) for c in cs
    ]
    ordinary = [
        c
        for c in companies
        if re.fullmatch(r"[a-z]+", c_phrase(c["name"])) and words.get(c_phrase(c["name"]), 0) >= 3
    ]
    emoji = [c for c in companies if is_emoji(c["name"]) or any(map(is_emoji, c["tokens"]))]
    return {"shared ticker": shared, "ordinary word": ordinary, "emoji": emoji}


# --------------------------------------------------------------------------- tests
def test_builder_reports_what_it_leaves_out() -> None:
    companies, report = tool().project_companies(
        [
            {"name": " \u3000 ", "symbol": "GHOST"},
            {"name": "Alpha", "symbol": "\u3000"},
            {"name": "Alpha", "symbol": "$"},
            {"name": "Alpha", "symbol": " $ "},
            {"name": "Alpha", "symbol": "ALP"},
            {"name": "Alpha", "symbol": "ALP"},
            {"name": "alpha", "symbol": "ALP"},
        ]
    )
    # "alpha" equals "Alpha" after case folding: merged into it (a watchlist refuses both).
    assert companies == [{"name": "Alpha", "tokens": ["ALP"]}]
    assert report.merged_names == [("alpha", "Alpha")]
    assert report.skipped_names == [(" \u3000 ", ["GHOST"])]
    assert report.skipped_symbols == [("Alpha", "\u3000"), ("Alpha", "$"), ("Alpha", " $ ")]
    assert (report.records, report.companies, report.tokens, report.shared_symbols) == (7, 1, 1, 0)


def test_every_record_becomes_a_company_or_is_reported() -> None:
    watchlist, report, companies = built()
    recs = records()
    assert len(recs) == report.records == 21523
    names = {r["name"] for r in recs}
    skipped = {n for n, _ in report.skipped_names}
    canon = dict(report.merged_names)
    assert {c["name"] for c in companies} == names - skipped - set(canon)
    assert len(watchlist.companies) == report.companies == len(names - skipped - set(canon))
    tokens = {(c["name"], t) for c in companies for t in c["tokens"]}
    left_out = set(report.skipped_symbols) | {
        (n, s) for n, syms in report.skipped_names for s in syms
    }
    assert tokens | left_out == {(canon.get(r["name"], r["name"]), r["symbol"]) for r in recs}
    assert report.shared_symbols > 1000  # the data's point: tickers are ambiguous


@pytest.mark.parametrize("profile", ["seed", "modern"])
def test_engines_agree_on_sampled_tweets(profile: str) -> None:
    backends = available_backends()
    if len(backends) < 2:
        pytest.skip("only the python engine is available: nothing to compare it with")
    texts = sample()
    assert 450 <= len(texts) <= 550
    first, *others = backends
    m0 = matcher(first, profile)
    for name in others:
        m = matcher(name, profile)
        for i, t in enumerate(texts):
            a0, a = m0.analyze(t), m.analyze(t)
            assert a == a0, f"analyze differs on sampled tweet {i} {t!r}: {first} {a0}, {name} {a}"
            f0, f = m0.find(t), m.find(t)
            assert f == f0, f"find differs on sampled tweet {i} {t!r}: {first} {f0}, {name} {f}"


def test_hard_companies_match_as_the_contract_says(backend: str) -> None:
    contract_ready()
    m = matcher(backend)
    probes = probe_companies()
    assert len(probes["shared ticker"]) >= 50
    assert len(probes["ordinary word"]) >= 10
    assert len(probes["emoji"]) >= 20
    checked = {c["name"]: c for cs in probes.values() for c in cs}
    hits = dict.fromkeys(probes, 0)
    reason = {c["name"]: r for r, cs in probes.items() for c in cs}
    for i, text in enumerate(sample()):
        got = {c.name: c.spans for c in m.analyze(text).companies}
        flat = c_flat(text)
        for name, company in checked.items():
            expected = c_company_spans(company, text, flat)
            assert got.get(name, ()) == expected, (
                f"{backend}: {reason[name]} company {name!r} (tokens {company['tokens']}) "
                f"in sampled tweet {i} {text!r}: engine {got.get(name)}, contract {expected}"
            )
            hits[reason[name]] += bool(expected)
    # Not vacuous: the sample does contain shared tickers and ordinary-word names.
    assert hits["shared ticker"] >= 100, hits
    assert hits["ordinary word"] >= 50, hits


def test_a_shared_ticker_matches_every_holder(backend: str) -> None:
    contract_ready()
    m = matcher(backend)
    _, _, companies = built()
    for ticker in ("BTC", "ETH", "SOL", "WIF", "PEPE"):
        holders = {c["name"] for c in companies if ticker in c["tokens"]}
        assert len(holders) >= 2, ticker
        text = f"rotating out of ${ticker}, into ${ticker.lower()}!"
        i = text.index("$")
        got = {c.name: c.spans for c in m.analyze(text).companies}
        tag = len(ticker) + 1
        lower_at = text.index("$", i + 1)
        for name in holders:  # (a holder may match more: "Pepe" by name in "$PEPE")
            assert {(i, i + tag), (lower_at, lower_at + tag)} <= set(got.get(name, ())), name
        # Exactly the companies and spans the contract says, nothing else.
        assert got == c_companies(text)
        # A ticker glued to a word character is not a cashtag of it.
        glued = m.analyze(f"${ticker}x ${ticker}_1")
        assert not holders & {c.name for c in glued.companies}


@pytest.mark.parametrize(
    "text",
    [
        "gm 🤡🤡 lol🤡",
        "my 🐈 and $🐈 and $🐈x",
        "$🧲6900 is live, $🧲6900a is not",
        "🟥🟪🟦🟩🟨🟧 vs $🟥🟩",
        "$1 or $10 or $1.5",
        "the cat is up, ai is one DOG",
        "USELESSコイン $BTC比特币 mog\u00a0coin",
    ],
)
def test_emoji_and_word_names_in_crafted_texts(backend: str, text: str) -> None:
    contract_ready()
    m = matcher(backend)
    got = {c.name: c.spans for c in m.analyze(text).companies}
    assert got == c_companies(text)
    assert got, "each crafted text names at least one project"
