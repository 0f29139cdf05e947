"""The registry of what ``tgematch bench`` times: one :class:`Library` per row.

tgematch's own rows (``python``, ``native``, ``native-batch-N`` and their ``-seed``
twins) and the competitors of :mod:`tgematch.bench.competitors`; :func:`library` finds
one by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..matcher import Matcher
from ..watchlist import Watchlist
from .competitors import (
    PyAhoMatcher,
    SeedMatcher,
    _raw_ahocorasick_rs,
    _raw_hyperscan,
    _raw_pyahocorasick,
)
from .corpus import Runner, doc_text


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
