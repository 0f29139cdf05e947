"""Measure tgematch on big inputs (issue 3, item 5): a 100 MB document and a
21,523-project watchlist, in both engines.

Usage (from a checkout, with or without the native module built)::

    python tools/measure_big.py                       # everything, both engines
    python tools/measure_big.py --sizes 25,50,100 --engines native,python
    python tools/measure_big.py --skip-document       # only the project watchlist
    python tools/measure_big.py --variant ascii --skip-projects   # ASCII-only document

Every measurement runs in a fresh ``python`` subprocess, so one measurement's memory
never shows in another's. Memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (the
peak resident set, KiB on Linux) read at points of the child's life; the tool prints
peaks *minus a baseline* taken after ``import tgematch`` (and, for the document, after
building the matcher), so the interpreter and the library do not count.

**The document.** ``news_articles.jsonl`` (``title\\ncontent`` per article, articles
separated by a blank line) repeated until the document holds the requested number of
megabytes (10**6 bytes of UTF-8, surrogates counted as their 3-byte
``surrogatepass`` form). Every 7th article gets an emoji inserted between two words
(so the ``str`` is stored with 4 bytes per character, the worst case for both
engines), and three articles of the corpus get a lone surrogate (``\\ud83d``,
``\\udc00``, ``\\udfff``), so a 100 MB document carries a few dozen of them. The
document is built as one ``"".join`` of repeated chunks, so building it never holds
much more than the document itself. It is analysed once with the real watchlist
``watchlists/tge_watchlist.json``; the row reports the analysis time, the throughput,
the peak RSS during ``analyze`` minus the RSS just before it ("analyze extra"), and the
peak RSS of the whole child minus its baseline ("total", which includes the document).
Time linear in the size shows as a constant MB/s column. ``--variant no-surrogates``
(emoji only) and ``--variant ascii`` (the corpus with every non-ASCII character replaced
by ``?``, no emoji) measure the engines' other text paths.

**The project watchlist.** :func:`project_watchlist`: one company per distinct
``name`` of ``corpora/crypto_projects.jsonl`` (file order), its distinct symbols as
tokens (cashtags), no aliases, no exclusions, the built-in keyword rules, exclusion
rules and context terms. Names or symbols that are empty after the matcher's
normalisation (fold, collapse whitespace, strip; a symbol whose cashtag would be only
``$`` counts as empty) cannot be phrases (``ConfigError``): such a symbol is left out of
its company, and a company whose name is empty is left out with its symbols; every one
is *listed* in the report, never dropped silently. (The shared data has none today.)
The tool reports, per engine, the time to validate the watchlist, the time to build the
``Matcher`` (compile + engine) and the peak RSS of the build minus the baseline, then
checks in one more child that both engines give identical ``analyze`` and ``find`` on
every tweet of ``corpora/founder_tweets.jsonl``.

The shared folder is ``--shared``, else ``$TGEMATCH_SHARED``, else ``../shared`` next to
the repository, else ``/work/shared``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
try:
    import tgematch  # installed, or on PYTHONPATH
except ImportError:  # run from a checkout without installing: use its sources
    sys.path.insert(0, str(REPO / "python"))
    import tgematch

from tgematch import Matcher, Watchlist  # noqa: E402
from tgematch._text import normalize_phrase  # noqa: E402
from tgematch.syntax import cashtag  # noqa: E402
from tgematch.watchlist import name_key  # noqa: E402

MB = 10**6
EMOJI = ("🚀", "🔥", "😀", "🐈", "🤡", "💎", "🧠", "🇺🇸", "👍🏽", "❤️")
SURROGATES = ("\ud83d", "\udc00", "\udfff")
EMOJI_EVERY = 7
SURROGATE_ARTICLES = (11, 1234, 2400)


# ------------------------------------------------------------------------ inputs
def shared_dir(explicit: str | None = None) -> Path:
    """The shared data folder: ``explicit``, ``$TGEMATCH_SHARED``, ``../shared``, ``/work/shared``.

    Raises FileNotFoundError when none of them has a ``corpora`` folder.
    """
    candidates = [explicit, os.environ.get("TGEMATCH_SHARED"), REPO.parent / "shared"]
    for c in [*candidates, "/work/shared"]:
        if c and (Path(c) / "corpora").is_dir():
            return Path(c)
    raise FileNotFoundError("no shared data folder (give --shared DIR or set TGEMATCH_SHARED)")


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines file (blank lines skipped)."""
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


@dataclass
class ProjectReport:
    """How the project records became companies (nothing is dropped without a line here)."""

    records: int = 0
    companies: int = 0
    tokens: int = 0
    shared_symbols: int = 0
    skipped_names: list[tuple[str, list[str]]] = field(default_factory=list)
    skipped_symbols: list[tuple[str, str]] = field(default_factory=list)
    merged_names: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary, one fact per line."""
        out = [
            f"records: {self.records}, companies (distinct names): {self.companies}, "
            f"cashtags: {self.tokens}, symbols shared by 2+ companies: {self.shared_symbols}",
            f"names empty after normalisation (company left out): {len(self.skipped_names)}",
        ]
        out += [f"  - name {n!r} with symbols {s!r}" for n, s in self.skipped_names]
        out.append(
            f"symbols empty after normalisation (left out of their company): "
            f"{len(self.skipped_symbols)}"
        )
        out += [f"  - symbol {s!r} of {n!r}" for n, s in self.skipped_symbols]
        out.append(
            f"names equal to an earlier one after case folding (merged into it): "
            f"{len(self.merged_names)}"
        )
        out += [f"  - name {n!r} merged into {f!r}" for n, f in self.merged_names]
        return out


def symbol_is_empty(symbol: str) -> bool:
    """True when ``symbol`` cannot be a cashtag: nothing, or only ``$``, after normalisation."""
    return normalize_phrase(symbol) == "" or normalize_phrase(cashtag(symbol)) == "$"


def project_companies(
    records: Iterable[dict[str, Any]],
) -> tuple[list[dict[str, Any]], ProjectReport]:
    """Company dicts from ``crypto_projects.jsonl`` records, and the report of what was left out.

    One company per distinct ``name`` (exact string, first-seen order); its distinct
    symbols (first-seen order) are its ``tokens``. See the module docstring for names and
    symbols that are empty after normalisation. A name equal to an earlier one after
    case folding (``tgematch.watchlist.name_key``) is merged into it, as a watchlist
    refuses such duplicates: its symbols join the earlier company's.
    """
    report = ProjectReport()
    symbols: dict[str, list[str]] = {}
    first: dict[str, str] = {}
    merged: set[tuple[str, str]] = set()
    for rec in records:
        report.records += 1
        name, sym = str(rec["name"]), str(rec["symbol"])
        # Names empty after normalisation all fold to "": they are left out below, each.
        spelt = first.setdefault(name_key(name), name) if normalize_phrase(name) else name
        if spelt != name and (name, spelt) not in merged:
            merged.add((name, spelt))
            report.merged_names.append((name, spelt))
        syms = symbols.setdefault(spelt, [])
        if sym not in syms:
            syms.append(sym)
    companies: list[dict[str, Any]] = []
    holders: dict[str, int] = {}
    for name, syms in symbols.items():
        if not normalize_phrase(name):
            report.skipped_names.append((name, syms))
            continue
        tokens = []
        for s in syms:
            if symbol_is_empty(s):
                report.skipped_symbols.append((name, s))
            else:
                tokens.append(s)
                key = normalize_phrase(cashtag(s))
                holders[key] = holders.get(key, 0) + 1
        companies.append({"name": name, "tokens": tokens})
    report.companies = len(companies)
    report.tokens = sum(len(c["tokens"]) for c in companies)
    report.shared_symbols = sum(1 for n in holders.values() if n > 1)
    return companies, report


def project_watchlist(
    records: Iterable[dict[str, Any]], profile: str = "modern"
) -> tuple[Watchlist, ProjectReport]:
    """The project watchlist (:func:`project_companies` plus the built-in rules of
    ``profile``)."""
    companies, report = project_companies(records)
    return Watchlist.from_dict({"companies": companies, "profile": profile}), report


def _with_emoji(text: str, rng: random.Random) -> str:
    """``text`` with one emoji inserted before a random word."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        return text + " " + rng.choice(EMOJI)
    i = rng.choice(spaces)
    return f"{text[: i + 1]}{rng.choice(EMOJI)} {text[i + 1 :]}"


VARIANTS = ("mixed", "no-surrogates", "ascii")


def base_chunks(shared: Path, variant: str = "mixed") -> list[tuple[str, int]]:
    """One pass over the news corpus as ``(chunk, UTF-8 size)``.

    ``variant``: ``mixed`` (emoji and lone surrogates mixed in, the default),
    ``no-surrogates`` (emoji only) or ``ascii`` (no emoji, and every non-ASCII character
    of the corpus replaced by ``?``: the engines' ASCII fast paths).
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}, not {variant!r}")
    rng = random.Random(20261128)
    chunks: list[tuple[str, int]] = []
    for k, rec in enumerate(read_jsonl(shared / "corpora" / "news_articles.jsonl")):
        text = f"{rec.get('title') or ''}\n{rec['content']}"
        if variant == "ascii":
            text = text.encode("ascii", "replace").decode("ascii")
        elif k % EMOJI_EVERY == 0:
            text = _with_emoji(text, rng)
        if variant == "mixed" and k in SURROGATE_ARTICLES:
            s = SURROGATES[SURROGATE_ARTICLES.index(k)]
            mid = len(text) // 2
            text = f"{text[:mid]} {s} {text[mid:]}"
        text += "\n\n"
        chunks.append((text, len(text.encode("utf-8", "surrogatepass"))))
    return chunks


def build_document(shared: Path, megabytes: float, variant: str = "mixed") -> tuple[str, int]:
    """The news corpus repeated to ``megabytes`` * 10**6 UTF-8 bytes, and its exact size.

    See the module docstring and :func:`base_chunks` for ``variant``. The document is one
    ``"".join`` of repeated chunks, so building it holds little more than the result.
    """
    target = int(megabytes * MB)
    chunks = base_chunks(shared, variant)
    parts: list[str] = []
    size = 0
    while size < target:
        for text, n in chunks:
            if size >= target:
                break
            parts.append(text)
            size += n
    return "".join(parts), size


# ------------------------------------------------------------------------ children
def peak_kib() -> int:
    """Peak resident set of this process so far, in KiB (Linux ``ru_maxrss``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def current_kib() -> int:
    """Current resident set of this process in KiB (``/proc/self/statm``; peak elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return peak_kib()
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def digest(values: Sequence[Any]) -> str:
    """A short fingerprint of results (their ``repr``), to compare engines across processes."""
    h = hashlib.sha256()
    for v in values:
        h.update(repr(v).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:16]


def child_document(shared: Path, engine: str, megabytes: float, variant: str) -> dict[str, Any]:
    """Analyse a document of ``megabytes`` with the real watchlist; memory and time."""
    matcher = Matcher(Watchlist.from_file(shared / "watchlists" / "tge_watchlist.json"), engine)
    baseline = peak_kib()
    doc, doc_bytes = build_document(shared, megabytes, variant)
    str_bytes = sys.getsizeof(doc)
    before = current_kib()
    peak_before = peak_kib()
    t0, c0 = time.perf_counter(), time.process_time()
    analysis = matcher.analyze(doc)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = peak_kib()
    # A str without surrogates keeps the UTF-8 copy the native engine asked for.
    kept = sys.getsizeof(doc) - str_bytes
    return {
        "engine": matcher.backend,
        "megabytes": megabytes,
        "variant": variant,
        "doc_bytes": doc_bytes,
        "doc_chars": len(doc),
        "doc_str_bytes": str_bytes,
        "utf8_kept_bytes": kept,
        "surrogates": sum(doc.count(s) for s in SURROGATES),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "baseline_kib": baseline,
        "before_kib": before,
        "peak_before_kib": peak_before,
        "peak_kib": peak,
        "companies": len(analysis.companies),
        "confidence": analysis.confidence,
        "digest": digest([analysis]),
    }


def child_projects(shared: Path, engine: str) -> dict[str, Any]:
    """Build the project watchlist in ``engine``; time, memory and a result fingerprint."""
    records = list(read_jsonl(shared / "corpora" / "crypto_projects.jsonl"))
    tweets = [r["text"] for r in read_jsonl(shared / "corpora" / "founder_tweets.jsonl")]
    baseline = peak_kib()
    t0 = time.perf_counter()
    watchlist, report = project_watchlist(records)
    t1 = time.perf_counter()
    matcher = Matcher(watchlist, engine)
    t2 = time.perf_counter()
    peak = peak_kib()
    analyses = [matcher.analyze(t) for t in tweets]
    t3 = time.perf_counter()
    finds = [matcher.find(t) for t in tweets]
    return {
        "engine": matcher.backend,
        "report": report.lines(),
        "companies": len(watchlist.companies),
        "literals": len(matcher.compiled.literals),
        "validate_seconds": t1 - t0,
        "build_seconds": t2 - t1,
        "baseline_kib": baseline,
        "peak_kib": peak,
        "tweets": len(tweets),
        "analyze_seconds": t3 - t2,
        "matched_tweets": sum(1 for a in analyses if a.companies),
        "digest": digest([*analyses, *finds]),
    }


def child_compare(shared: Path) -> dict[str, Any]:
    """Both engines on every tweet with the project watchlist: count and show differences."""
    records = read_jsonl(shared / "corpora" / "crypto_projects.jsonl")
    tweets = [r["text"] for r in read_jsonl(shared / "corpora" / "founder_tweets.jsonl")]
    watchlist, _ = project_watchlist(records)
    native, python = Matcher(watchlist, "native"), Matcher(watchlist, "python")
    diffs: list[str] = []
    company_hits = 0
    for i, t in enumerate(tweets):
        a, b = native.analyze(t), python.analyze(t)
        company_hits += len(a.companies)
        if a != b:
            diffs.append(f"analyze tweet {i}: native {a!r} python {b!r}")
        fa, fb = native.find(t), python.find(t)
        if fa != fb:
            diffs.append(f"find tweet {i}: native {fa!r} python {fb!r}")
    return {
        "tweets": len(tweets),
        "company_hits": company_hits,
        "differences": len(diffs),
        "first": diffs[:3],
    }


def run_child(args: list[str]) -> dict[str, Any]:
    """Run this script as ``--child ...`` in a fresh interpreter; its JSON result."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{proc.stderr.strip()}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# ------------------------------------------------------------------------ report
def mib(kib: int) -> str:
    """KiB as MiB with one decimal."""
    return f"{kib / 1024:.1f}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = [
        "| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join([line, sep, *body])


def available_engines(wanted: Sequence[str]) -> list[str]:
    """``wanted`` without ``native`` when the native module does not import (with a note)."""
    try:
        import tgematch._native  # noqa: F401
    except ImportError as e:
        if "native" in wanted:
            print(f"note: native engine unavailable ({e}); measuring python only")
        return [e for e in wanted if e != "native"]
    return list(wanted)


def measure_document(
    shared: Path, engines: Sequence[str], sizes: Sequence[float], variant: str, repeat: int = 1
) -> bool:
    """Print the document table; False when the engines' results differ at some size.

    Each cell is measured ``repeat`` times, each in its own child; the fastest run is
    shown (the others only add noise from the rest of the machine).
    """
    rows = []
    digests: dict[float, set[str]] = {}
    for engine in engines:
        for mb in sizes:
            runs = [
                run_child(["--child", "document", str(shared), engine, str(mb), variant])
                for _ in range(max(1, repeat))
            ]
            r = min(runs, key=lambda x: float(x["seconds"]))
            digests.setdefault(mb, set()).update(x["digest"] for x in runs)
            total = r["peak_kib"] - r["baseline_kib"]
            extra = r["peak_kib"] - r["before_kib"]
            if r["peak_kib"] <= r["peak_before_kib"]:
                # analyze never rose above the peak of building the document: its own
                # peak is hidden, and only bounded by that earlier peak.
                print(f"  note: {engine} {mb} MB: analyze peak hidden by the build peak")
            if r["utf8_kept_bytes"]:
                print(
                    f"  note: {engine} {mb} MB: the str now holds a cached UTF-8 copy of "
                    f"{r['utf8_kept_bytes'] / MB:.0f} MB (counted in analyze extra)"
                )
            rows.append(
                [
                    engine,
                    f"{r['doc_bytes'] / MB:.1f}",
                    f"{r['doc_str_bytes'] / MB:.0f}",
                    str(r["surrogates"]),
                    f"{r['seconds']:.2f}",
                    f"{r['cpu_seconds']:.2f}",
                    f"{r['doc_bytes'] / MB / r['seconds']:.1f}",
                    mib(extra),
                    f"{extra * 1024 / r['doc_bytes']:.2f}",
                    mib(total),
                    f"{total * 1024 / r['doc_bytes']:.2f}",
                    f"{r['companies']}/{r['confidence']}",
                ]
            )
            times = ", ".join(f"{x['seconds']:.2f}" for x in runs)
            print(f"  {engine} {mb} MB: {times} s", flush=True)
    print()
    print(
        table(
            [
                "engine",
                "doc MB",
                "str MB",
                "surr.",
                "analyze s",
                "cpu s",
                "MB/s",
                "analyze extra MiB",
                "x doc",
                "total MiB",
                "x doc",
                "companies/conf",
            ],
            rows,
        )
    )
    same = all(len(d) == 1 for d in digests.values())
    print(f"engines agree on every document size: {'yes' if same else 'NO'}")
    return same


def measure_projects(shared: Path, engines: Sequence[str]) -> bool:
    """Print the project-watchlist table; False when the engines' results differ."""
    rows = []
    results = []
    for engine in engines:
        r = run_child(["--child", "projects", str(shared), engine])
        results.append(r)
        rows.append(
            [
                engine,
                str(r["companies"]),
                str(r["literals"]),
                f"{r['validate_seconds']:.2f}",
                f"{r['build_seconds']:.2f}",
                mib(r["peak_kib"] - r["baseline_kib"]),
                f"{r['analyze_seconds']:.2f}",
                f"{r['matched_tweets']}/{r['tweets']}",
                r["digest"],
            ]
        )
    print("\n".join(results[0]["report"]))
    print()
    print(
        table(
            [
                "engine",
                "companies",
                "literals",
                "validate s",
                "build s",
                "build peak MiB",
                "analyze tweets s",
                "tweets w/ company",
                "digest",
            ],
            rows,
        )
    )
    ok = len({r["digest"] for r in results}) == 1
    if "native" in engines and "python" in engines:
        c = run_child(["--child", "compare", str(shared)])
        ok = ok and c["differences"] == 0
        print(
            f"identical analyze/find on {c['tweets']} tweets: "
            f"{'yes' if c['differences'] == 0 else 'NO'} ({c['differences']} differences, "
            f"{c['company_hits']} company hits)"
        )
        for d in c["first"]:
            print(f"  {d[:500]}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: the measurements, or one child measurement with ``--child``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        kind, shared = argv[1], Path(argv[2])
        if kind == "document":
            out = child_document(shared, argv[3], float(argv[4]), argv[5])
        elif kind == "projects":
            out = child_projects(shared, argv[3])
        else:
            out = child_compare(shared)
        print(json.dumps(out))
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shared", help="shared data folder (corpora/, watchlists/)")
    p.add_argument("--sizes", default="25,50,100", help="document sizes in MB (10**6 bytes)")
    p.add_argument("--engines", default="native,python", help="engines to measure")
    p.add_argument(
        "--variant",
        choices=VARIANTS,
        default="mixed",
        help="document text: emoji and surrogates (mixed), emoji only, or ASCII only",
    )
    p.add_argument("--repeat", type=int, default=1, help="runs per document cell (fastest shown)")
    p.add_argument("--skip-document", action="store_true", help="skip the big document")
    p.add_argument("--skip-projects", action="store_true", help="skip the project watchlist")
    a = p.parse_args(argv)
    shared = shared_dir(a.shared)
    engines = available_engines([e.strip() for e in a.engines.split(",") if e.strip()])
    print(f"python {sys.version.split()[0]}, tgematch from {Path(tgematch.__file__).parent}")
    print(f"shared data: {shared}")
    ok = True
    if not a.skip_document:
        sizes = [float(s) for s in a.sizes.split(",") if s.strip()]
        print(
            f"\n## Document analysis with tge_watchlist.json ({', '.join(engines)}; "
            f"{a.variant} text)"
        )
        ok = measure_document(shared, engines, sizes, a.variant, a.repeat) and ok
    if not a.skip_projects:
        print(f"\n## Watchlist of crypto_projects.jsonl ({', '.join(engines)})")
        ok = measure_projects(shared, engines) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
