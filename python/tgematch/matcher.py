"""The :class:`Matcher`: backend selection and the modern API."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Set, ValuesView
from itertools import islice
from typing import Any

from ._loader import BackendChoice, native_status
from .compiled import CompiledWatchlist, compile_watchlist
from .engine_python import EMPTY_RAW, PythonEngine, raw_is_empty
from .results import Analysis, Occurrence, build_analysis, build_occurrences, results_spec
from .watchlist import Watchlist

__all__ = ["BACKENDS", "MAX_THREADS", "Matcher", "default_backend"]

MAX_THREADS = 256
"""``threads`` above this are treated as this many, on both engines (a larger request
cannot run faster and would only overflow the native engine's thread count)."""

BACKENDS = ("auto", "native", "python")
_ENV = "TGEMATCH_BACKEND"
_BUILD_HINT = (
    "The native engine tgematch._native is not available (tgematch.default_backend().reason "
    "says why): install a binary wheel (`pip install --force-reinstall --only-binary "
    "tgematch tgematch`), build it from source with a Rust toolchain (`pip install "
    "--no-binary tgematch tgematch`, or `pip install .` in a checkout), or use "
    "backend='python'"
)


def _native_module() -> Any | None:
    # Loaded once; a module that exists but fails to load warns once (NativeEngineWarning).
    return native_status().module


def default_backend() -> BackendChoice:
    """The backend that ``backend="auto"`` picks: ``"native"`` or ``"python"``, and why.

    ``TGEMATCH_BACKEND=native`` or ``=python`` overrides the automatic choice;
    ``native`` then fails with ImportError when the native module is missing. The result
    is a ``str`` with a ``reason`` attribute (:class:`tgematch.BackendChoice`): one line
    saying why, e.g. why ``tgematch._native`` did not load. A native module that exists
    but fails to load also warns once (:class:`tgematch.NativeEngineWarning`).
    """
    env = os.environ.get(_ENV, "").strip().lower()
    if env == "python":
        return BackendChoice("python", f"{_ENV}=python")
    if env not in ("", "auto", "native"):
        raise ValueError(f"{_ENV} must be 'native', 'python' or 'auto', not {env!r}")
    native = _native_module()
    status = native_status()
    # _native_module() decides (tests replace it); the loading status explains.
    if native is not None:
        reason = status.reason if status.module is native else "tgematch._native loaded"
    elif status.module is None:
        reason = status.reason
    else:
        reason = "tgematch._native is not available"
    if native is None:
        if env == "native":
            raise ImportError(f"{_ENV}=native: {reason}. {_BUILD_HINT}")
        return BackendChoice("python", reason)
    return BackendChoice("native", f"{_ENV}=native: {reason}" if env == "native" else reason)


def _check_text(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")


def _check_batch(docs: object, threads: object) -> int:
    """Validate ``analyze_many``-style arguments; the number of threads to use."""
    if threads is None:
        threads = os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads must be int or None, not {type(threads).__name__}")
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    # A mapping would be iterated as its keys, a str as characters, bytes as integers;
    # a set or dict view has no defined order, and results come back in input order.
    if isinstance(docs, (str, bytes, bytearray, memoryview, Mapping, Set, ValuesView)):
        raise TypeError(
            f"docs must be an ordered iterable of documents (list, tuple, generator ...), "
            f"not {type(docs).__name__}"
        )
    if not isinstance(docs, Iterable):
        raise TypeError(f"docs must be an iterable of documents, not {type(docs).__name__}")
    return min(threads, MAX_THREADS)


def _document(doc: object, index: int) -> str:
    """The text scanned for one element of ``analyze_many``'s input."""
    if isinstance(doc, str):
        return doc
    if isinstance(doc, Mapping):
        if "content" not in doc:
            raise TypeError(f"docs[{index}] is a mapping without the required key 'content'")
        content = doc["content"]
        title = doc.get("title")
    elif isinstance(doc, tuple) and tuple.__len__(doc) == 2:
        # tuple's own methods: a subclass's __len__/__iter__/__getitem__ cannot change
        # what is read (the native engine reads the pair's real items too)
        content, title = tuple.__getitem__(doc, 0), tuple.__getitem__(doc, 1)
    else:
        raise TypeError(
            f"docs[{index}] must be str, a (content, title) pair or a mapping with "
            f"'content', not {type(doc).__name__}"
        )
    _check_text(content, f"docs[{index}] content")
    if title is None:
        return content  # type: ignore[return-value]
    _check_text(title, f"docs[{index}] title")
    return "\n".join((title, content))  # type: ignore[arg-type]  # the real characters


class Matcher:
    """Matches one watchlist against documents.

    ``backend`` is ``"auto"`` (the native engine when it is built, else pure Python; the
    environment variable ``TGEMATCH_BACKEND`` overrides it), ``"native"`` or
    ``"python"``. Both engines give identical results. A Matcher is immutable, safe to
    share between threads, and pickles (it is rebuilt from its watchlist).
    """

    def __init__(self, watchlist: Watchlist, backend: str = "auto") -> None:
        if not isinstance(watchlist, Watchlist):
            raise TypeError(
                f"watchlist must be a tgematch.Watchlist, not {type(watchlist).__name__}"
            )
        if not isinstance(backend, str):
            raise TypeError(f"backend must be str, not {type(backend).__name__}")
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        chosen = default_backend() if backend == "auto" else backend
        self._watchlist = watchlist
        self._requested = backend
        self._compiled: CompiledWatchlist = compile_watchlist(watchlist)
        self._empty = build_analysis(EMPTY_RAW, watchlist, self._compiled)
        # _analysis(text) and _analysis_many(texts, threads) return finished Analysis
        # objects: the native engine builds them itself (so a parallel batch overlaps
        # building with scanning), the Python engine through build_analysis.
        if chosen == "native":
            native = _native_module()
            if native is None:
                raise ImportError(_BUILD_HINT)
            spec = results_spec(watchlist, self._compiled, self._empty)
            self._engine: Any = native.Engine(self._compiled.to_plain(), results=spec)
            self._analysis = self._engine.finished
            self._analysis_many = self._engine.finished_many
        else:
            self._engine = PythonEngine(self._compiled)
            self._analysis = self._python_analysis
            self._analysis_many = self._python_analysis_many
        self._backend = chosen

    @property
    def backend(self) -> str:
        """The engine in use: ``"native"`` or ``"python"``."""
        return self._backend

    @property
    def watchlist(self) -> Watchlist:
        """The watchlist this matcher was built from."""
        return self._watchlist

    @property
    def diagnostics(self) -> tuple[str, ...]:
        """What the watchlist declares that can never match, each with its entry and why."""
        return self._compiled.diagnostics

    @property
    def compiled(self) -> CompiledWatchlist:
        """The compiled watchlist both engines consume."""
        return self._compiled

    def __reduce__(self) -> tuple[Any, ...]:
        return (Matcher, (self._watchlist, self._backend))

    def __repr__(self) -> str:
        return (
            f"Matcher(<{len(self._watchlist.companies)} companies, "
            f"{len(self._watchlist.keywords)} keywords>, backend={self._backend!r})"
        )

    def analyze(self, content: str, title: str | None = None) -> Analysis:
        """Analyse one document; scans ``f"{title}\\n{content}"`` (content alone without title)."""
        if content.__class__ is not str:
            _check_text(content, "content")
        if title is not None:
            _check_text(title, "title")
        return self._analysis(content, title)  # type: ignore[no-any-return]

    def _python_analysis(self, content: str, title: str | None = None) -> Analysis:
        raw = self._engine.analyze(content if title is None else "\n".join((title, content)))
        if raw_is_empty(raw):
            return self._empty  # immutable, so one shared instance serves every empty result
        return build_analysis(raw, self._watchlist, self._compiled)

    def _python_analysis_many(
        self, docs: list[Any], threads: int, convert: Any = None
    ) -> list[Analysis]:
        texts = [d if d.__class__ is str else convert(d, i) for i, d in enumerate(docs)]
        wl, comp, empty = self._watchlist, self._compiled, self._empty
        # raw_is_empty inlined: a call per document is measurable on tweets
        return [
            build_analysis(r, wl, comp)
            if (r[0] or r[1] or r[2] or r[3] or r[4] or r[10])
            else empty
            for r in self._engine.analyze_many(texts, threads)
        ]

    def find(self, text: str) -> list[Occurrence]:
        """Every raw occurrence in ``text``, sorted by (start, end, kind, id order)."""
        _check_text(text, "text")
        return build_occurrences(self._engine.find(text), self._compiled)

    def analyze_many(self, docs: Iterable[Any], threads: int | None = None) -> list[Analysis]:
        """Analyse many documents; results in input order, equal to ``analyze`` one by one.

        ``docs`` holds ``str``, ``(content, title)`` pairs or mappings with ``content`` and
        optional ``title``. The native engine scans the batch with the GIL released,
        spread over ``threads`` OS threads (default: the available cores).
        """
        threads = _check_batch(docs, threads)
        return self._analyze_batch(docs, threads, 0)

    def _analyze_batch(self, docs: Iterable[Any], threads: int, first: int) -> list[Analysis]:
        """``analyze_many`` of documents numbered from ``first`` (for error messages).

        Strings and well-formed ``(content, title)`` pairs go to the engine as they are
        (the native engine joins a title itself); any other element is turned into its
        text, or rejected with an error naming it, by :func:`_document`.
        """
        if docs.__class__ is not list and docs.__class__ is not tuple:
            # A list or tuple subclass is read through the base class's own iterator, as
            # the native engine reads its items: overriding __iter__, __len__ or
            # __getitem__ cannot make the engines see different documents.
            if isinstance(docs, list):
                docs = list(list.__iter__(docs))
            elif isinstance(docs, tuple):
                docs = list(tuple.__iter__(docs))
            else:
                docs = list(docs)

        def convert(doc: object, index: int) -> str:
            return _document(doc, first + index)

        return self._analysis_many(docs, threads, convert)  # type: ignore[no-any-return]

    def iter_analyze(
        self, docs: Iterable[Any], batch_size: int = 1000, threads: int | None = None
    ) -> Iterator[Analysis]:
        """Stream analyses of an arbitrarily long iterable, ``batch_size`` documents at a time.

        The arguments are checked at the call, before the first document is read.
        """
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            raise TypeError(f"batch_size must be int, not {type(batch_size).__name__}")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        threads = _check_batch(docs, threads)
        # Not a generator function itself: that would postpone the checks above to the
        # first next().
        return self._iter_batches(iter(docs), batch_size, threads)

    def _iter_batches(self, it: Iterator[Any], batch_size: int, threads: int) -> Iterator[Analysis]:
        done = 0
        while batch := list(islice(it, batch_size)):
            yield from self._analyze_batch(batch, threads, done)
            done += len(batch)
