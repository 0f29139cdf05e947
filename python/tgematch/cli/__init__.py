"""The ``tgematch`` command line: :func:`main` and the argument parser.

Commands::

    tgematch scan INPUT... [--watchlist FILE] [--db URL] [--output jsonl]
    tgematch scan --examples                  # the bundled example documents
    tgematch alerts [--company NAME] [--since 24h] [--min-confidence 70] [--db URL]
    tgematch explain TEXT [--title TITLE] [--watchlist FILE]
    tgematch db upgrade|downgrade|current [--db URL]

``scan`` reads JSON Lines (``.jsonl``, ``.ndjson``, ``.json``: one object per line), CSV
(``.csv``, ``.tsv``: a header row, then one document per row), plain text (``.txt`` and
anything else: one document per line) or directories of such files (searched
recursively; hidden files and unknown extensions are ignored), ``-`` for standard input.
An explicitly named file with an unknown extension is read as JSON Lines when its first
non-blank line starts with ``{``, else as plain text. The document text is taken from
``--text-field`` (default: the first of ``content``, ``text``, ``body``, ``full_text``
that the record has), the title from ``--title-field`` (default ``title``, optional),
and ``url``/``link``, ``published``/``published_at``/``date``/``created_at`` and ``id``
when present.

Documents are analysed in batches (``Matcher.analyze_many``); every relevant document
becomes one alert per matched company (see :mod:`tgematch.store.writes`), written in one
transaction per batch. Each input file is a feed (kind ``file``) of the store. Without
``--watchlist`` the bundled example watchlist is used; without ``--db`` the SQLite file
``tgematch.db`` in the working directory (``TGEMATCH_DB_URL`` overrides it), created and
migrated on first use. ``--output jsonl`` writes one JSON object per document (the full
analysis) to standard output instead and touches no database.

Bad input never stops a scan: malformed JSON, records without the text field or with a
non-string one, undecodable bytes (the file must be UTF-8) and empty documents are
counted, reported with ``file:line`` and skipped. An input that does not exist or cannot
be read, an invalid watchlist or an unreachable database is a one-line error and exit
status 1 before anything is written. A batch whose transaction fails is rolled back,
reported, and makes the exit status 1; re-running the same scan completes it.

Confidence is on one scale everywhere: an integer from 0 to 100, as
``Analysis.confidence`` (``scan`` lines, ``--output jsonl``, ``explain``, ``alerts`` and
``alerts --min-confidence``); the store keeps the seed's 0..1 column and is converted.

Exit status (:class:`tgematch.exit_status.ExitStatus`): 0 every input read and every
record analysed, 1 error (one line on standard error, never a traceback), 2 invalid
command line, 3 some records skipped (the rest processed), 4 records skipped and no
document read, 130 interrupted (Ctrl-C), 143 terminated (SIGTERM).

Progress bars and colours are drawn only on a terminal; diagnostics on standard error
are one line each, never wrapped. The command needs the ``cli`` extra (rich, SQLAlchemy,
Alembic); without it, it says so in one line.

This module holds the parser alone; each command is a module with a ``cmd_*`` handler
``(args, out, err) -> status``: :mod:`.scan`, :mod:`.alerts`, :mod:`.explain`,
:mod:`.db` (and :func:`.db.open_db`, how commands open the store), :mod:`.bench`.
:mod:`.args` holds the argument types, :mod:`.render` the output helpers, :mod:`.errors`
:class:`~.errors.CliError` and the mapping of errors to exit statuses. Handlers import
rich, SQLAlchemy and the store inside their functions, so ``--help``, ``--version``,
``explain`` and ``scan --output jsonl`` load none of the store.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tgematch.exit_status import ExitStatus
from tgematch.inputs import add_field_options

from .alerts import cmd_alerts
from .args import parse_confidence, parse_db_url, parse_limit, parse_since
from .bench import add_parser as add_bench_parser
from .db import cmd_db
from .errors import PROG, missing_extra, one_line_warnings, run
from .explain import cmd_explain
from .render import one_line
from .scan import cmd_scan

if TYPE_CHECKING:
    from .errors import Handler

__all__ = ["build_parser", "main", "version_text"]


def build_parser() -> argparse.ArgumentParser:
    """The ``tgematch`` argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Find watched crypto companies and token-launch (TGE) announcements "
        "in news and tweets, and keep them as alerts.",
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help="print the version, the engine in use and why, then exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    db_help = (
        "database URL (sqlite:///file.db, postgresql://user:pass@host/db) or SQLite file "
        "path; default $TGEMATCH_DB_URL or ./tgematch.db"
    )
    wl_help = "watchlist file (.json or .toml); default: the bundled example watchlist"

    scan = sub.add_parser(
        "scan",
        help="analyse documents and store the relevant ones as alerts",
        description="Analyse JSONL, CSV or text files (or directories of them) and store "
        "every relevant document as alerts, one per matched company.",
    )
    scan.add_argument("inputs", nargs="*", metavar="INPUT", help="file, directory or - (stdin)")
    scan.add_argument("--examples", action="store_true", help="scan the bundled example documents")
    scan.add_argument("--watchlist", metavar="FILE", help=wl_help)
    scan.add_argument("--db", metavar="URL", type=parse_db_url, help=db_help)
    add_field_options(scan)
    scan.add_argument(
        "--output",
        choices=("jsonl",),
        help="write each document's analysis as JSON to stdout instead of storing alerts",
    )
    scan.add_argument(
        "--batch-size",
        type=int,
        default=1000,
        metavar="N",
        help="documents per analysis batch and alerts per transaction (default: %(default)s)",
    )
    scan.add_argument("-q", "--quiet", action="store_true", help="no line per relevant document")
    scan.add_argument("--no-progress", action="store_true", help="no progress bar")
    scan.add_argument(
        "--show-skipped",
        type=int,
        default=20,
        metavar="N",
        help="list at most N skipped records (-1: all, 0: none; default %(default)s)",
    )
    scan.set_defaults(handler=cmd_scan)

    alerts = sub.add_parser("alerts", help="list stored alerts, newest first")
    alerts.add_argument("--company", metavar="NAME", help="only this company (case-insensitive)")
    alerts.add_argument(
        "--since",
        type=parse_since,
        metavar="AGE",
        help="only alerts newer than AGE (24h, 7d, ISO date)",
    )
    alerts.add_argument(
        "--min-confidence",
        type=parse_confidence,
        metavar="C",
        help="only alerts with confidence >= C (an integer 0..100, as everywhere; e.g. 70)",
    )
    alerts.add_argument("--status", help="only alerts with this status (e.g. new)")
    alerts.add_argument(
        "--limit",
        type=parse_limit,
        default=50,
        help="at most this many (0: all; default %(default)s)",
    )
    alerts.add_argument("--output", choices=("table", "jsonl"), default="table")
    alerts.add_argument("--db", metavar="URL", type=parse_db_url, help=db_help)
    alerts.set_defaults(handler=cmd_alerts)

    explain = sub.add_parser("explain", help="show matches and the score breakdown of a text")
    explain.add_argument("text", metavar="TEXT", help="the text to explain (- reads stdin)")
    explain.add_argument("--title", help="a title, scanned before the text as the matcher does")
    explain.add_argument("--watchlist", metavar="FILE", help=wl_help)
    explain.set_defaults(handler=cmd_explain)

    db = sub.add_parser("db", help="manage the database schema (Alembic migrations)")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = db_sub.add_parser("upgrade", help="create or migrate the schema to the latest revision")
    up.add_argument("--revision", default="head", help="target revision (default: %(default)s)")
    up.add_argument("--db", metavar="URL", type=parse_db_url, help=db_help)
    down = db_sub.add_parser("downgrade", help="migrate the schema down")
    down.add_argument("revision", help="target revision (base: drop everything)")
    down.add_argument("--db", metavar="URL", type=parse_db_url, help=db_help)
    cur = db_sub.add_parser("current", help="show the schema revision")
    cur.add_argument("--db", metavar="URL", type=parse_db_url, help=db_help)
    db.set_defaults(handler=cmd_db)

    add_bench_parser(sub)
    return parser


def version_text() -> str:
    """What ``tgematch --version`` prints: the version, then the engine and why."""
    from tgematch import __version__, default_backend

    try:
        choice = default_backend()
    except (ValueError, ImportError) as exc:
        engine = f"engine: none ({one_line(str(exc))})"
    else:
        engine = f"engine: {choice} ({choice.reason})"
    return f"{PROG} {__version__}\n{engine}"


class _VersionAction(argparse.Action):
    """``--version``, computed when asked (it loads the native engine to say which runs)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        """Print :func:`version_text` and exit 0."""
        with one_line_warnings():
            text = version_text()
        sys.stdout.write(text + "\n")
        parser.exit(ExitStatus.OK)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tgematch`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from rich.console import Console
    except ModuleNotFoundError as exc:
        # A core install (`pip install tgematch`): the matcher works, the command does not.
        missing = missing_extra(exc)
        if missing is None:
            raise
        sys.stderr.write(f"{PROG}: error: {missing}\n")
        return ExitStatus.ERROR
    # Colours only on a terminal (rich's detection; NO_COLOR and FORCE_COLOR apply);
    # diagnostics on stderr are never wrapped, whatever the width.
    out = Console(highlight=False, soft_wrap=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    handler: Handler = args.handler
    return run(handler, args, out, err)
