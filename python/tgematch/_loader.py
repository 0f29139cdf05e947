"""Loading the native engine ``tgematch._native``, and saying why it did not load.

Two cases look alike from ``import`` but are not alike for a user:

* the module is *absent* (the pure-Python wheel, or a source tree that was never built):
  the Python engine is the documented fallback, so nothing is said;
* the module is *there and fails to load* (a corrupt or truncated ``.so``, one built for
  another platform or Python, one from another tgematch release): the Python engine still
  runs, 13-18x slower, so a :class:`NativeEngineWarning` says so once per process, with
  the reason, and :func:`tgematch.default_backend` keeps the reason.

The outcome is computed once (an extension module that failed to import is retried by
every ``import``, and each try would warn again).
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

__all__ = [
    "BackendChoice",
    "NativeEngineWarning",
    "NativeStatus",
    "TgematchWarning",
    "native_status",
]

_NAME = "tgematch._native"
_PACKAGE_DIR = Path(__file__).resolve().parent
# What a native module's file may end in on any platform (not only this one): a file of
# another platform's kind beside the package is a broken install, not an absent module.
_FOREIGN_SUFFIXES = (".so", ".pyd", ".dylib", ".dll")


class TgematchWarning(UserWarning):
    """Base class of the warnings tgematch emits."""


class NativeEngineWarning(TgematchWarning):
    """``tgematch._native`` exists but does not load; the pure-Python engine runs instead."""


class BackendChoice(str):
    """What :func:`tgematch.default_backend` returns: ``"native"`` or ``"python"``, and why.

    It is the backend's name (a ``str``, equal to ``"native"`` or ``"python"``) with one
    more attribute, ``reason``: one line saying why this backend was chosen, e.g. the
    error that stopped ``tgematch._native`` from loading.
    """

    reason: str

    def __new__(cls, name: str, reason: str) -> BackendChoice:
        """The backend ``name`` chosen for ``reason``."""
        self = super().__new__(cls, name)
        self.reason = reason
        return self

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # pickling
        return (str(self), self.reason)


@dataclass(frozen=True, slots=True)
class NativeStatus:
    """The outcome of loading ``tgematch._native``.

    ``module`` is the loaded module or None; ``broken`` is True when a native module is
    installed but could not be used; ``reason`` says in one line what happened.
    """

    module: ModuleType | None
    broken: bool
    reason: str


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _stacklevel() -> int:
    # Point the warning at the first frame outside the tgematch package: the user's call.
    level = 1
    frame = sys._getframe(1)
    while frame is not None and Path(frame.f_code.co_filename).resolve().is_relative_to(
        _PACKAGE_DIR
    ):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _strays() -> list[str]:
    """Files that look like a native module but that this interpreter would not load."""
    loadable = {"_native" + suffix for suffix in importlib.machinery.EXTENSION_SUFFIXES}
    return sorted(
        p.name
        for p in _PACKAGE_DIR.glob("_native.*")
        if p.name.endswith(_FOREIGN_SUFFIXES) and p.name not in loadable
    )


def _load() -> NativeStatus:
    try:
        spec = importlib.util.find_spec(_NAME)
    except (ImportError, ValueError) as exc:  # pragma: no cover - a broken package
        return NativeStatus(None, True, f"{_NAME} cannot be located: {_one_line(str(exc))}")
    if spec is None:
        strays = _strays()
        if strays:
            suffixes = ", ".join(importlib.machinery.EXTENSION_SUFFIXES)
            return NativeStatus(
                None,
                True,
                f"{_NAME} is installed as {', '.join(strays)}, which is not a native module "
                f"for this Python (it loads {suffixes}): the wheel was built for another "
                "platform or Python",
            )
        return NativeStatus(
            None,
            False,
            f"{_NAME} is not installed (the pure-Python wheel, or a source tree that was "
            "not built)",
        )
    where = spec.origin or _NAME
    try:
        module = importlib.import_module(_NAME)
    except Exception as exc:  # ImportError, OSError, or anything a broken module raises
        return NativeStatus(
            None,
            True,
            f"{_NAME} at {where} failed to load: {type(exc).__name__}: {_one_line(str(exc))}",
        )
    # A module that imports can still be another release's build (a stale .so left in a
    # source tree): it must offer the engine and the Unicode tables this Python code has.
    from ._unicode import UNICODE_VERSION

    native_unicode = getattr(module, "UNICODE_VERSION", None)
    if not hasattr(module, "Engine") or native_unicode != UNICODE_VERSION:
        return NativeStatus(
            None,
            True,
            f"{_NAME} at {where} does not match this tgematch (Unicode tables "
            f"{native_unicode!r}, expected {UNICODE_VERSION!r}; Engine "
            f"{'present' if hasattr(module, 'Engine') else 'missing'}): "
            "it is a build of another release",
        )
    return NativeStatus(module, False, f"{_NAME} loaded from {where}")


@functools.cache
def native_status() -> NativeStatus:
    """Load ``tgematch._native`` once; warn once (:class:`NativeEngineWarning`) if broken."""
    status = _load()
    if status.broken:
        warnings.warn(
            f"{status.reason}; using the pure-Python engine (same results, much slower)",
            NativeEngineWarning,
            stacklevel=_stacklevel(),
        )
    return status
