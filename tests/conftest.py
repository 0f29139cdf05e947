"""Shared fixtures of the engine-neutral test suite.

Backends
    The ``backend`` fixture runs a test once per engine: ``"python"`` (the pure-Python
    engine, always available) and ``"native"`` (the Rust core, ``tgematch._native``). The
    native run is *skipped* with the import error as reason when ``tgematch._native`` does
    not import, unless the environment sets ``TGEMATCH_REQUIRE_NATIVE=1``, in which case it
    *fails* (CI sets this so a broken build can never pass as a skip).

    :func:`run_all_backends` is the RapidFuzz-style cross check: it calls ``fn(backend)``
    for every available backend and asserts that all give equal results, or all raise
    exceptions of the same type with the same message; it then returns the common result
    (or re-raises the common exception, so it composes with ``pytest.raises``).

Hypothesis profiles
    ``ci`` (the default): 200 examples per property, no deadline, no example database
    writes outside ``.hypothesis/``. ``thorough``: 100 000 examples per property, for a
    long local or nightly run. Select with ``TGEMATCH_HYPOTHESIS_PROFILE=thorough``
    (any registered profile name works), e.g.::

        TGEMATCH_HYPOTHESIS_PROFILE=thorough pytest tests/test_properties.py

    ``TGEMATCH_HYPOTHESIS_EXAMPLES=N`` overrides the profile's example count.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))  # make `reference` importable

# the `backend` fixture is a plain parameter, safe to share across examples
SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci",
    max_examples=200,
    deadline=None,
    suppress_health_check=SUPPRESSED,
)
settings.register_profile(
    "thorough",
    max_examples=100_000,
    deadline=None,
    suppress_health_check=SUPPRESSED,
)
_PROFILE = os.environ.get("TGEMATCH_HYPOTHESIS_PROFILE", "ci")
if os.environ.get("TGEMATCH_HYPOTHESIS_EXAMPLES"):
    settings.register_profile(
        "examples",
        settings.get_profile(_PROFILE),
        max_examples=int(os.environ["TGEMATCH_HYPOTHESIS_EXAMPLES"]),
    )
    _PROFILE = "examples"
settings.load_profile(_PROFILE)

BACKENDS: tuple[str, ...] = ("python", "native")
T = TypeVar("T")


def native_import_error() -> str | None:
    """Return why ``tgematch._native`` does not import, or None when it does."""
    try:
        import tgematch._native  # noqa: F401
    except Exception as exc:  # ImportError, or a broken extension raising anything
        return f"{type(exc).__name__}: {exc}"
    return None


def require_native() -> bool:
    """True when the environment demands the native backend (``TGEMATCH_REQUIRE_NATIVE=1``)."""
    return os.environ.get("TGEMATCH_REQUIRE_NATIVE", "") == "1"


def available_backends() -> list[str]:
    """Backends that can run here; fails the test if native is required but missing."""
    err = native_import_error()
    if err is None:
        return list(BACKENDS)
    if require_native():
        pytest.fail(f"TGEMATCH_REQUIRE_NATIVE=1 but tgematch._native does not import: {err}")
    return ["python"]


def ensure_backend(name: str) -> None:
    """Skip (or fail, under ``TGEMATCH_REQUIRE_NATIVE=1``) when ``name`` cannot run."""
    if name != "native":
        return
    err = native_import_error()
    if err is None:
        return
    if require_native():
        pytest.fail(f"TGEMATCH_REQUIRE_NATIVE=1 but tgematch._native does not import: {err}")
    pytest.skip(f"native backend unavailable (tgematch._native does not import: {err})")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the engine under test: ``"python"`` or ``"native"``."""
    name: str = request.param
    ensure_backend(name)
    return name


def _outcome(fn: Callable[[str], T], name: str) -> tuple[bool, Any]:
    try:
        return True, fn(name)
    except Exception as exc:
        return False, exc


def run_all_backends(fn: Callable[[str], T]) -> T:
    """Call ``fn(backend)`` on every available backend and require identical outcomes.

    Results must compare equal; exceptions must have the same type and message. Returns
    the common result, or re-raises the first backend's exception.
    """
    names = available_backends()
    outcomes = [(name, *_outcome(fn, name)) for name in names]
    first_name, first_ok, first_val = outcomes[0]
    for name, ok, val in outcomes[1:]:
        if first_ok and ok:
            assert val == first_val, f"{first_name} gave {first_val!r}, {name} gave {val!r}"
        elif not first_ok and not ok:
            assert type(val) is type(first_val) and str(val) == str(first_val), (
                f"{first_name} raised {type(first_val).__name__}({first_val}), "
                f"{name} raised {type(val).__name__}({val})"
            )
        else:
            raise AssertionError(
                f"{first_name} {'returned' if first_ok else 'raised'} {first_val!r}, "
                f"{name} {'returned' if ok else 'raised'} {val!r}"
            )
    if not first_ok:
        raise first_val
    return first_val  # type: ignore[no-any-return]


def make_matcher(watchlist: Any, backend: str) -> Any:
    """A ``tgematch.Matcher`` over ``watchlist`` (a ``Watchlist`` or a from_dict dict)."""
    import tgematch

    if isinstance(watchlist, dict):
        watchlist = tgematch.Watchlist.from_dict(watchlist)
    return tgematch.Matcher(watchlist, backend=backend)


def raw_engine(compiled: Any, backend: str) -> Any:
    """The engine-level object with raw ``find`` / ``analyze`` for ``backend``."""
    if backend == "python":
        from tgematch.engine_python import PythonEngine

        return PythonEngine(compiled)
    from tgematch import _native

    return _native.Engine(compiled.to_plain())


@pytest.fixture
def clean_backend_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with ``TGEMATCH_BACKEND`` unset."""
    monkeypatch.delenv("TGEMATCH_BACKEND", raising=False)
    yield
