"""Benchmarks of tgematch against what a user could pick instead (issue 4).

Used by ``tgematch bench``, ``tools/bench_table.py`` and the pytest-benchmark suites of
``benches/``. Every library is a :class:`Library`: ``make(watchlist)`` builds a runner,
and a runner maps a list of documents (``(content, title)`` pairs) to a list of results.

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
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ._text import CLASSES, GLUE, fold_space
from .compiled import CompiledWatchlist, compile_watchlist
from .engine_python import PythonEngine
from .inputs import (
    WATCHLIST_MAX_BYTES,
    Fields,
    Skipped,
    add_field_options,
    discover_inputs,
    fields_from_args,
    read_input,
    read_regular_file,
)
from .matcher import Matcher
from .results import Analysis, build_analysis, build_occurrences
from .watchlist import ConfigError, Watchlist, name_key

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
    "load_corpus",
    "load_watchlist",
    "projects_watchlist",
    "read_corpus",
    "rss_bytes",
    "run_bench",
    "shared_dir",
    "utf8_size",
    "watchlist_from_spec",
]

Doc = tuple[str, str | None]
"""A document: ``(content, title)``; the scanned text is ``f"{title}\\n{content}"``."""
Runner = Callable[[Sequence[Doc]], list[Any]]


def doc_text(doc: Doc) -> str:
    """The text tgematch scans for a document (contract §4)."""
    content, title = doc
    return content if title is None else f"{title}\n{content}"


# ----------------------------------------------------------------------------- data
def shared_dir(start: Path | None = None) -> Path | None:
    """The shared data folder (corpora, watchlists), or None when it is absent.

    ``$TGEMATCH_SHARED`` when set (None if it has no ``corpora/``); else the first
    ``shared/`` beside a parent of ``start`` (default this file), i.e. ``../shared`` next
    to the repository; else ``/work/shared``.
    """
    env = os.environ.get("TGEMATCH_SHARED")
    if env:
        return Path(env) if (Path(env) / "corpora").is_dir() else None
    here = (start or Path(__file__)).resolve()
    candidates = [p / "shared" for p in here.parents] + [Path("/work/shared")]
    for c in candidates:
        if (c / "corpora").is_dir():
            return c
    return None


def load_corpus(
    path: str | os.PathLike[str],
    field: str = "text",
    title_field: str | None = None,
    limit: int | None = None,
) -> list[Doc]:
    """Read a JSONL corpus: one ``(record[field], record[title_field] or None)`` per line.

    Raises ValueError naming the line when a record is not an object or lacks ``field``
    (a string), or has a non-string title.
    """
    docs: list[Doc] = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if limit is not None and len(docs) >= limit:
                break
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{lineno}: not valid JSON: {e}") from None
            if not isinstance(rec, dict):
                raise ValueError(f"{path}:{lineno}: expected a JSON object per line")
            content = rec.get(field)
            if not isinstance(content, str):
                raise ValueError(
                    f"{path}:{lineno}: field {field!r} is missing or not a string "
                    f"(fields: {', '.join(sorted(rec)) or 'none'})"
                )
            title = None
            if title_field is not None:
                title = rec.get(title_field)
                if title is not None and not isinstance(title, str):
                    raise ValueError(f"{path}:{lineno}: field {title_field!r} is not a string")
            docs.append((content, title))
    return docs


def read_corpus(path: Path, fields: Fields, limit: int | None = None) -> list[Doc]:
    """The documents of ``path`` read as ``tgematch scan`` reads them (formats, fields).

    A benchmark needs every record: the first one ``scan`` would skip is a ValueError
    naming its file and line, instead of a smaller corpus than asked for.
    """
    files = discover_inputs([str(path)])
    docs: list[Doc] = []
    for inp in files:
        for item in read_input(inp, fields):
            if limit is not None and len(docs) >= limit:
                return docs
            if isinstance(item, Skipped):
                raise ValueError(f"{item.source}: {item.reason}")
            docs.append((item.content, item.title))
    return docs


def projects_watchlist(
    n: int,
    projects: str | os.PathLike[str],
    base: str | os.PathLike[str],
    profile: str | None = None,
) -> Watchlist:
    """A watchlist of ``n`` companies from a ``crypto_projects.jsonl`` file.

    One company per distinct ``name`` (first ``n`` in file order), its symbols as
    cashtags; keyword tiers, exclusion phrases and every other key from the watchlist
    file ``base`` (its companies are dropped). Names equal after case folding ("APE",
    "Ape") are one company, spelt as first seen, with the symbols of all of them: a
    watchlist refuses such duplicates, and matching folds case anyway. ``profile``
    ("modern" or "seed") overrides the profile ``base`` gives (default: modern).
    """
    config = _projects_config(n, projects, base)
    if profile is not None:
        config["profile"] = profile
    return Watchlist.from_dict(config)


def _projects_config(
    n: int, projects: str | os.PathLike[str], base: str | os.PathLike[str]
) -> dict[str, Any]:
    """The configuration :func:`projects_watchlist` builds its watchlist from."""
    symbols: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    with open(projects, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            key, sym = name_key(rec["name"]), rec["symbol"]
            if key not in symbols:
                if len(symbols) == n:
                    continue
                symbols[key] = []
                spelling[key] = rec["name"]
            if sym not in symbols[key]:
                symbols[key].append(sym)
    if len(symbols) < n:
        raise ValueError(f"{projects}: only {len(symbols)} distinct names, {n} requested")
    config: dict[str, Any] = json.loads(Path(base).read_text(encoding="utf-8"))
    config["companies"] = [{"name": spelling[k], "tokens": v} for k, v in symbols.items()]
    return config


@dataclass(frozen=True)
class BenchWatchlist:
    """One watchlist in the two profiles the libraries need (``docs/matching.md`` §8).

    ``default`` is what the configuration builds, modern unless it says
    ``profile = "seed"``: what a user gets, timed by tgematch's default rows. ``seed`` is
    the same configuration with ``profile = "seed"``, for the libraries that implement
    the seed's semantics and for the ``-seed`` rows. It is None when there is no seed
    variant (``why_no_seed`` says why): a bare modern :class:`Watchlist` cannot be turned
    back into its configuration, and the seed profile refuses what the modern one
    accepts (a rule with a built-in rule's pattern).
    """

    default: Watchlist
    seed: Watchlist | None
    why_no_seed: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BenchWatchlist:
        """Both profiles of a configuration (as :meth:`Watchlist.from_dict` reads it)."""
        return cls._with_seed(Watchlist.from_dict(config), config)

    @classmethod
    def of(cls, watchlist: Watchlist) -> BenchWatchlist:
        """A built watchlist alone: it is its own seed variant only in the seed profile."""
        if watchlist.profile == "seed":
            return cls(watchlist, watchlist)
        return cls(watchlist, None, "no seed-profile watchlist given")

    @classmethod
    def _with_seed(cls, default: Watchlist, config: Mapping[str, Any]) -> BenchWatchlist:
        if default.profile == "seed":
            return cls(default, default)
        try:
            return cls(default, Watchlist.from_dict({**config, "profile": "seed"}))
        except ConfigError as e:
            return cls(default, None, f"not a valid seed-profile watchlist: {e}")

    def get(self, profile: str) -> Watchlist | None:
        """The watchlist for a :attr:`Library.profile` (``"default"`` or ``"seed"``)."""
        return self.seed if profile == "seed" else self.default


def load_watchlist(spec: str | os.PathLike[str]) -> BenchWatchlist:
    """Both profiles of a watchlist spec (see :func:`watchlist_from_spec`)."""
    text = os.fspath(spec)
    if text.startswith("projects:"):
        _, n, projects, base = text.split(":", 3)
        return BenchWatchlist.from_config(_projects_config(int(n), projects, base))
    # from_file first: it validates the file and names it in every error
    default = Watchlist.from_file(text)
    path = Path(text)
    raw = read_regular_file(path, WATCHLIST_MAX_BYTES).decode("utf-8-sig")
    config = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw)
    return BenchWatchlist._with_seed(default, config)


def watchlist_from_spec(spec: str, profile: str = "default") -> Watchlist:
    """A watchlist from a spec: a file path, or ``projects:N:PROJECTS.jsonl:BASE.json``.

    ``profile`` is a :attr:`Library.profile`: ``"default"`` (as configured) or
    ``"seed"`` (ValueError when the configuration has no seed variant).
    """
    if profile == "seed":
        bw = load_watchlist(spec)
        if bw.seed is None:
            raise ValueError(f"{spec}: {bw.why_no_seed}")
        return bw.seed
    if spec.startswith("projects:"):
        _, n, projects, base = spec.split(":", 3)
        return projects_watchlist(int(n), projects, base)
    return Watchlist.from_file(spec)


# ----------------------------------------------------------------------- the seed
class SeedMatcher:
    """The seed system's approach: one compiled ``re`` per company and per rule.

    Reproduces the seed's ``OptimizedPatternMatcher.analyze_content_relevance`` in
    spirit, from a :class:`Watchlist` in the seed profile (a modern one would bring the
    modern rules and scoring defaults, which the seed never had): companies (name and
    aliases; the seed knew no cashtags) in configuration order, each vetoed by its own
    exclusion phrases; keyword rules by descending weight; both lists stop once their
    running score reaches 100; proximity +20 from each company's positions and each
    keyword's first position; exclusion penalties halved in crypto context.
    """

    THRESHOLD = 100

    def __init__(self, watchlist: Watchlist) -> None:
        flags = re.IGNORECASE
        sc = watchlist.scoring

        def phrase(p: str) -> str:
            return r"\b" + re.escape(p) + r"\b"

        self.companies: list[tuple[str, int, re.Pattern[str], re.Pattern[str] | None]] = []
        for c in watchlist.companies:
            terms = sorted([c.name, *c.aliases], key=len, reverse=True)
            pat = re.compile(r"\b(" + "|".join(map(re.escape, terms)) + r")\b", flags)
            excl = (
                re.compile(r"\b(" + "|".join(map(re.escape, c.exclusions)) + r")\b", flags)
                if c.exclusions
                else None
            )
            score = sc.company_score + (sc.high_priority_bonus if c.priority == "HIGH" else 0)
            self.companies.append((c.name, score, pat, excl))
        ranked = sorted(range(len(watchlist.keywords)), key=lambda i: -watchlist.keywords[i].weight)
        self.keywords = [
            (
                watchlist.keywords[i].pattern,
                watchlist.keywords[i].weight,
                re.compile(
                    watchlist.keywords[i].pattern
                    if watchlist.keywords[i].regex
                    else phrase(watchlist.keywords[i].pattern),
                    flags,
                ),
            )
            for i in ranked
        ]
        self.exclusions = [
            (x.label, x.penalty, re.compile(x.pattern if x.regex else phrase(x.pattern), flags))
            for x in watchlist.exclusions
        ]
        self.context = [re.compile(phrase(t), flags) for t in watchlist.context_terms]
        self.proximity_distance = sc.proximity_distance
        self.proximity_boost = sc.proximity_boost
        self.threshold = sc.relevance_threshold

    def analyze(self, text: str) -> tuple[bool, int, tuple[str, ...]]:
        """``(is_relevant, confidence 0-100, matched companies)`` for one text."""
        companies: list[str] = []
        company_pos: list[list[int]] = []
        conf_c = 0
        for name, score, pat, excl in self.companies:
            positions = [m.start() for m in pat.finditer(text)]
            if positions and (excl is None or not excl.search(text)):
                companies.append(name)
                company_pos.append(positions)
                conf_c += score
                if conf_c >= self.THRESHOLD:
                    break
        keyword_pos: list[int] = []
        conf_k = 0
        for _, weight, pat in self.keywords:
            m = pat.search(text)
            if m:
                keyword_pos.append(m.start())
                conf_k += weight
                if conf_k >= self.THRESHOLD:
                    break
        boost = 0
        if any(
            abs(c - k) < self.proximity_distance
            for ps in company_pos
            for c in ps
            for k in keyword_pos
        ):
            boost = self.proximity_boost
        context = any(p.search(text) for p in self.context)
        penalty = 0
        for _, pen, pat in self.exclusions:
            if pat.search(text):
                penalty += pen // 2 if context else pen
        conf = max(0, min(100, conf_c + conf_k + boost - penalty))
        return conf >= self.threshold, conf, tuple(companies)


# ------------------------------------------------------------ pyahocorasick, full
class _PyAhoEngine(PythonEngine):
    """The Python engine's contract with a pyahocorasick automaton as the scanner.

    Only ``_scan`` differs; combining gap parts and scoring are the Python engine's.
    """

    def __init__(self, compiled: CompiledWatchlist) -> None:  # no super(): no trie regex
        import ahocorasick  # type: ignore[import-not-found]

        self._init_units(compiled)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for i, literal in enumerate(compiled.literals):
            automaton.add_word(literal, i)
        if compiled.literals:
            automaton.make_automaton()
        self._automaton = automaton

    def _literal_matches(self, collapsed: str) -> Iterator[tuple[int, int]]:
        lens = self._lens
        for last, lid in self._automaton.iter(collapsed):
            yield last + 1 - lens[lid], lid


_RUNS = re.compile("  +")


class PyAhoMatcher:
    """tgematch's ``analyze``/``find`` contract implemented on pyahocorasick."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.watchlist = watchlist
        self.compiled = compile_watchlist(watchlist)
        self._engine = _PyAhoEngine(self.compiled)

    def analyze(self, content: str, title: str | None = None) -> Analysis:
        """Same result as :meth:`tgematch.Matcher.analyze`."""
        text = content if title is None else f"{title}\n{content}"
        return build_analysis(self._engine.analyze(text), self.watchlist, self.compiled)

    def find(self, text: str) -> list[Any]:
        """Same result as :meth:`tgematch.Matcher.find`."""
        return build_occurrences(self._engine.find(text), self.compiled)


# ------------------------------------------------------------------ raw matchers
def _raw_ahocorasick_rs(watchlist: Watchlist) -> Runner:
    import ahocorasick_rs

    lits = compile_watchlist(watchlist).literals
    ac = ahocorasick_rs.AhoCorasick(lits)
    find = ac.find_matches_as_indexes

    def run(docs: Sequence[Doc]) -> list[Any]:
        out = []
        for doc in docs:
            text = doc_text(doc)
            folded = fold_space(text)
            out.append(
                _whole_word_hits(text, ((s, e) for _, s, e in find(folded, overlapping=True)))
            )
        return out

    return run


def _whole_word_hits(text: str, spans: Iterable[tuple[int, int]]) -> int:
    """How many raw ``(start, end)`` matches pass the whole-word check at both ends."""
    n, classes = len(text), CLASSES
    hits = 0
    for s, e in spans:
        if s and classes[ord(text[s - 1])] & classes[ord(text[s])] & GLUE:
            continue
        if e < n and classes[ord(text[e - 1])] & classes[ord(text[e])] & GLUE:
            continue
        hits += 1
    return hits


def _raw_pyahocorasick(watchlist: Watchlist) -> Runner:
    import ahocorasick

    lits = compile_watchlist(watchlist).literals
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for lit in lits:
        automaton.add_word(lit, len(lit))
    automaton.make_automaton()

    def run(docs: Sequence[Doc]) -> list[Any]:
        out = []
        for doc in docs:
            text = doc_text(doc)
            spans = automaton.iter(fold_space(text))
            out.append(_whole_word_hits(text, ((e + 1 - k, e + 1) for e, k in spans)))
        return out

    return run


# bytes that are word characters in a whole-word check on UTF-8 bytes: ASCII [0-9A-Za-z_]
_WORD_BYTES = bytes(
    1 if (chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_")) else 0 for b in range(256)
)


def _raw_hyperscan(watchlist: Watchlist) -> Runner:
    import hyperscan

    lits = [s.encode("utf-8") for s in compile_watchlist(watchlist).literals]
    db = hyperscan.Database()
    db.compile(
        expressions=lits,
        ids=list(range(len(lits))),
        elements=len(lits),
        flags=hyperscan.HS_FLAG_CASELESS,
        literal=True,
    )
    lens = [len(b) for b in lits]
    word = _WORD_BYTES

    def on_match(i: int, _f: int, e: int, _fl: int, context: object) -> None:
        ctx: list[Any] = context  # type: ignore[assignment]
        data, n = ctx[0], ctx[1]
        s = e - lens[i]
        if s and word[data[s - 1]] and word[data[s]]:
            return
        if e < n and word[data[e - 1]] and word[data[e]]:
            return
        ctx[2] += 1

    def run(docs: Sequence[Doc]) -> list[Any]:
        out = []
        for doc in docs:
            data = doc_text(doc).encode("utf-8", "surrogatepass")
            ctx = [data, len(data), 0]
            db.scan(data, match_event_handler=on_match, context=ctx)
            out.append(ctx[2])
        return out

    return run


# ------------------------------------------------------------------ the registry
@dataclass(frozen=True)
class Library:
    """One way to do the job: ``make(watchlist)`` returns a runner over documents.

    ``kind`` is ``"full"`` (results are Analysis objects equal to tgematch's),
    ``"seed"`` or ``"raw"``; ``threads`` is how many cores a run uses. ``profile`` is
    the watchlist it runs on (:meth:`BenchWatchlist.get`): ``"default"``, the watchlist
    as configured, or ``"seed"``, the seed profile of the same configuration.
    """

    name: str
    kind: str
    description: str
    make: Callable[[Watchlist], Runner]
    requires: str | None = None  # importable module; None when always available
    install: str = ""
    threads: int = 1
    profile: str = "default"

    def missing(self) -> str | None:
        """Why the library cannot run here, or None."""
        if self.requires is None:
            return None
        try:
            __import__(self.requires)
        except ImportError:
            return f"not installed ({self.install})" if self.install else "not built"
        return None


def _native(threads: int | None) -> Callable[[Watchlist], Runner]:
    def make(watchlist: Watchlist) -> Runner:
        m = Matcher(watchlist, backend="native")
        if threads is None:
            analyze = m.analyze
            return lambda docs: [analyze(c, t) for c, t in docs]
        return lambda docs: m.analyze_many(docs, threads=threads)

    return make


def _python(watchlist: Watchlist) -> Runner:
    analyze = Matcher(watchlist, backend="python").analyze
    return lambda docs: [analyze(c, t) for c, t in docs]


def _pyaho(watchlist: Watchlist) -> Runner:
    analyze = PyAhoMatcher(watchlist).analyze
    return lambda docs: [analyze(c, t) for c, t in docs]


def _seed(watchlist: Watchlist) -> Runner:
    analyze = SeedMatcher(watchlist).analyze
    return lambda docs: [analyze(doc_text(d)) for d in docs]


_NATIVE_MOD = "tgematch._native"


def _seed_twin(lib: Library) -> Library:
    """``lib`` on the seed profile: the row that stays comparable with numbers measured
    before the modern profile existed (tgematch then had only the seed's semantics)."""
    return replace(
        lib, name=f"{lib.name}-seed", description=f"{lib.description}, seed profile", profile="seed"
    )


def _native_batch(n: int) -> Library:
    return Library(
        f"native-batch-{n}",
        "full",
        f"tgematch native, analyze_many(threads={n})",
        _native(n),
        _NATIVE_MOD,
        threads=n,
    )


_PYTHON = Library("python", "full", "tgematch, pure-Python engine, analyze()", _python)
_NATIVE = Library(
    "native", "full", "tgematch native, analyze() per call", _native(None), _NATIVE_MOD
)
LIBRARIES: dict[str, Library] = {
    lib.name: lib
    for lib in (
        Library(
            "seed",
            "seed",
            "seed approach: one re per company/keyword",
            _seed,
            profile="seed",
        ),
        _PYTHON,
        _seed_twin(_PYTHON),
        Library(
            "pyahocorasick",
            "full",
            "pyahocorasick, same contract, analysis in Python",
            _pyaho,
            "ahocorasick",
            "pip install pyahocorasick",
            profile="seed",
        ),
        Library(
            "pyahocorasick-raw",
            "raw",
            "pyahocorasick + boundary check (raw matching)",
            _raw_pyahocorasick,
            "ahocorasick",
            "pip install pyahocorasick",
        ),
        Library(
            "ahocorasick-rs",
            "raw",
            "ahocorasick-rs + boundary check (raw matching)",
            _raw_ahocorasick_rs,
            "ahocorasick_rs",
            "pip install ahocorasick-rs",
        ),
        Library(
            "hyperscan",
            "raw",
            "hyperscan literal database (raw matching)",
            _raw_hyperscan,
            "hyperscan",
            "pip install hyperscan",
        ),
        _NATIVE,
        _seed_twin(_NATIVE),
        _native_batch(1),
        _seed_twin(_native_batch(1)),
        _native_batch(2),
        _seed_twin(_native_batch(2)),
    )
}
DEFAULT_LIBRARIES = tuple(LIBRARIES)


def library(name: str) -> Library:
    """The library called ``name``; ``native-batch-N`` and ``native-batch-N-seed`` work
    for any N >= 1."""
    if name in LIBRARIES:
        return LIBRARIES[name]
    m = re.fullmatch(r"native-batch-([1-9][0-9]*)(-seed)?", name)
    if m:
        lib = _native_batch(int(m.group(1)))
        return _seed_twin(lib) if m.group(2) else lib
    raise ValueError(
        f"unknown library {name!r} (known: {', '.join(LIBRARIES)}, native-batch-N, "
        "native-batch-N-seed)"
    )


# ------------------------------------------------------------------ measuring
@dataclass
class Measurement:
    """One (corpus, watchlist, library) measurement; the best of the repeats.

    ``profile`` is the profile of the watchlist the library ran on (``"modern"`` or
    ``"seed"``; empty when it did not run).
    """

    corpus: str
    watchlist: str
    library: str
    docs: int = 0
    total_docs: int = 0
    bytes: int = 0
    seconds: float = 0.0
    build_seconds: float | None = None
    check: str = ""
    times: list[float] = field(default_factory=list)
    profile: str = ""

    @property
    def docs_per_s(self) -> float:
        """Documents per second (0 when nothing ran)."""
        return self.docs / self.seconds if self.seconds > 0 else 0.0

    @property
    def mb_per_s(self) -> float:
        """Megabytes (10**6 bytes of UTF-8 text) per second (0 when nothing ran)."""
        return self.bytes / 1e6 / self.seconds if self.seconds > 0 else 0.0


def sample_indices(n: int, k: int) -> list[int]:
    """``k`` indices spread uniformly over ``range(n)`` (all of them when k >= n)."""
    if k >= n:
        return list(range(n))
    return [i * n // k for i in range(k)]


def utf8_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8 (lone surrogates count as 3)."""
    return len(text.encode("utf-8", "surrogatepass"))


class Reference:
    """Results of the pure-Python engine on one corpus, computed lazily per document,
    with the watchlist (and so the profile) of the libraries it checks."""

    def __init__(self, docs: Sequence[Doc], watchlist: Watchlist) -> None:
        self.docs = docs
        self._analyze = Matcher(watchlist, backend="python").analyze
        self._cache: dict[int, Analysis] = {}

    def get(self, indices: Iterable[int]) -> list[Analysis]:
        """The reference Analysis of each document index."""
        out = []
        for i in indices:
            a = self._cache.get(i)
            if a is None:
                c, t = self.docs[i]
                a = self._cache[i] = self._analyze(c, t)
            out.append(a)
        return out


@dataclass
class _Run:
    """A library prepared for timing on one (corpus, watchlist): runner and sample."""

    lib: Library
    m: Measurement
    runner: Runner | None = None
    idx: list[int] = field(default_factory=list)
    sample: list[Doc] = field(default_factory=list)
    first: list[Any] | None = None
    stable: bool = True
    watchlist: Watchlist | None = None


class _Pinned:
    """Context manager: pin this process to ``cpus[:threads]`` (no-op without cpus)."""

    def __init__(self, cpus: Sequence[int] | None, threads: int) -> None:
        self.cpus, self.threads = cpus, threads
        self.saved: set[int] | None = None

    def __enter__(self) -> None:
        if self.cpus and hasattr(os, "sched_setaffinity"):
            self.saved = os.sched_getaffinity(0)
            os.sched_setaffinity(0, set(self.cpus[: max(1, self.threads)]))

    def __exit__(self, *exc: object) -> None:
        if self.saved is not None:
            os.sched_setaffinity(0, self.saved)


def _prepare(
    corpus: str,
    docs: Sequence[Doc],
    wl_name: str,
    watchlists: BenchWatchlist,
    lib: Library,
    budget: float,
    cpus: Sequence[int] | None,
) -> _Run:
    """Build ``lib`` (timed) on the watchlist of its profile, run it once on a pilot
    sample (the warm-up) and choose the documents to time: all of them, or a uniform
    sample sized to ``budget`` seconds."""
    run = _Run(lib, Measurement(corpus, wl_name, lib.name, total_docs=len(docs)))
    why = lib.missing()
    if why:
        run.m.check = why
        return run
    watchlist = watchlists.get(lib.profile)
    if watchlist is None:
        run.m.check = f"not run: {watchlists.why_no_seed}"
        return run
    run.watchlist = watchlist
    run.m.profile = watchlist.profile
    try:
        with _Pinned(cpus, lib.threads):
            gc.collect()
            t0 = time.perf_counter()
            runner = lib.make(watchlist)
            run.m.build_seconds = time.perf_counter() - t0
            pilot = sample_indices(len(docs), min(len(docs), 50))
            t0 = time.perf_counter()
            runner([docs[i] for i in pilot])
            per_doc = (time.perf_counter() - t0) / max(1, len(pilot))
    except Exception as e:  # report, don't abort a long comparison
        run.m.check = f"error: {type(e).__name__}: {e}"
        return run
    n = len(docs)
    k = n if per_doc * n <= budget else max(len(pilot), int(budget / per_doc))
    run.runner = runner
    run.idx = sample_indices(n, k)
    run.sample = [docs[i] for i in run.idx]
    run.m.docs = len(run.sample)
    run.m.bytes = sum(utf8_size(doc_text(d)) for d in run.sample)
    return run


class _quiet_heap:
    """Collect, then freeze every existing object out of the cyclic GC's reach for the
    timed run (``gc.freeze``): the run's own allocations still trigger collections as
    usual, but earlier results and corpora held by the benchmark do not slow them, so
    every library is timed under the same heap conditions."""

    def __enter__(self) -> None:
        gc.collect()
        gc.freeze()

    def __exit__(self, *exc: object) -> None:
        gc.unfreeze()


def _time_once(run: _Run, cpus: Sequence[int] | None) -> None:
    if run.runner is None:
        return
    try:
        with _Pinned(cpus, run.lib.threads), _quiet_heap():
            t0 = time.perf_counter()
            results = run.runner(run.sample)
            run.m.times.append(time.perf_counter() - t0)
    except Exception as e:
        run.m.check = f"error: {type(e).__name__}: {e}"
        run.runner = None
        return
    if run.first is None:
        run.first = results
    elif results != run.first:
        run.stable = False


def _check(run: _Run, reference: Reference | None) -> str:
    """The check column: full analyses against the pure-Python engine on the same
    watchlist (so in the same profile), the seed approach's relevance against it."""
    lib, results, idx = run.lib, run.first or [], run.idx
    if not run.stable:
        return "MISMATCH between repeats"
    if lib.kind == "raw":
        return f"stable; {sum(results)} raw hits"
    if reference is None:
        return "stable"
    ref = reference.get(idx)
    engine = f"python engine, {run.m.profile} profile"
    if lib.kind == "full":
        bad = sum(1 for a, b in zip(results, ref, strict=True) if a != b)
        return f"ok (= {engine})" if not bad else f"MISMATCH in {bad} docs vs {engine}"
    agree = sum(1 for (rel, _, _), a in zip(results, ref, strict=True) if rel == a.is_relevant)
    return f"stable; relevance agrees on {100 * agree / max(1, len(ref)):.1f}% with {engine}"


def compare(
    corpora: Mapping[str, Sequence[Doc]],
    watchlists: Mapping[str, Watchlist | BenchWatchlist],
    libraries: Sequence[Library],
    *,
    repeat: int = 3,
    budget: float = 10.0,
    cpus: Sequence[int] | None = None,
    check: bool = True,
    progress: bool = False,
) -> list[Measurement]:
    """Measure every library on every (corpus, watchlist) pair; best of ``repeat`` runs.

    For each pair, every library is built (timed) and warmed up on a pilot sample; a
    library slower than ``budget`` seconds per pass is timed on a uniform sample of the
    documents sized to the budget (``Measurement.docs`` says how many). The repeats are
    interleaved across libraries (run 1 of every library, then run 2 ...), so a load
    change on a shared machine hits all of them alike. With ``cpus``, single-threaded
    runs are pinned to ``cpus[0]`` and N-thread runs to ``cpus[:N]``. Each library runs
    on the watchlist of its profile (a bare :class:`Watchlist` is :meth:`BenchWatchlist.of`
    it: seed-profile libraries then run only if it is a seed-profile watchlist).
    Full-analysis libraries are checked document by document against the pure-Python
    engine on the same watchlist (when ``check``); every library must give the same
    answer in every repeat.
    """
    out: list[Measurement] = []
    pairs = [(c, w) for c in corpora for w in watchlists]
    with _progress(progress, len(pairs) * len(libraries) * (repeat + 2)) as step:
        for c, w in pairs:
            docs, given = corpora[c], watchlists[w]
            wl = given if isinstance(given, BenchWatchlist) else BenchWatchlist.of(given)
            runs = []
            for lib in libraries:
                runs.append(_prepare(c, docs, w, wl, lib, budget, cpus))
                step(f"{c} × {w}: {lib.name}: build, warm-up")
            for r in range(repeat):
                for run in runs:
                    _time_once(run, cpus)
                    step(f"{c} × {w}: {run.lib.name}: run {r + 1}/{repeat}")
            refs: dict[int, Reference] = {}  # one per watchlist (profile) checked
            for run in runs:
                if run.m.times:
                    run.m.seconds = min(run.m.times)
                    if not run.m.check:
                        ref = None
                        if check and run.watchlist is not None:
                            key = id(run.watchlist)
                            if key not in refs:
                                refs[key] = Reference(docs, run.watchlist)
                            ref = refs[key]
                        run.m.check = _check(run, ref)
                step(f"{c} × {w}: {run.lib.name}: check")
                out.append(run.m)
    return out


def _prefixed(step: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    return lambda msg: step(prefix + msg)


class _progress:
    """A rich progress bar (when asked for and rich is installed); yields a step callback."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total
        self._bar: Any = None

    def __enter__(self) -> Callable[[str], None]:
        if self.enabled:
            try:
                from rich.progress import (
                    BarColumn,
                    MofNCompleteColumn,
                    Progress,
                    TextColumn,
                    TimeElapsedColumn,
                )
            except ImportError:
                self.enabled = False
        if not self.enabled:
            return lambda _: None
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_stderr_console(),
            transient=True,
        )
        self._bar.start()
        task = self._bar.add_task("benchmark", total=self.total)
        return lambda msg: self._bar.update(task, advance=1, description=msg[:60])

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def format_table(measurements: Sequence[Measurement]) -> str:
    """A Markdown table: the profile each row ran, docs/s, MB/s and the ratio to the seed
    approach per row."""
    seed = {
        (m.corpus, m.watchlist): m.docs_per_s
        for m in measurements
        if m.library == "seed" and m.seconds > 0
    }
    lines = [
        "| corpus | watchlist | library | profile | docs timed | docs/s | MB/s | × seed "
        "| build s | check |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for m in measurements:
        head = f"| {m.corpus} | {m.watchlist} | {m.library} | {m.profile or '—'} |"
        if m.seconds <= 0:
            lines.append(f"{head} | | | | | {m.check} |")
            continue
        base = seed.get((m.corpus, m.watchlist))
        ratio = f"{m.docs_per_s / base:,.1f}" if base else "—"
        build = "—" if m.build_seconds is None else f"{m.build_seconds:.3f}"
        sample = f"{m.docs:,}" + ("" if m.docs == m.total_docs else f" of {m.total_docs:,}")
        lines.append(
            f"{head} {sample} | {m.docs_per_s:,.0f} | {_fmt_mb(m.mb_per_s)} | {ratio} "
            f"| {build} | {m.check} |"
        )
    return "\n".join(lines)


def _fmt_mb(x: float) -> str:
    return f"{x:,.1f}" if x >= 10 else f"{x:.3g}"


# ------------------------------------------------------------------ build cost
_CHILD = """
import gc, json, sys, time, tracemalloc
from tgematch import _bench
spec, name, traced = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
lib = _bench.library(name)
wl = _bench.watchlist_from_spec(spec, lib.profile)
gc.collect()
rss0 = _bench.rss_bytes()
if traced:
    tracemalloc.start()
t0 = time.perf_counter()
runner = lib.make(wl)
dt = time.perf_counter() - t0
gc.collect()
out = {"seconds": dt, "rss_mb": (_bench.rss_bytes() - rss0) / 1e6, "profile": wl.profile}
if traced:
    out["traced_mb"] = tracemalloc.get_traced_memory()[0] / 1e6
print(json.dumps(out))
"""


def rss_bytes() -> int:
    """This process's resident set size in bytes (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def build_cost(spec: str, name: str, repeat: int = 3) -> dict[str, Any]:
    """Build seconds (best of ``repeat``), retained RSS and traced Python MB for one build.

    Each build runs in a fresh interpreter (so earlier allocations cannot be reused):
    ``seconds`` and ``rss_mb`` come from untraced builds, ``traced_mb`` (Python heap
    retained, ``tracemalloc``; Rust allocations are not traced) from one traced build.
    The library builds the watchlist of its profile; ``profile`` says which that was.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).absolute().parents[1]), env.get("PYTHONPATH", "")]
    )

    def child(traced: bool) -> dict[str, Any]:
        r = subprocess.run(
            [sys.executable, "-c", _CHILD, spec, name, "1" if traced else "0"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if r.returncode:
            raise RuntimeError(f"build of {name} failed: {r.stderr.strip().splitlines()[-1:]}")
        return json.loads(r.stdout)  # type: ignore[no-any-return]

    runs = [child(False) for _ in range(repeat)]
    traced = child(True)
    return {
        "seconds": min(r["seconds"] for r in runs),
        "rss_mb": statistics.median(r["rss_mb"] for r in runs),
        "traced_mb": traced["traced_mb"],
        "profile": traced["profile"],
    }


def format_build_table(rows: Sequence[tuple[str, str, dict[str, Any] | str]]) -> str:
    """Markdown table of :func:`build_cost` results: (watchlist, library, cost or error)."""
    lines = [
        "| watchlist | library | profile | build s | retained RSS MB "
        "| Python heap MB (tracemalloc) |",
        "|---|---|---|---:|---:|---:|",
    ]
    for wl, lib, cost in rows:
        if isinstance(cost, str):
            lines.append(f"| {wl} | {lib} | — | | | {cost} |")
        else:
            lines.append(
                f"| {wl} | {lib} | {cost.get('profile', '—')} | {cost['seconds']:.3f} "
                f"| {cost['rss_mb']:.1f} | {cost['traced_mb']:.1f} |"
            )
    return "\n".join(lines)


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
_EXAMPLE_WATCHLIST = Path(__file__).parent / "data" / "example_watchlist.toml"


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
    """``python -m tgematch._bench ...``: the ``bench`` command without the CLI."""
    parser = argparse.ArgumentParser(prog="python -m tgematch._bench")
    sub = parser.add_subparsers(dest="command", required=True)
    add_bench_parser(sub)
    args = parser.parse_args(["bench", *(argv if argv is not None else sys.argv[1:])])
    return run_bench(args)


if __name__ == "__main__":
    raise SystemExit(main())
