"""Turning analyses into alerts, and writing them in idempotent, chunked transactions.

**One alert per relevant document per matched company.** A document that mentions
Caldera and Espresso and is relevant gives two alerts, one per company, because alerts are
read per company ("what did we see for Caldera?") and ``alerts.company_id`` is what the
seed's ``idx_alerts_company_conf_time`` index serves. Vetoed companies give no alert.

**Content hash.** ``content_hash`` = SHA-256 (hex) of
``casefold(company name) + U+001F + norm(title) + U+001F + norm(content)``, UTF-8 encoded
(lone surrogates kept with ``surrogatepass``), where ``norm`` is Unicode NFC, runs of
whitespace collapsed to one space, stripped, and casefolded. So the hash names the pair
(company, document text): the same announcement read twice — re-running a scan, the same
story in two files — is one alert, and it is unique per company as alerts are. The feed,
URL and dates are not part of it.

**Idempotent writes.** Alerts are inserted with ``INSERT ... ON CONFLICT (content_hash)
DO NOTHING`` through SQLAlchemy's dialect inserts (``sqlalchemy.dialects.sqlite.insert``
and ``sqlalchemy.dialects.postgresql.insert``), so a re-run adds no rows and two scans
writing at once never duplicate. On SQLite this is the upsert form of ``INSERT OR
IGNORE`` restricted to the content-hash constraint: plain ``OR IGNORE`` would also
silently drop rows that break a NOT NULL or CHECK constraint, i.e. lose data without a
report. ``RETURNING content_hash`` tells which rows were new.

**Chunks.** Records are written in chunks of ``chunk_size`` (default 500), one
transaction each (SQLite: ``BEGIN IMMEDIATE``). When a chunk fails, only that chunk is
rolled back; the failure is returned in :class:`WriteReport.failures` with the first and
last document of the chunk, and the writer goes on with the next chunk. Because writes
are idempotent, re-running the same scan completes what failed.

**Feed statistics** are accumulated in memory and applied in batches: one executemany
``UPDATE feeds SET x = x + :delta`` in the transaction of the next chunk (so a feed's
``tge_alerts_found`` always equals the alerts actually committed for it) or at
:meth:`AlertWriter.flush`. Increments are relative, so concurrent scans add up.

**Urgency** (:func:`urgency_for`), from the alert's confidence ``c`` (the document's
``Analysis.confidence / 100``): ``critical`` when c >= 0.9, ``high`` when c >= 0.7,
``medium`` when c >= 0.5, ``low`` below (only reachable with a lowered relevance
threshold).

Text stored in the database has lone surrogates and NUL characters replaced by U+FFFD
(neither SQLite's UTF-8 nor PostgreSQL's ``text`` can hold them); the hash is computed
from the original text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from .engine import WRITE
from .limits import check_length
from .models import Alert, CompanyRow, Feed, utcnow

if TYPE_CHECKING:
    from tgematch import Analysis

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "EXCERPT_RADIUS",
    "AlertRecord",
    "AlertWriter",
    "ChunkFailure",
    "WriteReport",
    "alerts_from_analysis",
    "company_key",
    "content_hash",
    "make_excerpt",
    "normalise_text",
    "storable",
    "urgency_for",
]

DEFAULT_CHUNK_SIZE = 500
#: Characters kept on each side of the first company match in an alert's excerpt.
EXCERPT_RADIUS = 120

_WS = re.compile(r"\s+")
_ALERTS = cast(sa.Table, Alert.__table__)
_COMPANIES = cast(sa.Table, CompanyRow.__table__)
_FEEDS = cast(sa.Table, Feed.__table__)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def normalise_text(text: str) -> str:
    """NFC, whitespace runs collapsed to one space, stripped, casefolded (for hashing)."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()


def content_hash(company: str, title: str | None, content: str) -> str:
    """The alert's content hash: SHA-256 of company, normalised title and content."""
    key = "\x1f".join((company.casefold(), normalise_text(title or ""), normalise_text(content)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def storable(text: str) -> str:
    """``text`` with lone surrogates and NUL replaced by U+FFFD (storable on both DBs)."""
    return _UNSTORABLE.sub("\ufffd", text)


def company_key(name: object) -> str:
    """The key of a company in the store and in the writer's cache: its storable name.

    Used both when registering and when looking up, so that a name with NUL or a lone
    surrogate (stored with U+FFFD) finds its row.
    """
    return storable(str(name))


def _entry(what: str, value: str) -> str:
    shown = value if len(value) <= 40 else value[:39] + "…"
    return f"{what} {shown!r}"


def urgency_for(confidence: float) -> str:
    """Urgency level of an alert of this confidence (0-1); see the module docstring."""
    if confidence >= 0.9:
        return "critical"
    if confidence >= 0.7:
        return "high"
    if confidence >= 0.5:
        return "medium"
    return "low"


def make_excerpt(text: str, start: int, end: int, radius: int = EXCERPT_RADIUS) -> str:
    """About ``radius`` characters either side of ``text[start:end]``, whitespace collapsed.

    Cuts are moved back to a space when one is near, and marked with an ellipsis.
    """
    lo = max(0, start - radius)
    hi = min(len(text), end + radius)
    if lo > 0:
        space = text.find(" ", lo, start)
        if space != -1 and space - lo < radius // 3:
            lo = space + 1
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        if space != -1 and hi - space < radius // 3:
            hi = space
    body = _WS.sub(" ", text[lo:hi]).strip()
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """An alert ready to be written (one matched company of one relevant document).

    ``feed`` is the feed's URL or path (registered with :meth:`AlertWriter.register_feed`),
    ``source`` where the document came from ("file:line"), only used in reports.
    ``created_at`` defaults to the time of the write (set it when back-filling).
    """

    company: str
    content_hash: str
    confidence: float
    urgency_level: str
    excerpt: str
    title: str | None = None
    url: str | None = None
    matched_keywords: tuple[Mapping[str, Any], ...] = ()
    exclusions: tuple[Mapping[str, Any], ...] = ()
    published_at: dt.datetime | None = None
    feed: str | None = None
    source: str = ""
    created_at: dt.datetime | None = None


def alerts_from_analysis(
    analysis: Analysis,
    content: str,
    title: str | None = None,
    *,
    url: str | None = None,
    published_at: dt.datetime | None = None,
    feed: str | None = None,
    source: str = "",
) -> list[AlertRecord]:
    """The alerts of one analysed document: one per matched company, none if irrelevant."""
    if not analysis.is_relevant or not analysis.companies:
        return []
    text = content if title is None else f"{title}\n{content}"
    confidence = max(0.0, min(1.0, analysis.confidence / 100))
    keywords = tuple({"pattern": k.pattern, "weight": k.weight} for k in analysis.keywords)
    exclusions = tuple(
        {"label": e.label, "pattern": e.pattern, "penalty": e.penalty} for e in analysis.exclusions
    )
    records = []
    for hit in analysis.companies:
        if hit.spans:
            start, end = min(hit.spans)
        elif hit.positions:
            start = end = min(hit.positions)
        else:
            start = end = 0
        records.append(
            AlertRecord(
                company=hit.name,
                content_hash=content_hash(hit.name, title, content),
                confidence=confidence,
                urgency_level=urgency_for(confidence),
                excerpt=make_excerpt(text, start, end),
                title=title,
                url=url,
                matched_keywords=keywords,
                exclusions=exclusions,
                published_at=published_at,
                feed=feed,
                source=source,
            )
        )
    return records


@dataclass(frozen=True, slots=True)
class ChunkFailure:
    """A chunk whose transaction failed and was rolled back."""

    index: int
    size: int
    first_source: str
    last_source: str
    error: str

    def __str__(self) -> str:
        return (
            f"chunk {self.index} ({self.size} alerts, {self.first_source} .. "
            f"{self.last_source}) rolled back: {self.error}"
        )


@dataclass(slots=True)
class WriteReport:
    """What a :meth:`AlertWriter.write` call (or several, merged) did."""

    attempted: int = 0
    inserted: int = 0
    duplicates: int = 0
    failed: int = 0
    chunks: int = 0
    inserted_by_company: Counter[str] = field(default_factory=Counter)
    inserted_hashes: set[str] = field(default_factory=set)
    failed_hashes: set[str] = field(default_factory=set)
    failures: list[ChunkFailure] = field(default_factory=list)

    def merge(self, other: WriteReport) -> None:
        """Add ``other``'s counts to this report."""
        self.attempted += other.attempted
        self.inserted += other.inserted
        self.duplicates += other.duplicates
        self.failed += other.failed
        self.chunks += other.chunks
        self.inserted_by_company.update(other.inserted_by_company)
        self.inserted_hashes |= other.inserted_hashes
        self.failed_hashes |= other.failed_hashes
        self.failures.extend(other.failures)


@dataclass(slots=True)
class _FeedDelta:
    success: int = 0
    error: int = 0
    alerts: int = 0
    last_fetch: dt.datetime | None = None


def _dialect_insert(conn: Connection, table: sa.Table) -> Any:
    name = conn.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    raise NotImplementedError(f"tgematch's store supports SQLite and PostgreSQL, not {name}")


class AlertWriter:
    """Writes alerts and feed statistics to the store (see the module docstring).

    Usage::

        writer = AlertWriter(engine)
        writer.register_companies(watchlist.companies)
        writer.register_feed("news.jsonl")
        report = writer.write(records)
        writer.record_fetch("news.jsonl", ok=True)
        writer.flush()
    """

    def __init__(self, engine: Engine, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        if chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.engine = engine.execution_options(**{WRITE: True})
        self.chunk_size = chunk_size
        self._company_ids: dict[str, int] = {}
        self._feed_ids: dict[str, int] = {}
        self._deltas: dict[int, _FeedDelta] = defaultdict(_FeedDelta)
        self._chunk_index = 0

    # -- reference rows -------------------------------------------------------------------

    def register_companies(self, companies: Iterable[Any]) -> dict[str, int]:
        """Make sure every company has a row, with its current priority and status.

        Accepts watchlist ``Company`` objects (``name``, ``priority``, ``extra['status']``),
        mappings with those keys, or plain names. For objects and mappings an existing
        row's priority and status are updated (the watchlist is the source of truth); a
        plain name only makes sure the row exists. Returns :func:`company_key` -> id.
        Raises :class:`~tgematch.store.limits.ColumnLimitError` (nothing written) for a
        name, priority or status longer than its column.
        """
        updates: dict[str, dict[str, Any]] = {}
        inserts: dict[str, dict[str, Any]] = {}
        for company in companies:
            if isinstance(company, str):
                name, priority, status = company, "MEDIUM", "active"
            elif isinstance(company, Mapping):
                name = company["name"]
                priority = company.get("priority", "MEDIUM")
                status = company.get("status", "active")
            else:
                name = company.name
                priority = getattr(company, "priority", "MEDIUM")
                extra = getattr(company, "extra", None) or {}
                status = extra.get("status", "active")
            key = company_key(name)
            entry = _entry("company", key)
            row = {
                "name": check_length(key, _COMPANIES, "name", entry),
                "priority": check_length(str(priority).upper(), _COMPANIES, "priority", entry),
                "status": check_length(storable(str(status)), _COMPANIES, "status", entry),
                "created_at": utcnow(),
            }
            # One row per key (PostgreSQL refuses to update a row twice in one statement).
            (inserts if isinstance(company, str) else updates)[key] = row
        for key in updates:
            inserts.pop(key, None)
        if not updates and not inserts:
            return {}
        with self.engine.begin() as conn:
            if updates:
                stmt = _dialect_insert(conn, _COMPANIES)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["name"],
                    set_={"priority": stmt.excluded.priority, "status": stmt.excluded.status},
                )
                conn.execute(stmt, list(updates.values()))
            if inserts:
                stmt = _dialect_insert(conn, _COMPANIES)
                conn.execute(
                    stmt.on_conflict_do_nothing(index_elements=["name"]), list(inserts.values())
                )
            names = [*updates, *inserts]
            found = conn.execute(
                sa.select(CompanyRow.name, CompanyRow.id).where(CompanyRow.name.in_(names))
            ).all()
        self._company_ids.update({name: cid for name, cid in found})
        return {name: cid for name, cid in found}

    def register_feed(
        self, url: str, *, kind: str = "file", name: str | None = None, priority: int = 1
    ) -> int:
        """Make sure the feed ``url`` (URL or file path) has a row; return its id."""
        key = storable(url)
        if key not in self._feed_ids:
            self.register_feeds([url], kind=kind, name=name, priority=priority)
        return self._feed_ids[key]

    def register_feeds(
        self,
        urls: Iterable[str],
        *,
        kind: str = "file",
        name: str | None = None,
        priority: int = 1,
    ) -> dict[str, int]:
        """Make sure every feed in ``urls`` has a row (one transaction); return url -> id."""
        wanted = list(dict.fromkeys(storable(u) for u in urls))
        missing = [u for u in wanted if u not in self._feed_ids]
        for u in missing:
            check_length(u, _FEEDS, "url", _entry("feed", u))
        if name is not None:
            name = check_length(storable(name), _FEEDS, "name", _entry("feed name", name))
        if missing:
            now = utcnow()
            rows = [
                {
                    "url": u,
                    "kind": kind,
                    "name": name,
                    "is_active": True,
                    "priority": priority,
                    "success_count": 0,
                    "error_count": 0,
                    "tge_alerts_found": 0,
                    "created_at": now,
                }
                for u in missing
            ]
            with self.engine.begin() as conn:
                stmt = _dialect_insert(conn, _FEEDS).on_conflict_do_nothing(index_elements=["url"])
                conn.execute(stmt, rows)
                for lo in range(0, len(missing), 5000):
                    part = missing[lo : lo + 5000]
                    found = conn.execute(sa.select(Feed.url, Feed.id).where(Feed.url.in_(part)))
                    self._feed_ids.update({u: fid for u, fid in found})
        return {u: self._feed_ids[u] for u in wanted}

    # -- feed statistics ------------------------------------------------------------------

    def record_fetch(self, feed: str, *, ok: bool, when: dt.datetime | None = None) -> None:
        """Count one fetch (one read of a file) of ``feed``; applied at the next flush."""
        delta = self._deltas[self.register_feed(feed)]
        if ok:
            delta.success += 1
        else:
            delta.error += 1
        delta.last_fetch = when or utcnow()

    def flush(self) -> None:
        """Apply the pending feed statistics in one transaction."""
        if not self._deltas:
            return
        with self.engine.begin() as conn:
            self._apply_deltas(conn, self._deltas)
        self._deltas = defaultdict(_FeedDelta)

    @staticmethod
    def _apply_deltas(conn: Connection, deltas: Mapping[int, _FeedDelta]) -> None:
        params = [
            {
                "fid": fid,
                "d_success": d.success,
                "d_error": d.error,
                "d_alerts": d.alerts,
                "fetched": d.last_fetch,
            }
            for fid, d in deltas.items()
            if d.success or d.error or d.alerts or d.last_fetch
        ]
        if params:
            table = _FEEDS
            stmt = (
                sa.update(table)
                .where(table.c.id == sa.bindparam("fid"))
                .values(
                    success_count=table.c.success_count + sa.bindparam("d_success"),
                    error_count=table.c.error_count + sa.bindparam("d_error"),
                    tge_alerts_found=table.c.tge_alerts_found + sa.bindparam("d_alerts"),
                    last_fetch=sa.func.coalesce(
                        sa.bindparam("fetched", type_=table.c.last_fetch.type),
                        table.c.last_fetch,
                    ),
                )
            )
            conn.execute(stmt, params)

    # -- alerts ---------------------------------------------------------------------------

    def write(self, records: Sequence[AlertRecord]) -> WriteReport:
        """Insert ``records`` in chunks; each chunk commits or rolls back on its own."""
        report = WriteReport()
        for lo in range(0, len(records), self.chunk_size):
            report.merge(self._write_chunk(records[lo : lo + self.chunk_size]))
        return report

    def _row(self, record: AlertRecord, now: dt.datetime) -> dict[str, Any]:
        key = company_key(record.company)
        company_id = self._company_ids.get(key)
        if company_id is None:
            company_id = self.register_companies([record.company])[key]
        feed_id = self.register_feed(record.feed) if record.feed is not None else None
        return {
            "company_id": company_id,
            "feed_id": feed_id,
            "content_hash": record.content_hash,
            "title": storable(record.title) if record.title is not None else None,
            "url": storable(record.url) if record.url is not None else None,
            "excerpt": storable(record.excerpt),
            "confidence": record.confidence,
            "matched_keywords": [_storable_json(k) for k in record.matched_keywords],
            "exclusions": [_storable_json(e) for e in record.exclusions],
            "status": "new",
            "urgency_level": record.urgency_level,
            "published_at": record.published_at,
            "created_at": record.created_at or now,
        }

    def _write_chunk(self, chunk: Sequence[AlertRecord]) -> WriteReport:
        self._chunk_index += 1
        report = WriteReport(attempted=len(chunk), chunks=1)
        if not chunk:
            return report
        try:
            now = utcnow()
            rows = [self._row(r, now) for r in chunk]
            with self.engine.begin() as conn:
                stmt = (
                    _dialect_insert(conn, _ALERTS)
                    .on_conflict_do_nothing(index_elements=["content_hash"])
                    .returning(_ALERTS.c.content_hash)
                )
                new_hashes = set(conn.execute(stmt, rows).scalars())
                by_hash = {r.content_hash: r for r in chunk}
                # Pending fetch statistics plus this chunk's new alerts, in this transaction.
                deltas = {
                    fid: _FeedDelta(d.success, d.error, d.alerts, d.last_fetch)
                    for fid, d in self._deltas.items()
                }
                for h in new_hashes:
                    feed = by_hash[h].feed
                    if feed is not None:
                        deltas.setdefault(self._feed_ids[storable(feed)], _FeedDelta()).alerts += 1
                self._apply_deltas(conn, deltas)
            # Committed: the pending statistics are in the database now.
            self._deltas = defaultdict(_FeedDelta)
        except SQLAlchemyError as exc:
            report.failed = len(chunk)
            report.failed_hashes = {r.content_hash for r in chunk}
            report.failures.append(
                ChunkFailure(
                    index=self._chunk_index,
                    size=len(chunk),
                    first_source=chunk[0].source,
                    last_source=chunk[-1].source,
                    error=_one_line(exc),
                )
            )
            return report
        report.inserted = len(new_hashes)
        report.duplicates = len(chunk) - len(new_hashes)
        report.inserted_hashes = new_hashes
        report.inserted_by_company = Counter(by_hash[h].company for h in new_hashes)
        return report


def _storable_json(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: storable(v) if isinstance(v, str) else v for k, v in value.items()}


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return " ".join(text.split())[:300]
