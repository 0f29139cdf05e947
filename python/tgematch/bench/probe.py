"""Build cost of one library, measured in a fresh interpreter.

``python -m tgematch.bench.probe SPEC LIBRARY TRACED`` builds ``LIBRARY`` (a
:func:`~tgematch.bench.libraries.library` name) on the watchlist ``SPEC`` (see
:func:`~tgematch.bench.corpus.watchlist_from_spec`) in the library's profile and prints
one JSON object: build ``seconds``, retained ``rss_mb``, the ``profile`` it built and,
when ``TRACED`` is ``1``, ``traced_mb`` (Python heap retained, ``tracemalloc``).
:func:`build_cost` runs it.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Mapping, Sequence
from typing import Any

from .corpus import watchlist_from_spec
from .libraries import library


def rss_bytes() -> int:
    """This process's resident set size in bytes (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def probe(spec: str, name: str, traced: bool) -> dict[str, Any]:
    """Build ``name`` on ``spec`` in this process: what the probe prints."""
    lib = library(name)
    wl = watchlist_from_spec(spec, lib.profile)
    gc.collect()
    rss0 = rss_bytes()
    if traced:
        tracemalloc.start()
    t0 = time.perf_counter()
    runner = lib.make(wl)
    dt = time.perf_counter() - t0
    gc.collect()
    out: dict[str, Any] = {
        "seconds": dt,
        "rss_mb": (rss_bytes() - rss0) / 1e6,
        "profile": wl.profile,
    }
    if traced:
        out["traced_mb"] = tracemalloc.get_traced_memory()[0] / 1e6
    del runner
    return out


def build_cost(
    spec: str, name: str, repeat: int = 3, env: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Build seconds (best of ``repeat``), retained RSS and traced Python MB for one build.

    Each build runs in a fresh interpreter (so earlier allocations cannot be reused):
    ``seconds`` and ``rss_mb`` come from untraced builds, ``traced_mb`` (Python heap
    retained, ``tracemalloc``; Rust allocations are not traced) from one traced build.
    The library builds the watchlist of its profile; ``profile`` says which that was.
    The probes run ``python -m tgematch.bench.probe`` with ``env`` (default: this
    process's environment), so ``tgematch`` must be importable there.
    """

    def child(traced: bool) -> dict[str, Any]:
        r = subprocess.run(
            [sys.executable, "-m", __name__, spec, name, "1" if traced else "0"],
            capture_output=True,
            text=True,
            env=None if env is None else dict(env),
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


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tgematch.bench.probe SPEC LIBRARY TRACED``: print one build's cost."""
    spec, name, traced = argv if argv is not None else sys.argv[1:]
    print(json.dumps(probe(spec, name, traced == "1")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
