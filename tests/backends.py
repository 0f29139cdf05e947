"""Engine helpers for the tests (RapidFuzz's ``tests/common.py`` style): which backends
can run here, the every-backend cross check, and matcher/raw-engine constructors.

Imported by test modules as ``from backends import ...`` (pytest puts this folder on
``sys.path``); the fixtures built on them live in ``conftest.py``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

__all__ = [
    "BACKENDS",
    "available_backends",
    "ensure_backend",
    "make_matcher",
    "native_import_error",
    "raw_engine",
    "require_native",
    "run_all_backends",
]

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
