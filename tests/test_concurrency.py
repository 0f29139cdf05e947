"""One Matcher shared by many threads, and Matchers that pickle (issue 3)."""

from __future__ import annotations

import pickle
from concurrent.futures import ThreadPoolExecutor

import pytest

from tgematch import Matcher, OptimizedPatternMatcher, Watchlist

DOCS = [
    "Caldera TGE is live! Claim your tokens now at the claim portal.",
    "The volcanic caldera of Yellowstone is not a token launch.",
    "Fabric Protocol announces its token generation event for Q3 🎉",
    "Succinct Labs: SP1 mainnet launch, $SUC airdrop is live on Binance",
    "espresso machine on sale this week, coffee shop opening",
    "🚀\ud83d Caldera\u3000Labs\u00a0token launch date confirmed, testnet to mainnet migration",
] * 40


@pytest.fixture(scope="module")
def watchlist() -> Watchlist:
    return Watchlist.example()


def test_threads_share_one_matcher(watchlist: Watchlist, backend: str) -> None:
    matcher = Matcher(watchlist, backend=backend)
    serial = [matcher.analyze(d, "title") for d in DOCS]
    serial_find = [matcher.find(d) for d in DOCS]
    assert any(a.is_relevant for a in serial) and any(not a.is_relevant for a in serial)

    def work(i: int) -> tuple[list[object], list[object]]:
        order = DOCS[i:] + DOCS[:i]  # each thread walks the documents in another order
        got = [matcher.analyze(d, "title") for d in order]
        found = [matcher.find(d) for d in order]
        return got[len(DOCS) - i :] + got[: len(DOCS) - i], found[len(DOCS) - i :] + found[
            : len(DOCS) - i
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(work, range(8)))
    for got, found in results:
        assert got == serial
        assert found == serial_find


def test_analyze_many_threads_equal_serial(watchlist: Watchlist, backend: str) -> None:
    matcher = Matcher(watchlist, backend=backend)
    docs = [(d, f"title {i}") for i, d in enumerate(DOCS)]
    serial = [matcher.analyze(c, t) for c, t in docs]
    for threads in (1, 2, 8):
        assert matcher.analyze_many(docs, threads=threads) == serial
    assert list(matcher.iter_analyze(iter(docs), batch_size=7)) == serial


def test_matcher_pickles(watchlist: Watchlist, backend: str) -> None:
    matcher = Matcher(watchlist, backend=backend)
    clone = pickle.loads(pickle.dumps(matcher))
    assert clone.backend == matcher.backend
    assert clone.watchlist == matcher.watchlist
    for d in DOCS[:6]:
        assert clone.analyze(d) == matcher.analyze(d)
        assert clone.find(d) == matcher.find(d)


def test_seed_matcher_pickles(backend: str) -> None:
    companies = [
        {"name": "Caldera", "aliases": ["Caldera Labs"], "priority": "HIGH"},
        {"name": "Fabric", "aliases": ["Fabric Protocol"]},
    ]
    m = OptimizedPatternMatcher(companies, ["TGE", "token launch", "airdrop"], backend=backend)
    clone = pickle.loads(pickle.dumps(m))
    for d in DOCS[:6]:
        assert clone.analyze_content_relevance(d, "t") == m.analyze_content_relevance(d, "t")
        assert clone.match_keywords(d) == m.match_keywords(d)
