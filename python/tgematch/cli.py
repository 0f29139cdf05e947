"""The ``tgematch`` command line.

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
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tgematch.exit_status import ExitStatus
from tgematch.inputs import (
    STDIN,
    Document,
    Fields,
    InputError,
    InputFile,
    Skipped,
    add_field_options,
    discover_inputs,
    fields_from_args,
    read_input,
)
from tgematch.sanitize import json_line, printable

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table
    from rich.text import Text
    from sqlalchemy.engine import Engine

    from tgematch import Analysis, Matcher, Watchlist
    from tgematch.store.writes import AlertWriter

__all__ = ["main"]

PROG = "tgematch"

KIND_STYLES = {
    "company": "bold green",
    "company_exclusion": "bold magenta",
    "keyword": "bold yellow",
    "exclusion": "bold red",
    "context": "cyan",
}


class Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so that a scan stops like on Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


class CliError(Exception):
    """An error reported as one line on stderr, with exit status 1."""


def _printable(text: str) -> str:
    # Everything printed from a document or the database goes through here.
    return printable(text)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------


def _load_watchlist(path: str | None) -> Watchlist:
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
        raise CliError(f"invalid watchlist {path}: {_one_line(str(exc))}") from exc


def _make_matcher(matcher_class: type[Matcher], watchlist: Watchlist) -> Matcher:
    # The backend comes from $TGEMATCH_BACKEND: a bad value or a missing native module
    # is a user error, reported as one line.
    try:
        return matcher_class(watchlist)
    except (ValueError, ImportError) as exc:
        raise CliError(_one_line(str(exc))) from exc


def _resolve(url: str | None) -> Any:
    """The parsed database URL; an unparsable one (bad syntax, bad port) is a CliError."""
    from sqlalchemy.exc import ArgumentError

    from tgematch.store import resolve_url

    try:
        return resolve_url(url)
    except (ArgumentError, ValueError) as exc:
        raise CliError(f"invalid database URL: {_one_line(str(exc))}") from exc


#: The extra that installs a module the command line may miss (top-level name).
EXTRAS = {
    "rich": "cli",
    "sqlalchemy": "cli",
    "alembic": "cli",
    "psycopg": "postgres",
}


def _missing_extra(exc: BaseException) -> str | None:
    """One line naming the extra to install, when ``exc`` is a missing optional module."""
    if not isinstance(exc, ModuleNotFoundError) or not exc.name:
        return None
    top = exc.name.split(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    what = "PostgreSQL databases need" if extra == "postgres" else "the command line needs"
    return f"{what} the '{extra}' extra ({top} is not installed): pip install 'tgematch[{extra}]'"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _db_error(url: str | None, exc: BaseException) -> CliError:
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    detail = lines[0] if lines else type(orig).__name__
    missing = _missing_extra(orig)
    if missing is not None:
        detail = missing
    return CliError(f"cannot use database {_display(url)}: {detail}")


def _open_store(url: str | None, *, migrate: bool) -> Engine:
    """An engine on a reachable, migrated database (migrating it when ``migrate``)."""
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store import create_engine, current_revision, head_revision
    from tgematch.store import upgrade as upgrade_db

    parsed = _resolve(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        db_path = Path(parsed.database)
        if not migrate and not db_path.exists():
            raise CliError(
                f"no database at {db_path} (run `tgematch scan` or `tgematch db upgrade` first)"
            )
        if migrate and not db_path.parent.exists():
            raise CliError(
                f"cannot use database {db_path}: directory {db_path.parent} does not exist"
            )
    try:
        engine = create_engine(parsed)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise _db_error(url, exc) from exc
    try:
        with engine.connect():
            pass
        if migrate:
            upgrade_db(engine)
        elif current_revision(engine) != head_revision():
            raise CliError(
                f"database {_display(url)} has no current tgematch schema "
                "(run `tgematch db upgrade`)"
            )
    except SQLAlchemyError as exc:
        engine.dispose()
        raise _db_error(url, exc) from exc
    return engine


def _display(url: str | None) -> str:
    return str(_resolve(url).render_as_string(hide_password=True))


# ---------------------------------------------------------------------------------------
# scan
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class ScanStats:
    """Counters of one scan."""

    files: int = 0
    read: int = 0
    analysed: int = 0
    relevant: int = 0
    relevant_no_company: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    relevant_by_company: Counter[str] = field(default_factory=Counter)
    alerts_new: int = 0
    alerts_existing: int = 0
    alerts_failed: int = 0
    new_by_company: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed(self) -> float:
        """Seconds since the scan started."""
        return max(time.perf_counter() - self.started, 1e-9)


def _analysis_json(doc: Document, analysis: Analysis) -> str:
    payload: dict[str, Any] = {
        "source": doc.source,
        "id": doc.doc_id,
        "title": doc.title,
        "url": doc.url,
        "published": doc.published_at.isoformat() if doc.published_at else None,
        **analysis.to_dict(),
    }
    return json_line(payload)


def _doc_line(doc: Document, analysis: Analysis, status: dict[str, str]) -> Text:
    from rich.text import Text

    conf = analysis.confidence
    style = "bold red" if conf >= 90 else "bold yellow" if conf >= 70 else "yellow"
    line = Text()
    line.append(f"{conf:>4} ", style=style)
    line.append(f"{_printable(doc.source)}  ", style="dim")
    if analysis.companies:
        names = []
        for hit in analysis.companies:
            tag = status.get(hit.name)
            names.append(_printable(hit.name) + (f" ({tag})" if tag else ""))
        line.append(", ".join(names), style="bold green")
    else:
        line.append("(no watched company)", style="dim")
    head = doc.title or doc.content
    head = _one_line(_printable(head))
    if len(head) > 70:
        head = head[:69] + "…"
    line.append(f"  {head}")
    return line


def _summary_tables(stats: ScanStats, stored: bool, backend: str) -> list[Table]:
    from rich.table import Table
    from rich.text import Text

    rate = stats.read / stats.elapsed
    main = Table(title="tgematch scan", show_header=False, title_justify="left")
    main.add_column("what")
    main.add_column("value", justify="right")
    main.add_row("files", str(stats.files))
    main.add_row("documents read", str(stats.read))
    skipped = Counter(s.kind for s in stats.skipped)
    detail = ", ".join(f"{k} {v}" for k, v in sorted(skipped.items()))
    main.add_row("skipped", f"{len(stats.skipped)}" + (f" ({detail})" if detail else ""))
    main.add_row("analysed", str(stats.analysed))
    main.add_row("relevant", str(stats.relevant))
    if stats.relevant_no_company:
        main.add_row("  relevant, no watched company", str(stats.relevant_no_company))
    if stored:
        main.add_row("alerts stored (new)", str(stats.alerts_new))
        main.add_row("alerts already stored", str(stats.alerts_existing))
        if stats.alerts_failed:
            main.add_row("alerts NOT stored (rolled back)", str(stats.alerts_failed))
    main.add_row("time", f"{stats.elapsed:.2f} s")
    main.add_row("throughput", f"{rate:,.0f} docs/s ({backend} engine)")
    tables = [main]
    if stats.relevant_by_company:
        by_company = Table(title="alerts by company", title_justify="left")
        by_company.add_column("company")
        by_company.add_column("relevant docs", justify="right")
        if stored:
            by_company.add_column("new alerts", justify="right")
        for name, count in sorted(
            stats.relevant_by_company.items(), key=lambda kv: (-kv[1], kv[0])
        ):
            row: list[Any] = [Text(_printable(name)), str(count)]
            if stored:
                row.append(str(stats.new_by_company.get(name, 0)))
            by_company.add_row(*row)
        tables.append(by_company)
    return tables


def cmd_scan(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch scan``: analyse inputs, store the relevant documents as alerts."""
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from tgematch import Matcher

    if not args.inputs and not args.examples:
        raise CliError("nothing to scan: give INPUT files or directories, or --examples")
    if args.batch_size < 1:
        raise CliError("--batch-size must be at least 1")
    watchlist = _load_watchlist(args.watchlist)
    matcher = _make_matcher(Matcher, watchlist)
    if matcher.diagnostics:
        # One line, not one per entry: a 10,000-project list has a hundred such entries.
        first = matcher.diagnostics[0]
        more = len(matcher.diagnostics) - 1
        tail = f" (and {more} more; `tgematch explain` lists them)" if more else ""
        err.print(
            _printable(f"watchlist: {first}{tail}"), markup=False, highlight=False, soft_wrap=True
        )
    unreadable: list[Skipped] = []
    files = discover_inputs(args.inputs, examples=args.examples, skipped=unreadable)
    fields = fields_from_args(args)
    to_stdout = args.output == "jsonl"
    # The store (SQLAlchemy, Alembic) is imported only when alerts are stored: a JSONL
    # stream needs none of it.
    writer, engine = _open_writer(args, watchlist) if not to_stdout else (None, None)
    # Per-document lines go to stdout, except when stdout carries the JSONL stream.
    show_docs = not args.quiet and not to_stdout
    stats = ScanStats(files=len(files))
    stats.skipped.extend(unreadable)
    total = sum(f.size for f in files) or None
    progress = Progress(
        TextColumn("[bold]scanning"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[docs]:,} docs"),
        TextColumn("{task.fields[rate]:,.0f} docs/s"),
        TimeElapsedColumn(),
        console=err,
        # A progress frame is for a person watching a terminal; in a log it is noise.
        disable=args.no_progress or not err.is_terminal,
        transient=False,
    )
    try:
        with progress:
            task = progress.add_task("scan", total=total, docs=0, rate=0.0)
            for inp in files:
                _scan_file(
                    inp, fields, matcher, writer, args, stats, out, progress, task, show_docs
                )
        if writer is not None:
            _flush(writer, stats)
    except (KeyboardInterrupt, Terminated):
        # The interrupted feed's fetch was counted as an error (_scan_file's finally):
        # save that before stopping.
        if writer is not None:
            _flush(writer, stats)
        raise
    except BrokenPipeError:
        # stdout closed by its reader (e.g. `| head`): stop like other filters do.
        _silence_stdout()
        if writer is not None:
            _flush(writer, stats)
        return ExitStatus.BROKEN_PIPE
    finally:
        if engine is not None:
            engine.dispose()

    target = err if to_stdout else out
    for table in _summary_tables(stats, stored=writer is not None, backend=matcher.backend):
        target.print(table)
    _report_skipped(stats.skipped, args.show_skipped, err)
    if stats.failures:
        for failure in stats.failures:
            err.print(f"{PROG}: {_printable(failure)}", markup=False, highlight=False)
        if stats.alerts_failed:
            err.print(
                f"{PROG}: {stats.alerts_failed} alerts were rolled back; "
                "re-run the same scan to store them",
                markup=False,
                highlight=False,
            )
        return ExitStatus.ERROR
    return _scan_status(stats)


def _scan_status(stats: ScanStats) -> ExitStatus:
    """OK only when nothing was skipped; else SKIPPED, or NOTHING_READ without a document."""
    if not stats.skipped:
        return ExitStatus.OK
    return ExitStatus.SKIPPED if stats.analysed else ExitStatus.NOTHING_READ


def _open_writer(args: argparse.Namespace, watchlist: Watchlist) -> tuple[AlertWriter, Engine]:
    """An alert writer on the migrated store of ``--db`` (with the watchlist's companies),
    and the engine to dispose of afterwards."""
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store.limits import ColumnLimitError
    from tgematch.store.writes import AlertWriter

    engine = _open_store(args.db, migrate=True)
    writer = AlertWriter(engine, chunk_size=args.batch_size)
    try:
        writer.register_companies(watchlist.companies)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise _db_error(args.db, exc) from exc
    except ColumnLimitError as exc:
        engine.dispose()
        raise CliError(f"invalid watchlist {args.watchlist}: {exc}") from exc
    return writer, engine


def _flush(writer: AlertWriter, stats: ScanStats) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        writer.flush()
    except SQLAlchemyError as exc:
        stats.failures.append(f"feed statistics not saved: {_one_line(str(exc))[:300]}")


def _register_feed(writer: AlertWriter, inp: InputFile, args: argparse.Namespace) -> str | None:
    """Register ``inp`` as a feed; the reason it cannot be one, or None."""
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store.limits import ColumnLimitError

    try:
        writer.register_feed(inp.feed, kind="file", name=Path(inp.display).name)
    except SQLAlchemyError as exc:
        raise _db_error(args.db, exc) from exc
    except ColumnLimitError as exc:
        return str(exc)
    return None


def _scan_file(
    inp: InputFile,
    fields: Fields,
    matcher: Matcher,
    writer: AlertWriter | None,
    args: argparse.Namespace,
    stats: ScanStats,
    out: Console,
    progress: Progress,
    task: Any,
    show_docs: bool,
) -> None:
    if writer is not None:
        unstorable = _register_feed(writer, inp, args)
        if unstorable is not None:
            # This input cannot be a feed of the store: report it, scan the others.
            stats.skipped.append(Skipped(inp.display, unstorable, "unstorable"))
            return
    ok = False
    failed_before = stats.alerts_failed
    try:
        for batch in _batches(read_input(inp, fields), args.batch_size):
            docs: list[Document] = []
            nbytes = 0
            for item in batch:
                nbytes += item.nbytes
                if isinstance(item, Document):
                    docs.append(item)
                else:
                    stats.skipped.append(item)
            stats.read += len(batch)
            stats.analysed += len(docs)
            analyses = matcher.analyze_many([(d.content, d.title) for d in docs]) if docs else []
            relevant = [(d, a) for d, a in zip(docs, analyses, strict=True) if a.is_relevant]
            for _doc, analysis in relevant:
                stats.relevant += 1
                if not analysis.companies:
                    stats.relevant_no_company += 1
                for hit in analysis.companies:
                    stats.relevant_by_company[hit.name] += 1
            if writer is not None:
                _store_batch(writer, relevant, stats, out if show_docs else None)
            else:
                for doc, analysis in zip(docs, analyses, strict=True):
                    sys.stdout.write(_analysis_json(doc, analysis) + "\n")
                sys.stdout.flush()
            progress.update(
                task,
                advance=nbytes,
                docs=stats.read,
                rate=stats.read / stats.elapsed,
            )
        # Only committed work counts: a read whose alerts were (partly) rolled back is a
        # failed fetch of its feed, as is an interrupted one (ok still False).
        ok = stats.alerts_failed == failed_before
    finally:
        if writer is not None:
            writer.record_fetch(inp.feed, ok=ok)


def _store_batch(
    writer: AlertWriter,
    relevant: list[tuple[Document, Analysis]],
    stats: ScanStats,
    out: Console | None,
) -> None:
    """Store the alerts of a batch's relevant documents; print their lines on ``out``."""
    from tgematch.store.writes import alerts_from_analysis

    records = []
    for doc, analysis in relevant:
        records.extend(
            alerts_from_analysis(
                analysis,
                doc.content,
                doc.title,
                url=doc.url,
                published_at=doc.published_at,
                feed=doc.feed,
                source=doc.source,
            )
        )
    new_hashes: set[str] = set()
    failed_hashes: set[str] = set()
    if records:
        report = writer.write(records)
        stats.alerts_new += report.inserted
        stats.alerts_existing += report.duplicates
        stats.alerts_failed += report.failed
        stats.new_by_company.update(report.inserted_by_company)
        stats.failures.extend(str(f) for f in report.failures)
        new_hashes, failed_hashes = report.inserted_hashes, report.failed_hashes
    if out is None:
        return
    by_doc: dict[str, dict[str, str]] = {}
    for rec in records:
        if rec.content_hash in new_hashes:
            tag = "new"
        elif rec.content_hash in failed_hashes:
            tag = "NOT STORED"
        else:
            tag = "already stored"
        by_doc.setdefault(rec.source, {})[rec.company] = tag
    for doc, analysis in relevant:
        if not analysis.companies:
            continue  # counted in the summary; no alert without a company
        out.print(_doc_line(doc, analysis, by_doc.get(doc.source, {})), soft_wrap=True)


def _report_skipped(skipped: Sequence[Skipped], limit: int, err: Console) -> None:
    if not skipped or limit == 0:
        return
    shown = skipped if limit < 0 else skipped[:limit]
    err.print(f"skipped {len(skipped)} record(s):", markup=False, highlight=False)
    for s in shown:
        err.print(
            f"  {_printable(s.source)}: {_printable(s.reason)}", markup=False, highlight=False
        )
    if len(shown) < len(skipped):
        err.print(
            f"  … and {len(skipped) - len(shown)} more (--show-skipped -1 lists all)",
            markup=False,
            highlight=False,
        )


def _silence_stdout() -> None:
    # stdout was closed by the reader (e.g. `| head`); avoid a second error at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------------------------------
# alerts
# ---------------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


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


#: The largest ``--limit``: a signed 64-bit integer, what SQLite and PostgreSQL accept.
MAX_LIMIT = 2**63 - 1


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


def _percent(stored: float) -> int:
    """A stored confidence (the seed's 0..1 column) on the CLI's 0..100 scale."""
    return round(stored * 100)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def cmd_alerts(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch alerts``: list stored alerts, newest first."""
    from rich.table import Table
    from rich.text import Text
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store.queries import list_alerts

    engine = _open_store(args.db, migrate=False)
    try:
        alerts = list_alerts(
            engine,
            company=args.company,
            since=args.since,
            # The store keeps the seed's 0..1 column; tgematch writes confidence / 100, so
            # the same division gives the exact stored value of a threshold.
            min_confidence=None if args.min_confidence is None else args.min_confidence / 100,
            status=args.status,
            limit=args.limit if args.limit > 0 else None,
        )
    except SQLAlchemyError as exc:
        raise _db_error(args.db, exc) from exc
    finally:
        engine.dispose()
    if args.output == "jsonl":
        for a in alerts:
            record = dataclasses.asdict(a)
            record["confidence"] = _percent(a.confidence)
            for key in ("created_at", "published_at"):
                if record[key] is not None:
                    record[key] = record[key].isoformat()
            sys.stdout.write(json_line(record) + "\n")
        return ExitStatus.OK
    if not alerts:
        out.print("No alerts match.", markup=False)
        return ExitStatus.OK
    table = Table(title=f"{len(alerts)} alert(s), newest first", title_justify="left")
    company_w = min(max(len(a.company) for a in alerts), 24)
    urls = [_printable(a.url or "") for a in alerts]
    show_url = out.width >= 120 and any(urls)
    url_w = min(max(len(u) for u in urls), 48) if show_url else 0
    ncols = 6 if show_url else 5
    # date 16, conf. 5, urgency 8, 2 columns of padding between columns.
    title_w = max(20, out.width - (16 + company_w + 5 + 8 + url_w + 2 * (ncols - 1)) - 1)
    table.box = None
    table.pad_edge = False
    table.header_style = "bold underline"
    table.add_column("created (UTC)", no_wrap=True)
    table.add_column("company", no_wrap=True)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("urgency", no_wrap=True)
    table.add_column("title / excerpt", no_wrap=True)
    if show_url:
        table.add_column("url", no_wrap=True)
    for a, url in zip(alerts, urls, strict=True):
        row: list[Any] = [
            a.created_at.strftime("%Y-%m-%d %H:%M"),
            Text(_clip(_printable(a.company), company_w)),
            str(_percent(a.confidence)),
            Text(_printable(a.urgency_level)),
            Text(_clip(_one_line(_printable(a.title or a.excerpt)), title_w)),
        ]
        if show_url:
            row.append(Text(_clip(url, url_w)))
        table.add_row(*row)
    out.print(table)
    return ExitStatus.OK


# ---------------------------------------------------------------------------------------
# explain
# ---------------------------------------------------------------------------------------


MAX_NAME_NOTES = 20
"""At most this many name notes and watchlist diagnostics in ``explain``'s output."""


def cmd_explain(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch explain``: the text with matches highlighted and the score broken down."""
    from rich.table import Table
    from rich.text import Text

    from tgematch import Matcher

    text = sys.stdin.read() if args.text == STDIN else args.text
    watchlist = _load_watchlist(args.watchlist)
    matcher = _make_matcher(Matcher, watchlist)
    analysis = matcher.analyze(text, args.title)
    scanned = text if args.title is None else f"{args.title}\n{text}"
    occurrences = matcher.find(scanned)

    # layout=True: the document keeps its lines; one character for one, so the
    # occurrence offsets below still point at the right characters.
    shown = printable(scanned, layout=True)
    if out.color_system is None:
        # No colours (not a terminal, or NO_COLOR): the highlights would be dropped
        # anyway, and rich renders a Text span by span (about 1.6 s per MB of
        # match-dense text), so write the document as it is.
        out.file.write(shown + "\n")
    else:
        highlighted = Text(shown)
        for occ in occurrences:
            highlighted.stylize(KIND_STYLES.get(occ.kind, "bold"), occ.start, occ.end)
        out.print(highlighted, soft_wrap=True)
    legend = Text("\n")
    for kind, style in KIND_STYLES.items():
        legend.append(f" {kind.replace('_', ' ')} ", style=style)
    out.print(legend)

    def snippet(spans: Sequence[tuple[int, int]]) -> str:
        parts = []
        for s, e in spans[:3]:
            parts.append(repr(_printable(scanned[s:e])))
        more = f" +{len(spans) - 3}" if len(spans) > 3 else ""
        return ", ".join(parts) + more

    table = Table(title="score", title_justify="left")
    table.add_column("part")
    table.add_column("what")
    table.add_column("matched text")
    table.add_column("points", justify="right")
    for hit in analysis.companies:
        table.add_row(
            "company",
            Text(_printable(f"{hit.name} ({hit.priority})")),
            Text(snippet(hit.spans)),
            f"+{hit.score}",
        )
    for name in analysis.vetoed:
        table.add_row(
            "company", Text(_printable(f"{name}: vetoed by its own exclusion phrase")), "", "0"
        )
    if not analysis.companies and not analysis.vetoed:
        table.add_row("company", "no watched company", "", "0")
    for kw in analysis.keywords:
        table.add_row(
            "keyword", Text(_printable(kw.pattern)), Text(snippet(kw.spans)), f"+{kw.weight}"
        )
    table.add_row(
        "proximity",
        "company within the proximity distance of a keyword"
        if analysis.proximity_boost
        else "no company near a keyword",
        "",
        f"+{analysis.proximity_boost}",
    )
    halved = analysis.crypto_context and watchlist.scoring.halve_penalty_with_context
    table.add_row(
        "crypto context",
        ("yes: exclusion penalties halved" if halved else "yes")
        if analysis.crypto_context
        else "no",
        "",
        "",
    )
    for ex in analysis.exclusions:
        table.add_row(
            "exclusion",
            Text(_printable(ex.label if ex.label == ex.pattern else f"{ex.label} ({ex.pattern})")),
            Text(snippet(ex.spans)),
            f"-{ex.penalty}",
        )
    raw = (
        analysis.company_score
        + analysis.keyword_score
        + analysis.proximity_boost
        - analysis.penalty
    )
    table.add_row(
        "total",
        f"{analysis.company_score} + {analysis.keyword_score} + {analysis.proximity_boost} "
        f"- {analysis.penalty} = {raw}, clamped to 0..100",
        "",
        str(analysis.confidence),
        style="bold",
    )
    out.print(table)
    from tgematch.name_notes import name_notes

    notes = name_notes(matcher, text, args.title)
    if notes:
        out.print("names:", markup=False, highlight=False)
        for note in notes[:MAX_NAME_NOTES]:
            mark = "+" if note.matched else "-"
            out.print(
                _printable(f"  {mark} {note.company} at {note.start}: {note.reason}"),
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        if len(notes) > MAX_NAME_NOTES:
            out.print(f"  … {len(notes) - MAX_NAME_NOTES} more", markup=False, highlight=False)
    for line in matcher.diagnostics[:MAX_NAME_NOTES]:
        err.print(_printable(f"watchlist: {line}"), markup=False, highlight=False, soft_wrap=True)
    launch = "launch news" if analysis.is_launch else "no launch news"
    out.print(
        f"launch score {analysis.launch_score}/100: {launch} "
        f"(threshold {watchlist.scoring.launch_threshold})",
        markup=False,
        highlight=False,
    )
    verdict = "RELEVANT" if analysis.is_relevant else "not relevant"
    rule = (
        "a watched company near launch news"
        if watchlist.profile == "modern"
        else f"threshold {watchlist.scoring.relevance_threshold}"
    )
    out.print(
        f"confidence {analysis.confidence}/100: {verdict} ({rule})",
        markup=False,
        highlight=False,
    )
    return ExitStatus.OK


# ---------------------------------------------------------------------------------------
# db
# ---------------------------------------------------------------------------------------


def cmd_db(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch db upgrade|downgrade|current``."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store import current_revision, downgrade, head_revision, upgrade

    if args.db_command == "upgrade":
        engine = _connect_only(args.db, create=True)
        try:
            before = current_revision(engine)
            upgrade(engine, args.revision)
            after = current_revision(engine)
        except SQLAlchemyError as exc:
            raise _db_error(args.db, exc) from exc
        except CommandError as exc:  # an unknown revision
            raise CliError(_one_line(str(exc))) from exc
        finally:
            engine.dispose()
        out.print(
            f"database {_display(args.db)}: {before or 'empty'} -> {after}"
            + (" (already up to date)" if before == after else ""),
            markup=False,
            highlight=False,
        )
        return ExitStatus.OK
    if args.db_command == "downgrade":
        engine = _connect_only(args.db, create=False)
        try:
            downgrade(engine, args.revision)
            after = current_revision(engine)
        except SQLAlchemyError as exc:
            raise _db_error(args.db, exc) from exc
        except CommandError as exc:  # an unknown revision
            raise CliError(_one_line(str(exc))) from exc
        finally:
            engine.dispose()
        out.print(f"database {_display(args.db)}: now at {after or 'base (empty)'}", markup=False)
        return ExitStatus.OK
    engine = _connect_only(args.db, create=False)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise _db_error(args.db, exc) from exc
    finally:
        engine.dispose()
    head = head_revision()
    state = "up to date" if current == head else f"behind (head is {head})"
    out.print(f"database {_display(args.db)}: {current or 'empty'} ({state})", markup=False)
    return ExitStatus.OK


def _connect_only(url: str | None, *, create: bool) -> Engine:
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store import create_engine

    parsed = _resolve(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        db_path = Path(parsed.database)
        if not create and not db_path.exists():
            raise CliError(f"no database at {db_path}")
        if create and not db_path.parent.exists():
            raise CliError(
                f"cannot use database {db_path}: directory {db_path.parent} does not exist"
            )
    try:
        engine = create_engine(parsed)
        with engine.connect():
            pass
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise _db_error(url, exc) from exc
    return engine


# ---------------------------------------------------------------------------------------
# argument parsing
# ---------------------------------------------------------------------------------------


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

    from .bench import add_bench_parser  # deferred: the benchmark code is large

    add_bench_parser(sub)
    return parser


def version_text() -> str:
    """What ``tgematch --version`` prints: the version, then the engine and why."""
    from tgematch import __version__, default_backend

    try:
        choice = default_backend()
    except (ValueError, ImportError) as exc:
        engine = f"engine: none ({_one_line(str(exc))})"
    else:
        engine = f"engine: {choice} ({choice.reason})"
    return f"{PROG} {__version__}\n{engine}"


class _VersionAction(argparse.Action):
    """``--version``, computed when asked (it loads the native engine to say which runs)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        """Print :func:`version_text` and exit 0."""
        with _one_line_warnings():
            text = version_text()
        sys.stdout.write(text + "\n")
        parser.exit(ExitStatus.OK)


@contextlib.contextmanager
def _one_line_warnings() -> Iterator[None]:
    """Show tgematch's own warnings as one ``tgematch: warning: ...`` line on stderr."""
    from tgematch import TgematchWarning

    with warnings.catch_warnings():  # restores showwarning afterwards
        previous = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, TgematchWarning):
                sys.stderr.write(f"{PROG}: warning: {_printable(_one_line(str(message)))}\n")
            else:
                previous(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tgematch`` command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from rich.console import Console
    except ModuleNotFoundError as exc:
        # A core install (`pip install tgematch`): the matcher works, the command does not.
        missing = _missing_extra(exc)
        if missing is None:
            raise
        sys.stderr.write(f"{PROG}: error: {missing}\n")
        return ExitStatus.ERROR
    # Colours only on a terminal (rich's detection; NO_COLOR and FORCE_COLOR apply);
    # diagnostics on stderr are never wrapped, whatever the width.
    out = Console(highlight=False, soft_wrap=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    handler: Callable[[argparse.Namespace, Console, Console], int] = args.handler
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        with _one_line_warnings():
            status = handler(args, out, err)
        # Flushed here so that a full disk is reported like any other write error.
        sys.stdout.flush()
        return status
    except ModuleNotFoundError as exc:
        missing = _missing_extra(exc)
        if missing is None:
            raise
        err.print(f"{PROG}: error: {missing}", markup=False, highlight=False)
        return ExitStatus.ERROR
    except (CliError, InputError) as exc:
        # The message may quote input (a path, a URL, a watchlist entry).
        err.print(
            f"{PROG}: error: {_printable(str(exc))}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return ExitStatus.ERROR
    except BrokenPipeError:
        # Python's documented recipe: the reader closed stdout (`| head`); point stdout at
        # devnull so the flush at exit does not fail again, and stop quietly (rich's
        # Console does the same for what it prints).
        _silence_stdout()
        return ExitStatus.BROKEN_PIPE
    except OSError as exc:
        # Reading errors are InputError/CliError by now: what is left is writing the
        # output (a full disk, /dev/full, an I/O error).
        _silence_stdout()
        detail = exc.strerror or str(exc)
        err.print(
            f"{PROG}: error: cannot write output: {detail}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return ExitStatus.ERROR
    except KeyboardInterrupt:
        err.print(f"{PROG}: interrupted", markup=False)
        return ExitStatus.INTERRUPTED
    except Terminated:
        err.print(f"{PROG}: terminated", markup=False)
        return ExitStatus.TERMINATED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
