"""Benchmarks of tgematch against what a user could pick instead (issue 4).

Loaded only by ``tgematch bench`` (and ``tools/bench_table.py``, the pytest-benchmark
suites of ``benches/``); ``import tgematch`` never imports it. Every library is a
:class:`Library`: ``make(watchlist)`` builds a runner, and a runner maps a list of
documents (``(content, title)`` pairs) to a list of results.

Profiles (``docs/matching.md`` §8). A watchlist is benchmarked as a
:class:`BenchWatchlist`: the configuration as written (the ``default`` profile: modern
unless it says ``profile = "seed"``) and the same configuration in the seed profile.
Each library runs on the one its :attr:`Library.profile` names, and every measurement
records the profile it ran (:attr:`Measurement.profile`). tgematch's ``python``,
``native`` and ``native-batch-N`` rows time what a user gets by default; their ``-seed``
twins time the seed profile, so numbers from before the modern profile stay comparable.
The competitors that implement the seed's semantics (``seed``, ``pyahocorasick``) run on
the seed profile and are checked against the pure-Python engine in that profile; the raw
matchers have no semantics beyond a literal set and scan the default profile's literals,
the ones tgematch's default rows scan.

Full analysis (``docs/matching.md`` §7; results are :class:`~tgematch.Analysis` objects
and must equal the pure-Python engine's in the same profile, document by document):

``native``, ``native-seed``
    ``Matcher(wl, "native").analyze(content, title)`` once per document.
``native-batch-N``, ``native-batch-N-seed``
    ``Matcher(wl, "native").analyze_many(docs, threads=N)`` (N = 1, 2, ...).
``python``, ``python-seed``
    ``Matcher(wl, "python").analyze`` once per document.
``pyahocorasick`` (seed profile)
    The same contract written on top of pyahocorasick, as a user would: fold the text
    (``tgematch._text.fold_space``), collapse runs of spaces, run a pyahocorasick
    automaton over the compiled watchlist's literals, check word boundaries,
    not-followed-by sets and gaps in Python, score like the Python engine.

The seed approach (seed profile; its own, cruder semantics; checked for stable answers
and compared with the relevance decisions of tgematch's seed profile):

``seed``
    What the system tgematch replaces did: one compiled ``re`` per company
    (``\\b(name|aliases...)\\b``, longest first), one per keyword rule (``\\b`` +
    ``re.escape(phrase)`` + ``\\b``; regex rules as written), per exclusion rule and per
    context term, all ``re.IGNORECASE``; one ``finditer``/``search`` per pattern per
    document, with the seed's early termination at 100 points.

Raw matching only (default profile; less work than an analysis: whole-word occurrences
of the compiled literals, no flexible whitespace, no gaps, no exact case, no scoring; the
result is a hit count):

``ahocorasick-rs``
    ahocorasick_rs over ``fold_space(text)``, overlapping matches, boundary check in Python.
``pyahocorasick-raw``
    The same with pyahocorasick.
``hyperscan``
    One hyperscan literal database (``HS_FLAG_CASELESS``) over the UTF-8 bytes, the
    whole-word check in the match callback.

Modules: :mod:`~tgematch.bench.corpus` (documents, watchlists in both profiles),
:mod:`~tgematch.bench.competitors` (the alternatives; third-party ones need the
``bench`` extra), :mod:`~tgematch.bench.libraries` (the registry),
:mod:`~tgematch.bench.harness` (timing, checks), :mod:`~tgematch.bench.table`
(Markdown tables) and :mod:`~tgematch.bench.probe` (build cost in a fresh interpreter).
This module is the command: :func:`add_bench_parser` and :func:`run_bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..inputs import add_field_options, fields_from_args
from .competitors import PyAhoMatcher, SeedMatcher
from .corpus import (
    BenchWatchlist,
    Doc,
    doc_text,
    load_watchlist,
    projects_watchlist,
    read_corpus,
    utf8_size,
    watchlist_from_spec,
)
from .harness import Measurement, compare
from .libraries import DEFAULT_LIBRARIES, LIBRARIES, Library, library
from .probe import build_cost, rss_bytes
from .table import format_build_table, format_table

__all__ = [
    "DEFAULT_LIBRARIES",
    "LIBRARIES",
    "BenchWatchlist",
    "Doc",
    "Library",
    "Measurement",
    "PyAhoMatcher",
    "SeedMatcher",
    "add_bench_parser",
    "build_cost",
    "compare",
    "doc_text",
    "format_build_table",
    "format_table",
    "library",
    "load_watchlist",
    "projects_watchlist",
    "read_corpus",
    "rss_bytes",
    "run_bench",
    "utf8_size",
    "watchlist_from_spec",
]


# ------------------------------------------------------------------ the CLI
def _parse_cpus(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        cpus = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--cpus: expected e.g. 0 or 0,1, not {text!r}") from None
    return cpus or None


def add_bench_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``tgematch bench`` on an argparse subparsers object; returns its parser.

    The parser's defaults are ``func=run_bench`` and ``handler`` (the same, with the
    ``(args, out, err)`` signature of ``tgematch.cli``'s handlers).
    """
    p: argparse.ArgumentParser = subparsers.add_parser(
        "bench",
        help="compare tgematch with the alternatives on a JSONL corpus",
        description=(
            "Time tgematch and the alternatives a user could pick (the seed's "
            "one-regex-per-pattern approach, pyahocorasick, ahocorasick-rs, hyperscan) on "
            "any JSONL corpus and watchlist, check their answers, and print a Markdown "
            "table of docs/s, MB/s and the ratio to the seed approach. tgematch's rows run "
            'the watchlist as configured (modern unless it says profile = "seed"), its '
            "-seed rows and the competitors with the seed's semantics (seed, "
            "pyahocorasick) the seed profile; the profile column says which. Libraries "
            "that are not installed get a row saying so."
        ),
    )
    p.add_argument(
        "corpus",
        type=Path,
        help="JSONL, CSV or text file (one document per line), read as `tgematch scan` does",
    )
    add_field_options(p)  # the same options and defaults as `tgematch scan`
    p.add_argument(
        "--watchlist", type=Path, default=None, help="JSON/TOML watchlist (default: the example)"
    )
    p.add_argument(
        "--libraries",
        default=",".join(DEFAULT_LIBRARIES),
        help=f"comma-separated (default: {','.join(DEFAULT_LIBRARIES)}; also native-batch-N)",
    )
    p.add_argument("--repeat", type=int, default=3, help="timed runs per library (best counts)")
    p.add_argument(
        "--budget",
        type=float,
        default=10.0,
        help="seconds per timed run; slower libraries run on a uniform sample (default 10)",
    )
    p.add_argument("--limit", type=int, default=None, help="read only the first N documents")
    p.add_argument(
        "--cpus",
        default=None,
        help="pin runs: single-threaded ones to the first CPU, N-thread ones to the first N "
        "(e.g. 0,1)",
    )
    p.add_argument("--no-check", action="store_true", help="skip the answer checks")
    p.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_bench, handler=_cli_handler)
    return p


def _cli_handler(args: argparse.Namespace, _out: object, _err: object) -> int:
    """``tgematch.cli``'s handler signature ``(args, out, err)``: runs :func:`run_bench`."""
    return run_bench(args)


def _check_writable(path: Path) -> None:
    """Fail before the (long) run when ``path`` could not be written afterwards."""
    if path.is_dir():
        raise ValueError(f"--json {path}: is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise ValueError(f"--json {path}: directory {parent} does not exist")
    if not os.access(path if path.exists() else parent, os.W_OK):
        raise ValueError(f"--json {path}: not writable")


# what ``Watchlist.example()`` reads; the seed variant needs the configuration itself
_EXAMPLE_WATCHLIST = Path(__file__).parents[1] / "data" / "example_watchlist.toml"


def run_bench(args: argparse.Namespace) -> int:
    """Run ``tgematch bench``: 0 when every check passed, 1 on a mismatch, 2 on bad input."""
    try:
        names = [s.strip() for s in args.libraries.split(",") if s.strip()]
        libs = [library(n) for n in names]
        if args.repeat < 1:
            raise ValueError("--repeat must be at least 1")
        if args.budget <= 0:
            raise ValueError("--budget must be positive")
        cpus = _parse_cpus(args.cpus)
        docs = read_corpus(args.corpus, fields_from_args(args), args.limit)
        if not docs:
            raise ValueError(f"{args.corpus}: no documents")
        wl = load_watchlist(args.watchlist or _EXAMPLE_WATCHLIST)
        if args.json:
            _check_writable(args.json)
    except (OSError, ValueError, argparse.ArgumentTypeError) as e:
        print(f"tgematch bench: error: {e}", file=sys.stderr)
        return 2
    wl_name = args.watchlist.name if args.watchlist else "example"
    rows = compare(
        {args.corpus.name: docs},
        {wl_name: wl},
        libs,
        repeat=args.repeat,
        budget=args.budget,
        cpus=cpus,
        check=not args.no_check,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    rules = f"{len(wl.default.keywords):,} keyword rules ({wl.default.profile} profile"
    if wl.seed is not None and wl.seed is not wl.default:
        rules += f"; {len(wl.seed.keywords):,} in the seed profile"
    print(
        f"{len(docs):,} documents, {sum(utf8_size(doc_text(d)) for d in docs) / 1e6:.2f} MB; "
        f"watchlist {wl_name}: {len(wl.default.companies):,} companies, {rules}); "
        f"best of {args.repeat}\n"
    )
    print(format_table(rows))
    if args.json:
        try:
            args.json.write_text(json.dumps([asdict(m) for m in rows], indent=1), encoding="utf-8")
        except OSError as e:
            print(
                f"tgematch bench: error: cannot write {args.json}: {e.strerror or e}",
                file=sys.stderr,
            )
            return 1
    return 1 if any("MISMATCH" in m.check or m.check.startswith("error") for m in rows) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tgematch.bench ...``: the ``bench`` command without the CLI."""
    parser = argparse.ArgumentParser(prog="python -m tgematch.bench")
    sub = parser.add_subparsers(dest="command", required=True)
    add_bench_parser(sub)
    args = parser.parse_args(["bench", *(argv if argv is not None else sys.argv[1:])])
    return run_bench(args)


if __name__ == "__main__":
    raise SystemExit(main())
