"""tgematch against the alternatives, on the real tweets and articles (issue 4).

Parametrised over corpus (``tweets``: 4,904 tweets; ``articles``: 2,462 news articles,
scanned as ``title + "\\n" + content``), watchlist (``wl15``: the real 15-company
watchlist; ``wl1k``/``wl10k``: 1,000/10,000 companies from ``crypto_projects.jsonl`` with
the real keyword tiers and exclusion phrases) and library (see ``tgematch.bench``).

Each library runs on the watchlist in its profile (``tgematch.bench``: tgematch's
``python``/``native``/``native-batch-N`` as a user loads it, modern; their ``-seed`` twins,
the seed approach and pyahocorasick in the seed profile; ``extra_info["profile"]`` says
which). Every benchmark checks its answer after timing it: full-analysis libraries must
return, document by document, the Analysis the pure-Python engine computed outside the
timed loop on the same watchlist (the pyahocorasick implementation must also give the
same ``find()``); the seed
approach and the raw matchers must return the answer computed by an untimed run (the
Aho-Corasick raw matchers must moreover agree with each other, and hyperscan's count,
caseless for ASCII only, be within 1% of theirs). The seed approach runs on a
uniform sample of the documents where a full pass would take minutes (``extra_info``
says how many documents were timed).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tgematch import Matcher, Watchlist
from tgematch.bench import (
    DEFAULT_LIBRARIES,
    Doc,
    PyAhoMatcher,
    build_cost,
    doc_text,
    library,
    utf8_size,
)

ROUNDS = int(os.environ.get("TGEMATCH_BENCH_ROUNDS", "3"))

# Take every k-th document where a full pass would be too slow for a benchmark round.
STRIDES: dict[tuple[str, str, str], int] = {
    ("seed", "wl15", "articles"): 10,
    ("seed", "wl1k", "tweets"): 10,
    ("seed", "wl1k", "articles"): 50,
    ("seed", "wl10k", "tweets"): 250,
    ("seed", "wl10k", "articles"): 500,
    ("python", "wl1k", "articles"): 2,
    ("python", "wl10k", "articles"): 2,
    ("python-seed", "wl1k", "articles"): 2,
    ("python-seed", "wl10k", "articles"): 2,
}


def _quiet_heap() -> None:
    """Before each round: collect, and freeze the objects the suite holds (corpora,
    expected answers, earlier results) out of the cyclic GC's reach, so every library is
    timed under the same heap conditions (see ``tgematch.bench.harness._quiet_heap``)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _require(name: str) -> None:
    why = library(name).missing()
    if why:
        pytest.skip(f"{name}: {why}")


def _docs(lib: str, wl: str, corpus: str, load: Callable[[str], list[Doc]]) -> list[Doc]:
    return load(corpus)[:: STRIDES.get((lib, wl, corpus), 1)]


@pytest.mark.parametrize("lib", DEFAULT_LIBRARIES)
@pytest.mark.parametrize("wl", ["wl15", "wl1k", "wl10k"])
@pytest.mark.parametrize("corpus", ["tweets", "articles"])
def test_analyze(
    benchmark: Any,
    cache: Any,
    corpus_loader: Callable[[str], list[Doc]],
    watchlist_loader: Callable[..., Watchlist],
    corpus: str,
    wl: str,
    lib: str,
) -> None:
    """Time one pass of ``lib`` over the corpus and check the answer."""
    _require(lib)
    spec = library(lib)
    watchlist = watchlist_loader(wl, spec.profile)
    docs = _docs(lib, wl, corpus, corpus_loader)
    stride = STRIDES.get((lib, wl, corpus), 1)
    run = spec.make(watchlist)
    # the reference engine runs on the same watchlist, so in the same profile
    matcher_key = ("matcher", wl, watchlist.profile)

    if spec.kind == "full":
        python = cache.get(matcher_key, lambda: Matcher(watchlist, backend="python"))

        def reference() -> list[Any]:
            return [python.analyze(c, t) for c, t in docs]

        expected = cache.get(("python", corpus, wl, watchlist.profile, stride), reference)
    elif spec.kind == "raw" and lib != "hyperscan":
        # the Aho-Corasick raw matchers see the same folded text: same hit counts
        expected = cache.get(("raw", corpus, wl, watchlist.profile, stride), lambda: run(docs))
    else:
        expected = run(docs)  # untimed pass: the seed's own answer

    try:
        result = benchmark.pedantic(
            run, args=(docs,), setup=_quiet_heap, rounds=ROUNDS, iterations=1, warmup_rounds=1
        )
    finally:
        gc.unfreeze()

    benchmark.extra_info.update(
        docs=len(docs),
        total_docs=len(corpus_loader(corpus)),
        bytes=sum(utf8_size(doc_text(d)) for d in docs),
        kind=spec.kind,
        profile=watchlist.profile,
    )
    assert len(result) == len(docs)
    if spec.kind == "full":
        bad = [i for i, (a, b) in enumerate(zip(result, expected, strict=True)) if a != b]
        assert not bad, f"{lib} differs from the Python engine on {len(bad)} docs, first {bad[0]}"
        benchmark.extra_info["relevant"] = sum(a.is_relevant for a in result)
        benchmark.extra_info["with_company"] = sum(bool(a.companies) for a in result)
        if lib == "pyahocorasick":
            matcher = PyAhoMatcher(watchlist)
            python = cache.get(matcher_key, lambda: Matcher(watchlist, backend="python"))
            for d in docs:
                text = doc_text(d)
                assert matcher.find(text) == python.find(text), text[:80]
    else:
        assert result == expected
        if spec.kind == "raw":
            benchmark.extra_info["raw_hits"] = sum(result)
            assert sum(result) > 0
            if lib == "hyperscan":
                # caseless only for ASCII and a byte-level word check: within 1% of the
                # Aho-Corasick matchers' count on these mostly-English corpora
                others = cache.peek(("raw", corpus, wl, watchlist.profile, stride))
                if others is not None:
                    assert abs(sum(result) - sum(others)) <= 0.01 * sum(others)
        else:
            benchmark.extra_info["relevant"] = sum(r[0] for r in result)


@pytest.mark.parametrize(
    "lib", ["native", "native-seed", "python", "python-seed", "pyahocorasick", "hyperscan", "seed"]
)
def test_build_10k(
    benchmark: Any,
    shared: Path,
    watchlist_loader: Callable[..., Watchlist],
    corpus_loader: Callable[[str], list[Doc]],
    lib: str,
) -> None:
    """Build time of a 10,000-company watchlist; retained memory in ``extra_info``.

    Memory comes from :func:`tgematch.bench.build_cost`: builds in fresh interpreters,
    RSS growth and (Python heap only) tracemalloc.
    """
    _require(lib)
    spec = library(lib)
    watchlist = watchlist_loader("wl10k", spec.profile)
    run = benchmark.pedantic(spec.make, args=(watchlist,), rounds=ROUNDS, iterations=1)
    # the built object works: full-analysis libraries agree with the Python engine
    sample = corpus_loader("tweets")[:200]
    out = run(sample)
    assert len(out) == len(sample)
    if spec.kind == "full":
        assert out == Matcher(watchlist, backend="python").analyze_many(sample)
    cost = build_cost(
        f"projects:10000:{shared}/corpora/crypto_projects.jsonl:"
        f"{shared}/watchlists/tge_watchlist.json",
        lib,
        repeat=1,
    )
    assert cost["profile"] == watchlist.profile
    benchmark.extra_info.update(cost)
    assert cost["seconds"] > 0
