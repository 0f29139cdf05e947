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
from collections.abc import Iterator

import pytest
from backends import BACKENDS, ensure_backend
from hypothesis import HealthCheck, settings

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


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Name of the engine under test: ``"python"`` or ``"native"``."""
    name: str = request.param
    ensure_backend(name)
    return name


@pytest.fixture
def clean_backend_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run with ``TGEMATCH_BACKEND`` unset."""
    monkeypatch.delenv("TGEMATCH_BACKEND", raising=False)
    yield
