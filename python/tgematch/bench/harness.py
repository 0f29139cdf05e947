"""Timing and checking: :func:`compare` measures libraries on (corpus, watchlist) pairs.

Builds are timed, runs are warmed up, sampled to a time budget, interleaved across
libraries, optionally pinned to CPUs and run with a frozen heap; full analyses are
checked document by document against the pure-Python engine in the same profile.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..matcher import Matcher
from ..results import Analysis
from ..watchlist import Watchlist
from .corpus import BenchWatchlist, Doc, Runner, doc_text, utf8_size
from .libraries import Library


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
