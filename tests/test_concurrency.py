"""One Matcher shared by many threads, and Matchers that pickle (issue 3)."""

from __future__ import annotations

import pickle
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from backends import run_all_backends

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


# A batch long enough that a parallel native batch reads, scans and builds in many
# chunks: strings, (content, title) pairs, mappings, empty and non-ASCII documents.
def _long_batch() -> list[object]:
    docs: list[object] = []
    for i, d in enumerate(DOCS * 5):
        kind = i % 4
        if kind == 0:
            docs.append(d)
        elif kind == 1:
            docs.append((d, None if i % 8 == 1 else f"Caldera news {i} \u00e9"))
        elif kind == 2:
            docs.append({"content": d, "title": "TGE"} if i % 3 else {"content": d})
        else:
            docs.append("" if i % 7 == 3 else d.upper())
    return docs


@pytest.mark.parametrize("threads", [2, 3, 8])
def test_long_parallel_batch_equals_serial(watchlist: Watchlist, threads: int) -> None:
    docs = _long_batch()
    assert len(docs) > 1000

    def run(backend: str) -> list[object]:
        m = Matcher(watchlist, backend=backend)
        got = m.analyze_many(docs, threads=threads)
        assert got == m.analyze_many(docs, threads=1)
        assert got == m.analyze_many(iter(docs), threads=threads)  # any iterable
        return got

    run_all_backends(run)


@pytest.mark.parametrize("threads", [1, 2, 8])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (5, "docs[1100] must be str"),
        ((5, "title"), "docs[1100] content must be str, not int"),
        (("content", b"t"), "docs[1100] title must be str, not bytes"),
        ({"content": None}, "docs[1100] content must be str, not NoneType"),
        (("a", "b", "c"), "docs[1100] must be str, a (content, title) pair"),
    ],
)
def test_late_bad_document_fails_the_batch_cleanly(
    watchlist: Watchlist, threads: int, bad: object, message: str
) -> None:
    docs = [*_long_batch()[:1100], bad, *_long_batch()[:50]]

    def run(backend: str) -> list[object]:
        m = Matcher(watchlist, backend=backend)
        with pytest.raises(TypeError) as info:
            m.analyze_many(docs, threads=threads)
        # the matcher is unharmed: the next batch works
        fresh = Matcher(watchlist, backend=backend)
        assert m.analyze_many(docs[:300], threads=threads) == fresh.analyze_many(docs[:300])
        raise info.value

    with pytest.raises(TypeError, match=re.escape(message)):
        run_all_backends(run)


def test_iter_analyze_names_bad_document_by_stream_position(watchlist: Watchlist) -> None:
    docs = [*DOCS, *DOCS, *DOCS, 7]  # 720 good documents, then a bad one

    def run(backend: str) -> int:
        m = Matcher(watchlist, backend=backend)
        seen = 0
        for _ in m.iter_analyze(iter(docs), batch_size=300, threads=2):
            seen += 1
        return seen

    with pytest.raises(TypeError, match=re.escape("docs[720] must be str")):
        run_all_backends(run)
