"""``tgematch scan``: analyse input files in batches and store the relevant documents as
alerts (or write every analysis as JSON Lines).

One scan is a :class:`ScanRun`: the matcher, the inputs, the alert writer (None for
``--output jsonl``), the counters (:class:`ScanStats`) and the options, built by
:meth:`ScanRun.prepare` and run by :meth:`ScanRun.execute`. rich, SQLAlchemy and the
store are imported inside the functions: a JSONL scan never loads the store.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tgematch.exit_status import ExitStatus
from tgematch.inputs import (
    Document,
    Fields,
    InputFile,
    Skipped,
    discover_inputs,
    fields_from_args,
    read_input,
)

from .args import load_watchlist, make_matcher
from .db import db_error, open_db
from .errors import PROG, CliError, Terminated, silence_stdout
from .render import analysis_json, clean, doc_line, one_line, report_skipped, summary_tables

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from sqlalchemy.engine import Engine

    from tgematch import Analysis, Matcher, Watchlist
    from tgematch.store.writes import AlertWriter

__all__ = ["ScanRun", "ScanStats", "cmd_scan", "scan_status"]


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


def cmd_scan(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch scan``: analyse inputs, store the relevant documents as alerts."""
    if not args.inputs and not args.examples:
        raise CliError("nothing to scan: give INPUT files or directories, or --examples")
    if args.batch_size < 1:
        raise CliError("--batch-size must be at least 1")
    return ScanRun.prepare(args, err).execute(out, err)


def scan_status(stats: ScanStats) -> ExitStatus:
    """OK only when nothing was skipped; else SKIPPED, or NOTHING_READ without a document."""
    if not stats.skipped:
        return ExitStatus.OK
    return ExitStatus.SKIPPED if stats.analysed else ExitStatus.NOTHING_READ


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class ScanRun:
    """One scan: what it reads, analyses with, writes to, and counts."""

    matcher: Matcher
    files: list[InputFile]
    fields: Fields
    #: None for ``--output jsonl`` (no database); else the writer on ``engine``.
    writer: AlertWriter | None
    engine: Engine | None
    stats: ScanStats
    db: str | None
    batch_size: int = 1000
    #: Print a line per relevant document on stdout.
    show_docs: bool = True
    no_progress: bool = False
    show_skipped: int = 20
    progress: Progress | None = None
    task: Any = None

    @classmethod
    def prepare(cls, args: argparse.Namespace, err: Console) -> ScanRun:
        """Load the watchlist, find the inputs and open the store, before any work."""
        from tgematch import Matcher

        watchlist = load_watchlist(args.watchlist)
        matcher = make_matcher(Matcher, watchlist)
        if matcher.diagnostics:
            # One line, not one per entry: a 10,000-project list has a hundred such entries.
            first = matcher.diagnostics[0]
            more = len(matcher.diagnostics) - 1
            tail = f" (and {more} more; `tgematch explain` lists them)" if more else ""
            err.print(
                clean(f"watchlist: {first}{tail}"), markup=False, highlight=False, soft_wrap=True
            )
        unreadable: list[Skipped] = []
        files = discover_inputs(args.inputs, examples=args.examples, skipped=unreadable)
        fields = fields_from_args(args)
        to_stdout = args.output == "jsonl"
        # The store (SQLAlchemy, Alembic) is imported only when alerts are stored: a JSONL
        # stream needs none of it.
        writer, engine = (None, None) if to_stdout else _open_writer(args, watchlist)
        stats = ScanStats(files=len(files))
        stats.skipped.extend(unreadable)
        return cls(
            matcher=matcher,
            files=files,
            fields=fields,
            writer=writer,
            engine=engine,
            stats=stats,
            db=args.db,
            batch_size=args.batch_size,
            # Per-document lines go to stdout, except when stdout carries the JSONL stream.
            show_docs=not args.quiet and not to_stdout,
            no_progress=args.no_progress,
            show_skipped=args.show_skipped,
        )

    def execute(self, out: Console, err: Console) -> int:
        """Scan every input, print the summary; the exit status."""
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        stats, writer = self.stats, self.writer
        total = sum(f.size for f in self.files) or None
        self.progress = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[docs]:,} docs"),
            TextColumn("{task.fields[rate]:,.0f} docs/s"),
            TimeElapsedColumn(),
            console=err,
            # A progress frame is for a person watching a terminal; in a log it is noise.
            disable=self.no_progress or not err.is_terminal,
            transient=False,
        )
        try:
            with self.progress:
                self.task = self.progress.add_task("scan", total=total, docs=0, rate=0.0)
                for inp in self.files:
                    self.scan_file(inp, out)
            self.flush()
        except (KeyboardInterrupt, Terminated):
            # The interrupted feed's fetch was counted as an error (scan_file's finally):
            # save that before stopping.
            self.flush()
            raise
        except BrokenPipeError:
            # stdout closed by its reader (e.g. `| head`): stop like other filters do.
            silence_stdout()
            self.flush()
            return ExitStatus.BROKEN_PIPE
        finally:
            if self.engine is not None:
                self.engine.dispose()

        # The summary goes to stderr when stdout carries the JSONL stream.
        target = out if writer is not None else err
        for table in summary_tables(stats, stored=writer is not None, backend=self.matcher.backend):
            target.print(table)
        report_skipped(stats.skipped, self.show_skipped, err)
        if stats.failures:
            for failure in stats.failures:
                err.print(f"{PROG}: {clean(failure)}", markup=False, highlight=False)
            if stats.alerts_failed:
                err.print(
                    f"{PROG}: {stats.alerts_failed} alerts were rolled back; "
                    "re-run the same scan to store them",
                    markup=False,
                    highlight=False,
                )
            return ExitStatus.ERROR
        return scan_status(stats)

    def flush(self) -> None:
        """Save the feed statistics; a failure is counted, not raised."""
        if self.writer is None:
            return
        # Imported here, after the check: a JSONL scan must not load SQLAlchemy.
        from sqlalchemy.exc import SQLAlchemyError

        try:
            self.writer.flush()
        except SQLAlchemyError as exc:
            self.stats.failures.append(f"feed statistics not saved: {one_line(str(exc))[:300]}")

    def register_feed(self, inp: InputFile) -> str | None:
        """Register ``inp`` as a feed; the reason it cannot be one, or None."""
        from sqlalchemy.exc import SQLAlchemyError

        from tgematch.store.limits import ColumnLimitError

        assert self.writer is not None
        try:
            self.writer.register_feed(inp.feed, kind="file", name=Path(inp.display).name)
        except SQLAlchemyError as exc:
            raise db_error(self.db, exc) from exc
        except ColumnLimitError as exc:
            return str(exc)
        return None

    def scan_file(self, inp: InputFile, out: Console) -> None:
        """Read, analyse and store (or write out) one input, batch by batch."""
        stats, writer = self.stats, self.writer
        if writer is not None:
            unstorable = self.register_feed(inp)
            if unstorable is not None:
                # This input cannot be a feed of the store: report it, scan the others.
                stats.skipped.append(Skipped(inp.display, unstorable, "unstorable"))
                return
        ok = False
        failed_before = stats.alerts_failed
        try:
            for batch in _batches(read_input(inp, self.fields), self.batch_size):
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
                analyses = (
                    self.matcher.analyze_many([(d.content, d.title) for d in docs]) if docs else []
                )
                relevant = [(d, a) for d, a in zip(docs, analyses, strict=True) if a.is_relevant]
                for _doc, analysis in relevant:
                    stats.relevant += 1
                    if not analysis.companies:
                        stats.relevant_no_company += 1
                    for hit in analysis.companies:
                        stats.relevant_by_company[hit.name] += 1
                if writer is not None:
                    self.store_batch(relevant, out if self.show_docs else None)
                else:
                    for doc, analysis in zip(docs, analyses, strict=True):
                        sys.stdout.write(analysis_json(doc, analysis) + "\n")
                    sys.stdout.flush()
                assert self.progress is not None
                self.progress.update(
                    self.task,
                    advance=nbytes,
                    docs=stats.read,
                    rate=stats.read / stats.elapsed,
                )
            # Only committed work counts: a read whose alerts were (partly) rolled back is
            # a failed fetch of its feed, as is an interrupted one (ok still False).
            ok = stats.alerts_failed == failed_before
        finally:
            if writer is not None:
                writer.record_fetch(inp.feed, ok=ok)

    def store_batch(self, relevant: list[tuple[Document, Analysis]], out: Console | None) -> None:
        """Store the alerts of a batch's relevant documents; print their lines on ``out``."""
        from tgematch.store.writes import alerts_from_analysis

        assert self.writer is not None
        stats = self.stats
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
            report = self.writer.write(records)
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
            out.print(doc_line(doc, analysis, by_doc.get(doc.source, {})), soft_wrap=True)


def _open_writer(args: argparse.Namespace, watchlist: Watchlist) -> tuple[AlertWriter, Engine]:
    """An alert writer on the migrated store of ``--db`` (with the watchlist's companies),
    and the engine to dispose of afterwards."""
    from sqlalchemy.exc import SQLAlchemyError

    from tgematch.store.limits import ColumnLimitError
    from tgematch.store.writes import AlertWriter

    engine = open_db(args.db, create=True, migrate=True)
    writer = AlertWriter(engine, chunk_size=args.batch_size)
    try:
        writer.register_companies(watchlist.companies)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise db_error(args.db, exc) from exc
    except ColumnLimitError as exc:
        engine.dispose()
        raise CliError(f"invalid watchlist {args.watchlist}: {exc}") from exc
    return writer, engine
