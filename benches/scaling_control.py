"""Does the native engine's cost grow with the watchlist, or with what it finds? (issue 4)

Times ``Matcher.analyze_many(docs, threads=1)`` per document on the shared tweets and
articles with four watchlists:

* ``wl15`` — the real 15-company watchlist;
* ``wl10k`` — 10,000 companies from ``crypto_projects.jsonl`` (as the benchmarks build it);
* ``wl10k-unfinished`` — the same names and ticker symbols, each followed by a word no
  document contains: the automaton has the same size and every walk through a name's
  beginning happens as before, but no company is ever found;
* ``wl10k-absent`` — the same names and symbols after a word no document contains: the
  same number of literals, but no word of any document begins one, so no walk starts.

Run pinned to one core::

    taskset -c 0 python benches/scaling_control.py
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    import tgematch  # noqa: F401  (installed, or on PYTHONPATH)
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from common import load_corpus, shared_dir

from tgematch import Matcher, Watchlist
from tgematch.bench import projects_watchlist

SILENT_WORD = "qzxvjk"


def best(fn: Callable[[], Any], n: int, repeat: int = 7) -> float:
    """Best of ``repeat`` calls of ``fn`` in microseconds per document (heap frozen)."""
    out = float("inf")
    for _ in range(repeat):
        gc.collect()
        gc.freeze()
        t0 = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t0)
        gc.unfreeze()
    return out / n * 1e6


def main() -> None:
    """Print one line per corpus: µs per document, ratio to wl15, company hits per doc."""
    shared = shared_dir(None)
    if shared is None:
        raise SystemExit("the shared corpora are not found; set TGEMATCH_SHARED")
    base = shared / "watchlists" / "tge_watchlist.json"
    real = projects_watchlist(10000, shared / "corpora" / "crypto_projects.jsonl", base)
    config = json.loads(base.read_text(encoding="utf-8"))

    def variant(name: Callable[[str], str], symbol: Callable[[str], str]) -> Watchlist:
        config["companies"] = [
            {"name": name(c.name), "tokens": [symbol(t) for t in c.tokens]} for c in real.companies
        ]
        return Watchlist.from_dict(config)

    silent = SILENT_WORD
    watchlists = {
        "wl15": Watchlist.from_file(base),
        "wl10k": real,
        "wl10k-unfinished": variant(lambda n: f"{n} {silent}", lambda t: f"{t}{silent}"),
        "wl10k-absent": variant(lambda n: f"{silent} {n}", lambda t: f"{silent}{t}"),
    }
    corpora = {
        "tweets": load_corpus(shared / "corpora" / "founder_tweets.jsonl", "text"),
        "articles": load_corpus(shared / "corpora" / "news_articles.jsonl", "content", "title"),
    }
    for corpus, docs in corpora.items():
        row = {}
        for name, wl in watchlists.items():
            m = Matcher(wl, backend="native")
            results = m.analyze_many(docs, threads=1)
            hits = sum(len(r.companies) for r in results) / len(results)
            run = lambda m=m, docs=docs: m.analyze_many(docs, threads=1)  # noqa: E731
            row[name] = (best(run, len(docs)), hits)
        base_us = row["wl15"][0]
        print(
            corpus,
            "; ".join(
                f"{k}: {us:.2f} µs/doc ({us / base_us:.2f}x, {hits:.2f} company hits/doc)"
                for k, (us, hits) in row.items()
            ),
        )


if __name__ == "__main__":
    main()
