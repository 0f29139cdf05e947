"""Fixtures of the pytest-benchmark suites (``benches/bench_*.py``).

Not part of the normal test run (``testpaths = ["tests"]``). Run them with::

    taskset -c 0 python -m pytest benches/ --benchmark-only -k "not batch-2"
    taskset -c 0,1 python -m pytest benches/ --benchmark-only -k "batch-2"

Benchmarks read the shared corpora and watchlists from ``$TGEMATCH_SHARED``, else
``../shared`` next to the repository, else ``/work/shared`` (never copied into the
repository); they are skipped with a message when none exists. Without pytest-benchmark
installed every benchmark is skipped (``pip install pytest-benchmark``).
``TGEMATCH_BENCH_ROUNDS`` sets the timed rounds per benchmark (default 3).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from common import load_corpus, shared_dir

from tgematch import Watchlist
from tgematch.bench import BenchWatchlist, Doc, load_watchlist

try:
    import pytest_benchmark  # noqa: F401

    HAVE_BENCHMARK = True
except ImportError:
    HAVE_BENCHMARK = False

CORPORA: dict[str, tuple[str, str, str | None]] = {
    "tweets": ("founder_tweets.jsonl", "text", None),
    "articles": ("news_articles.jsonl", "content", "title"),
}
WATCHLISTS: dict[str, int | None] = {"wl15": None, "wl1k": 1000, "wl10k": 10000}


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Collect ``bench_*.py`` files as test modules (the default only knows ``test_*.py``)."""
    if parent.session.isinitpath(file_path):
        return None  # named on the command line: pytest collects it anyway
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


if not HAVE_BENCHMARK:

    def pytest_addoption(parser: pytest.Parser) -> None:
        """Accept pytest-benchmark's common options so the documented command still runs."""
        group = parser.getgroup("benchmark (pytest-benchmark is not installed)")
        group.addoption("--benchmark-only", action="store_true")
        group.addoption("--benchmark-json", default=None)
        group.addoption("--benchmark-autosave", action="store_true")

    @pytest.fixture
    def benchmark() -> Any:
        """Stand-in for pytest-benchmark's fixture: skips the benchmark."""
        pytest.skip("pytest-benchmark is not installed (pip install pytest-benchmark)")


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared data folder, or skip."""
    path = shared_dir(Path(__file__))
    if path is None:
        pytest.skip(
            "shared corpora not found: set TGEMATCH_SHARED or put the shared folder "
            "(corpora/, watchlists/) at ../shared next to the repository"
        )
    return path


class _Lazy:
    """A session cache of expensive values, built on first use."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def get(self, key: Any, build: Callable[[], Any]) -> Any:
        if key not in self._values:
            self._values[key] = build()
        return self._values[key]

    def peek(self, key: Any) -> Any:
        """The cached value of ``key``, or None."""
        return self._values.get(key)


@pytest.fixture(scope="session")
def cache() -> _Lazy:
    """Session-wide cache for corpora, watchlists and expected answers."""
    return _Lazy()


@pytest.fixture(scope="session")
def corpus_loader(shared: Path, cache: _Lazy) -> Callable[[str], list[Doc]]:
    """``load(name)``: the documents of corpus ``tweets`` or ``articles``."""

    def load(name: str) -> list[Doc]:
        fname, field, title = CORPORA[name]
        return cache.get(
            ("corpus", name), lambda: load_corpus(shared / "corpora" / fname, field, title)
        )  # type: ignore[no-any-return]

    return load


@pytest.fixture(scope="session")
def watchlist_loader(shared: Path, cache: _Lazy) -> Callable[..., Watchlist]:
    """``load(name, profile="default")``: watchlist ``wl15`` (the real one), ``wl1k`` or
    ``wl10k``, as a user loads it (modern) or, with ``profile="seed"``, in the seed profile
    (a library's ``profile``: see ``tgematch.bench.BenchWatchlist``)."""
    base = shared / "watchlists" / "tge_watchlist.json"

    def build(name: str) -> BenchWatchlist:
        n = WATCHLISTS[name]
        projects = shared / "corpora" / "crypto_projects.jsonl"
        return load_watchlist(base if n is None else f"projects:{n}:{projects}:{base}")

    def load(name: str, profile: str = "default") -> Watchlist:
        both: BenchWatchlist = cache.get(("watchlist", name), lambda: build(name))
        wl = both.get(profile)
        if wl is None:
            pytest.skip(f"{name}: {both.why_no_seed}")
        return wl

    return load
