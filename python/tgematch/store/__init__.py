"""The alerts store: SQLAlchemy models, Alembic migrations, engine factory, writes, queries.

* :mod:`.models` — ``CompanyRow``, ``Feed``, ``Alert`` (tables ``companies``, ``feeds``,
  ``alerts``, with the seed system's index names).
* :mod:`.engine` — :func:`create_engine`: SQLite by default (``tgematch.db`` in the working
  directory), PostgreSQL with the seed's pool settings.
* :mod:`.opening` — :func:`open_store`: resolve, check, connect, migrate or check the
  schema; the one way the command line opens the store.
* :mod:`.migrations` — :func:`upgrade` / :func:`downgrade` (Alembic, configured in code).
* :mod:`.writes` — :class:`AlertWriter`: idempotent chunked inserts, feed statistics.
* :mod:`.queries` — recent alerts, alerts of a company, high-confidence alerts, feeds.

Needs the runtime dependencies ``sqlalchemy`` and ``alembic`` (and ``psycopg`` for
PostgreSQL: ``pip install 'tgematch[postgres]'``).
"""

from __future__ import annotations

from .engine import create_engine, display_url, resolve_url
from .migrations import current_revision, downgrade, head_revision, upgrade
from .models import Alert, Base, CompanyRow, Feed
from .opening import (
    InvalidURLError,
    MissingDirectoryError,
    NoDatabaseError,
    SchemaNotCurrentError,
    StoreConnectError,
    StoreOpenError,
    open_store,
)
from .queries import (
    AlertView,
    FeedStats,
    company_alerts,
    feed_statistics,
    high_confidence_alerts,
    list_alerts,
    recent_alerts,
)
from .writes import AlertRecord, AlertWriter, WriteReport, alerts_from_analysis, content_hash

__all__ = [
    "Alert",
    "AlertRecord",
    "AlertView",
    "AlertWriter",
    "Base",
    "CompanyRow",
    "Feed",
    "FeedStats",
    "InvalidURLError",
    "MissingDirectoryError",
    "NoDatabaseError",
    "SchemaNotCurrentError",
    "StoreConnectError",
    "StoreOpenError",
    "WriteReport",
    "alerts_from_analysis",
    "company_alerts",
    "content_hash",
    "create_engine",
    "current_revision",
    "display_url",
    "downgrade",
    "feed_statistics",
    "head_revision",
    "high_confidence_alerts",
    "list_alerts",
    "open_store",
    "recent_alerts",
    "resolve_url",
    "upgrade",
]
