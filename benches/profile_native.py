"""Where a document's time goes in the native engine (issue 4, "profile before optimising").

Run pinned to one core, e.g.::

    taskset -c 0 python benches/profile_native.py            # tweets, real watchlist
    taskset -c 0 python benches/profile_native.py --corpus articles --watchlist wl10k

Each line is the best of ``--repeat`` passes over the whole corpus, in microseconds per
document. The layers, from the bottom up:

* ``call``: ``Engine.find("")`` - a PyO3 method call that scans nothing;
* ``utf-8 access``: ``Engine.analyze(text)`` with a watchlist whose only literal never
  occurs, minus nothing else: call + getting the text's UTF-8 bytes + folding/collapsing
  + a trivial automaton walk (the floor of any scan);
* ``raw analyze``: ``Engine.analyze(text)`` with the real watchlist (the raw tuple);
* ``raw find``: ``Engine.find(text)``;
* ``Engine.analysis(text)``: the same scan, returning the finished ``Analysis`` (built by
  the engine, one shared instance for empty results);
* ``Matcher.analyze``: the public call (type checks, then ``Engine.analysis`` with the
  title joined in Rust);
* ``build_analysis``: the pure-Python way of turning every raw tuple into an
  ``Analysis`` (what the Python engine does; for comparison);
* ``analyze_many(1)``: the batch calls per document.

Python-side string costs for comparison: ``str.encode("utf-8")`` and
``fold_space(text)`` (``str.translate``), both per document.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

try:
    import tgematch  # noqa: F401  (installed, or on PYTHONPATH)
except ImportError:  # run from a checkout: use its sources
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

from common import load_corpus, shared_dir

from tgematch import Matcher, Watchlist
from tgematch._text import fold_space
from tgematch.bench import doc_text, projects_watchlist
from tgematch.results import build_analysis

CORPORA = {
    "tweets": ("founder_tweets.jsonl", "text", None),
    "articles": ("news_articles.jsonl", "content", "title"),
}


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Best wall time of ``repeat`` calls of ``fn``, each with the existing heap frozen
    out of the cyclic GC's reach (``gc.freeze``), as the benchmarks time libraries."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.freeze()
        try:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        finally:
            gc.unfreeze()
    return min(times)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the per-document breakdown."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="tweets")
    ap.add_argument("--watchlist", choices=["wl15", "wl1k", "wl10k"], default="wl15")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args(argv)
    shared = shared_dir(Path(__file__))
    if shared is None:
        print("shared corpora not found (set TGEMATCH_SHARED)", file=sys.stderr)
        return 2
    fname, field, title = CORPORA[args.corpus]
    docs = load_corpus(shared / "corpora" / fname, field, title)
    texts = [doc_text(d) for d in docs]
    base = shared / "watchlists" / "tge_watchlist.json"
    n = {"wl15": 0, "wl1k": 1000, "wl10k": 10000}[args.watchlist]
    wl = (
        Watchlist.from_file(base)
        if not n
        else projects_watchlist(n, shared / "corpora" / "crypto_projects.jsonl", base)
    )
    m = Matcher(wl, backend="native")
    eng = m._engine
    empty = Matcher(
        Watchlist.from_dict(
            {"companies": [{"name": "qqqzzzxxx"}], "builtins": False, "context_terms": []}
        ),
        backend="native",
    )._engine
    raws = [eng.analyze(t) for t in texts]
    comp, wlx = m.compiled, m.watchlist
    r = args.repeat
    nd = len(texts)

    cases: dict[str, Callable[[], Any]] = {
        "call: Engine.find('')": lambda: [eng.find("") for _ in texts],
        "scan floor: empty-watchlist Engine.analyze(text)": lambda: [
            empty.analyze(t) for t in texts
        ],
        "raw: Engine.analyze(text)": lambda: [eng.analyze(t) for t in texts],
        "raw: Engine.find(text)": lambda: [eng.find(t) for t in texts],
        "Engine.analysis(text) (result objects)": lambda: [eng.finished(t) for t in texts],
        "Matcher.analyze(content, title)": lambda: [m.analyze(c, t) for c, t in docs],
        "build_analysis(raw) on every raw tuple": lambda: [
            build_analysis(x, wlx, comp) for x in raws
        ],
        "Engine.analyze_many(texts, 1) per doc": lambda: eng.analyze_many(texts, 1),
        "Engine.finished_many(texts, 1) per doc": lambda: eng.finished_many(texts, 1),
        "Matcher.analyze_many(docs, 1) per doc": lambda: m.analyze_many(docs, threads=1),
        "python: text.encode('utf-8')": lambda: [t.encode("utf-8", "surrogatepass") for t in texts],
        "python: fold_space(text)": lambda: [fold_space(t) for t in texts],
        "python: empty loop": lambda: [None for _ in texts],
    }
    # round-robin repeats: a load burst on a shared machine hits every case alike
    best_s = dict.fromkeys(cases, float("inf"))
    for _ in range(r):
        for label, fn in cases.items():
            best_s[label] = min(best_s[label], best(fn, 1))
    us = {label: t / nd * 1e6 for label, t in best_s.items()}
    rows = list(us.items())
    call = us["call: Engine.find('')"]
    floor = us["scan floor: empty-watchlist Engine.analyze(text)"]
    raw = us["raw: Engine.analyze(text)"]
    full = us["Matcher.analyze(content, title)"]
    objects = us["Engine.analysis(text) (result objects)"]
    build = us["build_analysis(raw) on every raw tuple"]
    batch_raw = us["Engine.analyze_many(texts, 1) per doc"]
    batch = us["Matcher.analyze_many(docs, 1) per doc"]

    nbytes = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    print(
        f"{args.corpus}: {nd:,} docs, {nbytes / nd:,.0f} bytes/doc; watchlist {args.watchlist}: "
        f"{len(wl.companies):,} companies, {len(comp.literals):,} literals; best of {r}\n"
    )
    print("| measurement | µs/doc |\n|---|---:|")
    for label, v in rows:
        print(f"| {label} | {v:.3f} |")
    print()
    empty_share = sum(1 for x in raws if not (x[0] or x[1] or x[2] or x[3] or x[4])) / nd
    print("Breakdown of Matcher.analyze per document (µs, % of the total):")
    parts = [
        ("PyO3 call overhead", call),
        ("string access + folding + automaton floor", floor - call),
        ("matching + scoring for this watchlist", raw - floor),
        # Negative when the final objects (built off the cyclic GC's lists) cost less
        # than the raw tuple, whose tuples stay tracked.
        ("result objects instead of the raw tuple (< 0: cheaper)", objects - raw),
        ("Matcher: checks, title join", full - objects),
    ]
    print("| part | µs/doc | share |\n|---|---:|---:|")
    for label, v in parts:
        print(f"| {label} | {v:.3f} | {100 * v / full:.0f}% |")
    print(f"| **total Matcher.analyze** | {full:.3f} | 100% |")
    print(
        f"\n{100 * empty_share:.0f}% of the documents have an empty result; "
        f"build_analysis on every raw tuple (no empty-result shortcut) costs {build:.3f} µs/doc"
    )
    print(f"\nanalyze_many(1): {batch:.3f} µs/doc (the raw-tuple batch call: {batch_raw:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
