"""SQLAlchemy 2.x declarative models of the alerts store: ``companies``, ``feeds``, ``alerts``.

The tables and index names are the seed system's, so existing dashboards and hand-written
SQL keep working:

* ``alerts``: ``idx_alerts_company_conf_time`` (company_id, confidence, created_at),
  ``idx_alerts_status_created`` (status, created_at), ``idx_alerts_urgency_created``
  (urgency_level, created_at), ``idx_alerts_created_desc`` (created_at DESC), plus the
  unique constraint ``uq_alerts_content_hash`` on ``content_hash``.
* ``feeds``: ``idx_feed_active_priority`` (is_active, priority), ``idx_feed_last_fetch``
  (last_fetch), ``idx_feed_performance`` (tge_alerts_found, success_count).

The schema itself is created by the Alembic migrations in ``tgematch/store/migrations``
(``tgematch db upgrade``), never by ``metadata.create_all``; a test checks that the
migrated database and these models agree.

All timestamps are timezone-aware UTC in Python. :class:`UTCDateTime` stores them as UTC
(naive on SQLite, ``timestamptz`` on PostgreSQL) and always returns aware UTC datetimes,
so comparisons behave the same on both databases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ..model import PRIORITIES

__all__ = [
    "ALERT_STATUSES",
    "FEED_KINDS",
    "PRIORITIES",
    "URGENCY_LEVELS",
    "Alert",
    "Base",
    "CompanyRow",
    "Feed",
    "UTCDateTime",
    "utcnow",
]

#: Kinds of feed: an RSS feed, a Twitter/X account or list, a local file.
FEED_KINDS = ("rss", "twitter", "file")
#: Alert workflow states; tgematch itself only ever writes ``new``.
ALERT_STATUSES = ("new", "sent", "acknowledged", "dismissed")
#: Urgency levels, see :func:`tgematch.store.writes.urgency_for`.
URGENCY_LEVELS = ("critical", "high", "medium", "low")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned as an aware UTC datetime.

    Naive datetimes given to it are taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Convert to UTC; SQLite gets a naive UTC value (it has no time zone type)."""
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            naive: dt.datetime = value.replace(tzinfo=None)
            return naive
        aware: dt.datetime = value
        return aware

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        stored: dt.datetime = value
        if stored.tzinfo is None:
            return stored.replace(tzinfo=dt.UTC)
        return stored.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the store's models (shared metadata with a naming convention)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CompanyRow(Base):
    """A watched company (one row per watchlist company name)."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    priority: Mapped[str] = mapped_column(String(10), nullable=False, default="MEDIUM")
    status: Mapped[str] = mapped_column(String(50), nullable=False, default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    alerts: Mapped[list[Alert]] = relationship(back_populates="company")

    __table_args__ = (
        UniqueConstraint("name"),
        CheckConstraint("priority IN ('HIGH', 'MEDIUM', 'LOW')", name="priority"),
    )

    def __repr__(self) -> str:
        return f"CompanyRow(id={self.id!r}, name={self.name!r}, priority={self.priority!r})"


class Feed(Base):
    """A source of documents: an RSS feed, a Twitter account or a scanned file."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="file")
    name: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    last_fetch: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    success_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    tge_alerts_found: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    alerts: Mapped[list[Alert]] = relationship(back_populates="feed")

    __table_args__ = (
        UniqueConstraint("url"),
        CheckConstraint("kind IN ('rss', 'twitter', 'file')", name="kind"),
        Index("idx_feed_active_priority", "is_active", "priority"),
        Index("idx_feed_last_fetch", "last_fetch"),
        Index("idx_feed_performance", "tge_alerts_found", "success_count"),
    )

    def __repr__(self) -> str:
        return f"Feed(id={self.id!r}, url={self.url!r}, kind={self.kind!r})"


class Alert(Base):
    """One alert: a relevant document mentioning one matched company.

    ``content_hash`` identifies (company, normalised title and content); it is unique, so
    storing the same alert twice is a no-op (see :mod:`tgematch.store.writes`).
    ``confidence`` is the document's confidence as a float in [0, 1].
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), nullable=False
    )
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feeds.id", ondelete="SET NULL"))
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text, nullable=False, default="")
    confidence: Mapped[float] = mapped_column(Float, nullable=False)
    matched_keywords: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    exclusions: Mapped[list[Any]] = mapped_column(JSON, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="new")
    urgency_level: Mapped[str] = mapped_column(String(16), nullable=False, default="medium")
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    company: Mapped[CompanyRow] = relationship(back_populates="alerts")
    feed: Mapped[Feed | None] = relationship(back_populates="alerts")

    __table_args__ = (
        UniqueConstraint("content_hash"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
        Index("idx_alerts_company_conf_time", "company_id", "confidence", "created_at"),
        Index("idx_alerts_status_created", "status", "created_at"),
        Index("idx_alerts_urgency_created", "urgency_level", "created_at"),
    )

    def __repr__(self) -> str:
        return (
            f"Alert(id={self.id!r}, company_id={self.company_id!r}, "
            f"confidence={self.confidence!r}, title={self.title!r})"
        )


# An index on an expression (created_at DESC) is declared once the column exists.
Index("idx_alerts_created_desc", Alert.created_at.desc())

#: The seed's index names, by table (what the migrations create and the tests check).
SEED_INDEXES: dict[str, tuple[str, ...]] = {
    "alerts": (
        "idx_alerts_company_conf_time",
        "idx_alerts_status_created",
        "idx_alerts_urgency_created",
        "idx_alerts_created_desc",
    ),
    "feeds": ("idx_feed_active_priority", "idx_feed_last_fetch", "idx_feed_performance"),
}
