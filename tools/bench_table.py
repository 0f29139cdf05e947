"""Print the README's benchmark table: tgematch against the alternatives (issue 4).

One command runs the whole side-by-side comparison on the shared corpora and prints
Markdown tables (throughput per corpus × watchlist × library, with the ratio to the seed
approach; then build time and retained memory of the 10,000-company watchlist)::

    python tools/bench_table.py --cpus 0,1

``--cpus 0,1`` pins every single-threaded run to CPU 0 (like ``taskset -c 0``) and the
2-thread ``analyze_many`` run to CPUs 0 and 1. The corpora and watchlists are read from
``--shared`` (default: ``$TGEMATCH_SHARED``, else ``../shared`` next to the repository,
else ``/work/shared``). Libraries slower than ``--budget`` seconds per pass are timed on
a uniform sample of the documents (the "docs timed" column says so).

Profiles (``docs/matching.md`` §8): the watchlists load as a user's would, in the modern
profile, and the ``python``/``native``/``native-batch-N`` rows time that; the ``-seed``
rows time the same watchlists in the seed profile, like-for-like with tables measured
before the modern profile. The seed approach and pyahocorasick (seed semantics) run on
the seed profile and are checked against the Python engine in it. The "profile" column
says what each row ran; the targets are checked on the default (modern) rows and, where
the seed approach is the yardstick, on the seed rows too.

``--from-json FILE`` instead builds the table from pytest-benchmark's JSON output
(``python -m pytest benches/ --benchmark-only --benchmark-json FILE``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

try:
    import tgematch  # noqa: F401  (installed, or on PYTHONPATH)
except ImportError:  # run from a checkout: use its sources, here and in the build probes
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    os.environ["PYTHONPATH"] = os.pathsep.join([sys.path[0], os.environ.get("PYTHONPATH", "")])
# benches/common.py: where the shared corpora are, how to read them (dev-only helpers)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches"))

from common import load_corpus, shared_dir

from tgematch.bench import (
    DEFAULT_LIBRARIES,
    BenchWatchlist,
    Measurement,
    build_cost,
    compare,
    format_build_table,
    format_table,
    library,
    load_watchlist,
)

CORPORA = {
    "tweets": ("founder_tweets.jsonl", "text", None),
    "articles": ("news_articles.jsonl", "content", "title"),
}
SIZES = {"wl15": None, "wl1k": 1000, "wl10k": 10000}
BUILD_LIBRARIES = (
    "native",
    "native-seed",
    "python",
    "python-seed",
    "pyahocorasick",
    "ahocorasick-rs",
    "hyperscan",
    "seed",
)


def _from_json(path: Path) -> list[Measurement]:
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = []
    for b in data["benchmarks"]:
        p, info = b.get("params") or {}, b.get("extra_info") or {}
        if not {"corpus", "wl", "lib"} <= set(p) or "docs" not in info:
            continue
        rows.append(
            Measurement(
                p["corpus"],
                p["wl"],
                p["lib"],
                docs=info["docs"],
                total_docs=info.get("total_docs", info["docs"]),
                bytes=info["bytes"],
                seconds=b["stats"]["min"],
                check="checked in benchmark",
                profile=info.get("profile", ""),
            )
        )
    corpora, sizes = list(CORPORA), list(SIZES)
    libs = list(DEFAULT_LIBRARIES)

    def order(m: Measurement) -> tuple[int, ...]:
        return tuple(
            seq.index(v) if v in seq else len(seq)
            for seq, v in ((corpora, m.corpus), (sizes, m.watchlist), (libs, m.library))
        )

    return sorted(rows, key=order)


def _targets(rows: list[Measurement], build: dict[str, dict[str, Any]]) -> str:
    """The issue's targets, checked against this run: value, goal, met or not.

    Each label names the profile of the tgematch rows it compares (from the
    measurements, so a seed-profile watchlist file is labelled as such).
    """
    speed = {(m.corpus, m.watchlist, m.library): m for m in rows if m.seconds > 0}

    def ratio(a: tuple[str, str, str], b: tuple[str, str, str], mb: bool = False) -> float | None:
        if a not in speed or b not in speed:
            return None
        x, y = speed[a], speed[b]
        return x.mb_per_s / y.mb_per_s if mb else x.docs_per_s / y.docs_per_s

    def profile(lib: str) -> str:
        """The profile ``lib`` ran in this run (its default when it did not run)."""
        ran = {m.profile for m in rows if m.library == lib and m.profile}
        if len(ran) == 1:
            return ran.pop()
        return "seed" if library(lib).profile == "seed" else "default"

    checks: list[tuple[str, float | None, str, bool | None]] = []

    def at_least(label: str, value: float | None, goal: float) -> None:
        checks.append((label, value, f">= {goal:g}", None if value is None else value >= goal))

    def at_most(label: str, value: float | None, goal: float) -> None:
        checks.append((label, value, f"<= {goal:g}", None if value is None else value <= goal))

    tw = ("tweets", "wl15")
    for native, python in (("native", "python"), ("native-seed", "python-seed")):
        at_least(
            f"tweets: native analyze() [{profile(native)}] / seed",
            ratio((*tw, native), (*tw, "seed")),
            100,
        )
        at_least(
            f"tweets: python engine [{profile(python)}] / seed",
            ratio((*tw, python), (*tw, "seed")),
            10,
        )
    at_least(
        f"tweets: native analyze() [{profile('native')}] / ahocorasick-rs raw",
        ratio((*tw, "native"), (*tw, "ahocorasick-rs")),
        1.2,
    )
    at_least(
        f"tweets: analyze_many (1 thread) [{profile('native-batch-1')}] / ahocorasick-rs raw",
        ratio((*tw, "native-batch-1"), (*tw, "ahocorasick-rs")),
        2,
    )
    at_least(
        f"articles: analyze_many (1 thread) [{profile('native-batch-1')}] MB/s "
        "/ hyperscan raw MB/s",
        ratio(("articles", "wl15", "native-batch-1"), ("articles", "wl15", "hyperscan"), True),
        1,
    )
    for corpus in ("tweets", "articles"):
        for lib in ("native", "native-batch-1"):
            r = ratio((corpus, "wl15", lib), (corpus, "wl10k", lib))
            at_most(f"{corpus}: {lib} [{profile(lib)}] per-doc cost, 10k / 15 companies", r, 1.5)
        at_least(
            f"{corpus}: analyze_many 2 threads / 1 thread [{profile('native-batch-2')}]",
            ratio((corpus, "wl15", "native-batch-2"), (corpus, "wl15", "native-batch-1")),
            1.7,
        )
    nb = build.get("native")
    label = f"native build of 10k companies [{nb['profile'] if nb else profile('native')}]"
    at_most(f"{label}, seconds", nb["seconds"] if nb else None, 0.2)
    at_most(f"{label}, retained RSS MB", nb["rss_mb"] if nb else None, 50)
    lines = ["| target | measured | goal | met |", "|---|---:|---:|---|"]
    for label, value, goal, ok in checks:
        shown = "—" if value is None else f"{value:,.2f}"
        met = "not measured" if ok is None else ("yes" if ok else "**no**")
        lines.append(f"| {label} | {shown} | {goal} | {met} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the comparison (or read pytest-benchmark JSON) and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", type=Path, default=None, help="shared data folder")
    ap.add_argument("--corpora", default="tweets,articles")
    ap.add_argument("--watchlists", default="wl15,wl1k,wl10k")
    ap.add_argument("--libraries", default=",".join(DEFAULT_LIBRARIES))
    ap.add_argument("--repeat", type=int, default=5, help="timed runs (best counts)")
    ap.add_argument("--budget", type=float, default=4.0, help="seconds per timed pass")
    ap.add_argument("--cpus", default=None, help="e.g. 0,1 (see above)")
    ap.add_argument("--no-build", action="store_true", help="skip the 10k build-cost table")
    ap.add_argument("--json", type=Path, default=None, help="write measurements as JSON")
    ap.add_argument("--from-json", type=Path, default=None, help="pytest-benchmark JSON")
    args = ap.parse_args(argv)

    if args.from_json:
        print(format_table(_from_json(args.from_json)))
        return 0
    shared = args.shared or shared_dir(Path(__file__))
    if shared is None or not (shared / "corpora").is_dir():
        print("bench_table: shared corpora not found (use --shared DIR)", file=sys.stderr)
        return 2
    base = shared / "watchlists" / "tge_watchlist.json"
    projects = shared / "corpora" / "crypto_projects.jsonl"
    corpora = {}
    for name in args.corpora.split(","):
        fname, field, title = CORPORA[name]
        corpora[name] = load_corpus(shared / "corpora" / fname, field, title)
    # both profiles of each: the default rows time modern, the seed rows and competitors seed
    watchlists: dict[str, BenchWatchlist] = {}
    for name in args.watchlists.split(","):
        n = SIZES[name]
        watchlists[name] = load_watchlist(base if n is None else f"projects:{n}:{projects}:{base}")
    libs = [library(n) for n in args.libraries.split(",")]
    cpus = [int(c) for c in args.cpus.split(",")] if args.cpus else None
    rows = compare(
        corpora,
        watchlists,
        libs,
        repeat=args.repeat,
        budget=args.budget,
        cpus=cpus,
        progress=sys.stderr.isatty(),
    )
    print(format_table(rows))
    build_rows: list[tuple[str, str, dict[str, Any] | str]] = []
    if not args.no_build:
        spec = f"projects:10000:{projects}:{base}"
        for name in BUILD_LIBRARIES:
            why = library(name).missing()
            if why:
                build_rows.append(("wl10k", name, why))
                continue
            try:
                build_rows.append(("wl10k", name, build_cost(spec, name)))
            except RuntimeError as e:
                build_rows.append(("wl10k", name, str(e)))
        print()
        print(format_build_table(build_rows))
    built = {lib: c for _, lib, c in build_rows if not isinstance(c, str)}
    print()
    print(_targets(rows, built))
    if args.json:
        from dataclasses import asdict

        args.json.write_text(
            json.dumps({"measurements": [asdict(m) for m in rows], "build": build_rows}, indent=1),
            encoding="utf-8",
        )
    bad = [m for m in rows if "MISMATCH" in m.check or m.check.startswith("error")]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
