"""Argument types and validators of the command line, and the shared ``--watchlist``.

The ``parse_*`` functions are argparse ``type=`` callables: a bad value is an
:class:`argparse.ArgumentTypeError`, which argparse reports as a usage error (status 2)
naming the option.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from typing import TYPE_CHECKING

from .errors import CliError
from .render import one_line

if TYPE_CHECKING:
    from tgematch import Matcher, Watchlist

__all__ = [
    "MAX_LIMIT",
    "load_watchlist",
    "make_matcher",
    "parse_confidence",
    "parse_db_url",
    "parse_limit",
    "parse_since",
]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

#: The largest ``--limit``: a signed 64-bit integer, what SQLite and PostgreSQL accept.
MAX_LIMIT = 2**63 - 1


def parse_since(value: str) -> dt.timedelta | dt.datetime:
    """``24h``, ``30m``, ``7d``, ``2w``, ``45s`` or an ISO date/datetime (UTC if naive)."""
    match = _DURATION.match(value)
    if match:
        try:
            age = dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])
            # The cutoff (now - age) must be a representable date, as the query computes it.
            dt.datetime.now(dt.UTC) - age
        except OverflowError:
            raise argparse.ArgumentTypeError(
                f"invalid --since {value!r}: reaches before the year 1"
            ) from None
        return age
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid --since {value!r}: use e.g. 24h, 30m, 7d, 2w or an ISO date"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_limit(value: str) -> int:
    """A ``--limit``: an integer in 0..MAX_LIMIT (0: all)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid limit {value!r}") from None
    if not 0 <= number <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"limit must be in 0..{MAX_LIMIT}, not {value}")
    return number


def parse_db_url(value: str) -> str:
    """A ``--db`` value: not empty (an empty one would silently mean the default file)."""
    if not value.strip():
        raise argparse.ArgumentTypeError(
            "empty --db: give a database URL or SQLite file path (or omit --db)"
        )
    return value


def parse_confidence(value: str) -> int:
    """A ``--min-confidence``: an integer from 0 to 100, the scale of Analysis.confidence.

    A fraction such as ``0.7`` is refused rather than read as 0.7 points (or guessed to be
    70 %): there is one scale, and a value off it is a usage error naming the option.
    """
    try:
        number = int(value.strip())
    except ValueError:
        hint = ""
        try:
            as_float = float(value)
        except ValueError:
            pass
        else:
            if 0 < as_float < 1:
                hint = f" (did you mean {round(as_float * 100)}?)"
        raise argparse.ArgumentTypeError(
            f"invalid --min-confidence {value!r}: an integer from 0 to 100, the scale of "
            f"Analysis.confidence{hint}"
        ) from None
    if not 0 <= number <= 100:
        raise argparse.ArgumentTypeError(
            f"invalid --min-confidence {value!r}: must be from 0 to 100"
        )
    return number


def load_watchlist(path: str | None) -> Watchlist:
    """The watchlist of ``--watchlist`` (the bundled example without one)."""
    from tgematch import ConfigError, Watchlist

    if path is None:
        return Watchlist.example()
    try:
        return Watchlist.from_file(path)
    except FileNotFoundError as exc:
        raise CliError(f"cannot read watchlist {path}: no such file") from exc
    except OSError as exc:
        raise CliError(f"cannot read watchlist {path}: {exc.strerror or exc}") from exc
    except (ConfigError, ValueError) as exc:
        raise CliError(f"invalid watchlist {path}: {one_line(str(exc))}") from exc


def make_matcher(matcher_class: type[Matcher], watchlist: Watchlist) -> Matcher:
    """A matcher on ``watchlist``; an unusable backend is a :class:`CliError`."""
    # The backend comes from $TGEMATCH_BACKEND: a bad value or a missing native module
    # is a user error, reported as one line.
    try:
        return matcher_class(watchlist)
    except (ValueError, ImportError) as exc:
        raise CliError(one_line(str(exc))) from exc
