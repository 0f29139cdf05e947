"""Read side of the store: the queries the seed system benchmarked, each served by an index.

* :func:`recent_alerts` — ``created_at >= now - 24h ORDER BY created_at DESC LIMIT n``:
  ``idx_alerts_created_desc``.
* :func:`company_alerts` — ``company_id = :id [AND confidence >= :c] ORDER BY confidence
  DESC, created_at DESC LIMIT n``: ``idx_alerts_company_conf_time``. It lists a company's
  alerts most confident first (newest first among equals), the order of the seed's index,
  so the index both filters and orders and the query stops after n rows. (Ordered newest
  first instead, PostgreSQL's planner prefers walking ``idx_alerts_created_desc`` and
  filtering on the company; :func:`list_alerts` with ``company=`` is that query.)
* :func:`high_confidence_alerts` — ``confidence >= 0.7 ORDER BY created_at DESC LIMIT n``
  (newest first, stops after n rows): ``idx_alerts_created_desc``.
* :func:`feed_statistics` — ``ORDER BY tge_alerts_found DESC, success_count DESC``:
  ``idx_feed_performance``.
* :func:`active_feeds` — ``WHERE is_active ORDER BY priority``: ``idx_feed_active_priority``.
* :func:`stale_feeds` — ``WHERE last_fetch < :t ORDER BY last_fetch``: ``idx_feed_last_fetch``.

Each query exists twice: a ``*_stmt`` function building the SQLAlchemy statement (what
``benches/bench_store.py`` runs ``EXPLAIN`` on) and a function running it on an engine
or connection and returning plain frozen dataclasses. :func:`list_alerts` combines the
filters (company, since, minimum confidence, status) and is what ``tgematch alerts`` uses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from .models import Alert, CompanyRow, Feed, utcnow

__all__ = [
    "HIGH_CONFIDENCE",
    "AlertView",
    "FeedStats",
    "active_feeds",
    "active_feeds_stmt",
    "alerts_stmt",
    "company_alerts",
    "company_alerts_stmt",
    "company_id",
    "feed_statistics",
    "feed_statistics_stmt",
    "high_confidence_alerts",
    "high_confidence_alerts_stmt",
    "list_alerts",
    "recent_alerts",
    "recent_alerts_stmt",
    "stale_feeds",
    "stale_feeds_stmt",
]

#: The seed's "high confidence" threshold.
HIGH_CONFIDENCE = 0.7
DEFAULT_LIMIT = 100


@dataclass(frozen=True, slots=True)
class AlertView:
    """A stored alert with its company and feed resolved."""

    id: int
    company: str
    priority: str
    feed: str | None
    title: str | None
    url: str | None
    excerpt: str
    confidence: float
    matched_keywords: tuple[Any, ...]
    exclusions: tuple[Any, ...]
    status: str
    urgency_level: str
    published_at: dt.datetime | None
    created_at: dt.datetime
    content_hash: str


@dataclass(frozen=True, slots=True)
class FeedStats:
    """Statistics of one feed."""

    id: int
    url: str
    kind: str
    is_active: bool
    priority: int
    last_fetch: dt.datetime | None
    success_count: int
    error_count: int
    tge_alerts_found: int

    @property
    def success_rate(self) -> float | None:
        """Successful fetches / all fetches (``None`` before the first fetch)."""
        total = self.success_count + self.error_count
        return self.success_count / total if total else None


Bind = Engine | Connection


def _cutoff(
    since: dt.timedelta | dt.datetime | None, now: dt.datetime | None
) -> dt.datetime | None:
    if since is None:
        return None
    if isinstance(since, dt.timedelta):
        return (now or utcnow()) - since
    return since if since.tzinfo else since.replace(tzinfo=dt.UTC)


def alerts_stmt(
    *,
    company_id: int | None = None,
    since: dt.timedelta | dt.datetime | None = None,
    min_confidence: float | None = None,
    status: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
    order: str = "newest",
) -> sa.Select[Any]:
    """Alerts (joined with company and feed) matching every given filter.

    ``order`` is ``"newest"`` (created_at descending) or ``"confidence"`` (confidence
    descending, then newest first).
    """
    stmt = (
        sa.select(
            Alert.id,
            CompanyRow.name,
            CompanyRow.priority,
            Feed.url.label("feed_url"),
            Alert.title,
            Alert.url,
            Alert.excerpt,
            Alert.confidence,
            Alert.matched_keywords,
            Alert.exclusions,
            Alert.status,
            Alert.urgency_level,
            Alert.published_at,
            Alert.created_at,
            Alert.content_hash,
        )
        .select_from(Alert)
        .join(CompanyRow, CompanyRow.id == Alert.company_id)
        .outerjoin(Feed, Feed.id == Alert.feed_id)
    )
    if company_id is not None:
        stmt = stmt.where(Alert.company_id == company_id)
    cutoff = _cutoff(since, now)
    if cutoff is not None:
        stmt = stmt.where(Alert.created_at >= cutoff)
    if min_confidence is not None:
        stmt = stmt.where(Alert.confidence >= min_confidence)
    if status is not None:
        stmt = stmt.where(Alert.status == status)
    if order == "newest":
        stmt = stmt.order_by(Alert.created_at.desc())
    elif order == "confidence":
        stmt = stmt.order_by(Alert.confidence.desc(), Alert.created_at.desc())
    else:
        raise ValueError(f"order must be 'newest' or 'confidence', not {order!r}")
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def recent_alerts_stmt(
    hours: float = 24, *, limit: int | None = DEFAULT_LIMIT, now: dt.datetime | None = None
) -> sa.Select[Any]:
    """Alerts created in the last ``hours`` hours, newest first."""
    return alerts_stmt(since=dt.timedelta(hours=hours), limit=limit, now=now)


def company_alerts_stmt(
    company: int,
    *,
    min_confidence: float | None = None,
    since: dt.timedelta | dt.datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
) -> sa.Select[Any]:
    """Alerts of the company with id ``company``, most confident first, then newest."""
    return alerts_stmt(
        company_id=company,
        min_confidence=min_confidence,
        since=since,
        limit=limit,
        now=now,
        order="confidence",
    )


def high_confidence_alerts_stmt(
    min_confidence: float = HIGH_CONFIDENCE,
    *,
    since: dt.timedelta | dt.datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
) -> sa.Select[Any]:
    """Alerts with confidence >= ``min_confidence``, newest first."""
    return alerts_stmt(min_confidence=min_confidence, since=since, limit=limit, now=now)


def _feed_columns() -> tuple[Any, ...]:
    return (
        Feed.id,
        Feed.url,
        Feed.kind,
        Feed.is_active,
        Feed.priority,
        Feed.last_fetch,
        Feed.success_count,
        Feed.error_count,
        Feed.tge_alerts_found,
    )


def feed_statistics_stmt(*, limit: int | None = None) -> sa.Select[Any]:
    """Feeds by performance: most alerts found first, then most successful fetches."""
    stmt = sa.select(*_feed_columns()).order_by(
        Feed.tge_alerts_found.desc(), Feed.success_count.desc()
    )
    return stmt.limit(limit) if limit is not None else stmt


def active_feeds_stmt(*, limit: int | None = None) -> sa.Select[Any]:
    """Active feeds in priority order (what a fetcher polls next)."""
    stmt = (
        sa.select(*_feed_columns())
        .where(Feed.is_active == sa.true())
        .order_by(Feed.is_active, Feed.priority)
    )
    return stmt.limit(limit) if limit is not None else stmt


def stale_feeds_stmt(
    older_than: dt.timedelta = dt.timedelta(hours=1),
    *,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> sa.Select[Any]:
    """Feeds not fetched for ``older_than``, longest-waiting first."""
    cutoff = (now or utcnow()) - older_than
    stmt = sa.select(*_feed_columns()).where(Feed.last_fetch < cutoff).order_by(Feed.last_fetch)
    return stmt.limit(limit) if limit is not None else stmt


def _run(bind: Bind, stmt: sa.Executable) -> Sequence[sa.Row[Any]]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return conn.execute(stmt).all()
    return bind.execute(stmt).all()


def _alert_views(rows: Sequence[sa.Row[Any]]) -> list[AlertView]:
    return [
        AlertView(
            id=r.id,
            company=r.name,
            priority=r.priority,
            feed=r.feed_url,
            title=r.title,
            url=r.url,
            excerpt=r.excerpt,
            confidence=r.confidence,
            matched_keywords=tuple(r.matched_keywords or ()),
            exclusions=tuple(r.exclusions or ()),
            status=r.status,
            urgency_level=r.urgency_level,
            published_at=r.published_at,
            created_at=r.created_at,
            content_hash=r.content_hash,
        )
        for r in rows
    ]


def _feed_stats(rows: Sequence[sa.Row[Any]]) -> list[FeedStats]:
    return [FeedStats(**r._mapping) for r in rows]


def company_id(bind: Bind, name: str) -> int | None:
    """The id of the company called ``name`` (exact name first, then case-insensitive)."""
    exact = _run(bind, sa.select(CompanyRow.id).where(CompanyRow.name == name))
    if exact:
        return int(exact[0][0])
    folded = _run(
        bind,
        sa.select(CompanyRow.id)
        .where(sa.func.lower(CompanyRow.name) == name.lower())
        .order_by(CompanyRow.id),
    )
    return int(folded[0][0]) if folded else None


def list_alerts(
    bind: Bind,
    *,
    company: str | None = None,
    since: dt.timedelta | dt.datetime | None = None,
    min_confidence: float | None = None,
    status: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
) -> list[AlertView]:
    """Alerts matching every given filter, newest first (an unknown company gives [])."""
    cid = None
    if company is not None:
        cid = company_id(bind, company)
        if cid is None:
            return []
    stmt = alerts_stmt(
        company_id=cid,
        since=since,
        min_confidence=min_confidence,
        status=status,
        limit=limit,
        now=now,
    )
    return _alert_views(_run(bind, stmt))


def recent_alerts(
    bind: Bind,
    hours: float = 24,
    *,
    limit: int | None = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
) -> list[AlertView]:
    """Alerts created in the last ``hours`` hours (default 24), newest first."""
    return _alert_views(_run(bind, recent_alerts_stmt(hours, limit=limit, now=now)))


def company_alerts(
    bind: Bind,
    company: str,
    *,
    min_confidence: float | None = None,
    since: dt.timedelta | dt.datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
) -> list[AlertView]:
    """Alerts for the company called ``company``, most confident first, then newest."""
    cid = company_id(bind, company)
    if cid is None:
        return []
    stmt = company_alerts_stmt(
        cid, min_confidence=min_confidence, since=since, limit=limit, now=now
    )
    return _alert_views(_run(bind, stmt))


def high_confidence_alerts(
    bind: Bind,
    min_confidence: float = HIGH_CONFIDENCE,
    *,
    since: dt.timedelta | dt.datetime | None = None,
    limit: int | None = DEFAULT_LIMIT,
    now: dt.datetime | None = None,
) -> list[AlertView]:
    """Alerts with confidence >= ``min_confidence`` (default 0.7), newest first."""
    stmt = high_confidence_alerts_stmt(min_confidence, since=since, limit=limit, now=now)
    return _alert_views(_run(bind, stmt))


def feed_statistics(bind: Bind, *, limit: int | None = None) -> list[FeedStats]:
    """Every feed's statistics, best-performing first."""
    return _feed_stats(_run(bind, feed_statistics_stmt(limit=limit)))


def active_feeds(bind: Bind, *, limit: int | None = None) -> list[FeedStats]:
    """Active feeds in priority order."""
    return _feed_stats(_run(bind, active_feeds_stmt(limit=limit)))


def stale_feeds(
    bind: Bind,
    older_than: dt.timedelta = dt.timedelta(hours=1),
    *,
    limit: int | None = None,
    now: dt.datetime | None = None,
) -> list[FeedStats]:
    """Feeds whose last fetch is older than ``older_than``."""
    return _feed_stats(_run(bind, stale_feeds_stmt(older_than, limit=limit, now=now)))
