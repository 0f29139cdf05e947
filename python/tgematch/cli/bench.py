"""``tgematch bench``: wires the benchmark harness's parser into the command line.

The harness (:mod:`tgematch.bench`) is large and needed only by this command, so it is
imported when the parser is built, not when the CLI package is.
"""

from __future__ import annotations

from typing import Any

__all__ = ["add_parser"]


def add_parser(sub: Any) -> None:
    """Add the ``bench`` subcommand (its options and handler) to the subparsers ``sub``."""
    from tgematch.bench import add_bench_parser  # deferred: the benchmark code is large

    add_bench_parser(sub)
