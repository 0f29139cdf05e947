"""Engine factory: a database URL decides SQLite (embedded default) or PostgreSQL.

* No URL (and no ``TGEMATCH_DB_URL`` in the environment): SQLite file ``tgematch.db`` in
  the current working directory.
* A URL with a scheme (``sqlite:///path.db``, ``postgresql://...``,
  ``postgresql+psycopg://...``) is used as it is, except that ``postgresql://`` and
  ``postgres://`` without a driver get psycopg 3 (``postgresql+psycopg://``).
* Anything else is taken as the path of a SQLite file.

SQLite connections get ``journal_mode=WAL``, ``busy_timeout`` (30 s by default),
``foreign_keys=ON`` and ``synchronous=NORMAL``. The driver's own implicit transaction
handling is switched off and SQLAlchemy emits ``BEGIN`` itself (the recipe in the
SQLAlchemy SQLite dialect docs); a connection with the execution option
``tgematch_write=True`` begins with ``BEGIN IMMEDIATE`` instead, taking the write lock up
front so two writers queue on ``busy_timeout`` instead of failing with "database is
locked" in the middle of a transaction.

PostgreSQL gets the seed's pool settings (:data:`POSTGRES_POOL_DEFAULTS`): pool_size 20,
max_overflow 10, pool_timeout 30 s, pool_recycle 3600 s, reset on return by rollback,
pre-ping; each can be overridden by a keyword argument of :func:`create_engine`.
"""

from __future__ import annotations

import os
import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url

__all__ = [
    "DB_URL_ENV",
    "DEFAULT_SQLITE_FILE",
    "POSTGRES_POOL_DEFAULTS",
    "SQLITE_BUSY_TIMEOUT_MS",
    "WRITE",
    "create_engine",
    "display_url",
    "resolve_url",
]

#: Environment variable that supplies the database URL when none is given.
DB_URL_ENV = "TGEMATCH_DB_URL"
#: The embedded default: a SQLite file in the working directory.
DEFAULT_SQLITE_FILE = "tgematch.db"
#: The seed system's PostgreSQL pool settings.
POSTGRES_POOL_DEFAULTS: dict[str, Any] = {
    "pool_size": 20,
    "max_overflow": 10,
    "pool_timeout": 30,
    "pool_recycle": 3600,
    "pool_reset_on_return": "rollback",
    "pool_pre_ping": True,
}
#: Default SQLite busy timeout (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Execution option marking a connection whose transactions write (SQLite: BEGIN IMMEDIATE).
WRITE = "tgematch_write"


def resolve_url(url: str | URL | None = None) -> URL:
    """Turn what the user gave (URL, SQLite path or nothing) into a SQLAlchemy URL."""
    if url is None or (isinstance(url, str) and not url.strip()):
        url = os.environ.get(DB_URL_ENV) or DEFAULT_SQLITE_FILE
    if isinstance(url, URL):
        parsed = url
    elif "://" in url:
        parsed = make_url(url)
    else:
        parsed = URL.create("sqlite", database=url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def display_url(url: str | URL | None) -> str:
    """The URL as it may be printed: the password hidden."""
    return resolve_url(url).render_as_string(hide_password=True)


def create_engine(
    url: str | URL | None = None,
    *,
    busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    **overrides: Any,
) -> Engine:
    """Create the store's engine for ``url`` (see the module docstring for defaults).

    ``overrides`` are passed to :func:`sqlalchemy.create_engine`; for PostgreSQL they
    replace the matching :data:`POSTGRES_POOL_DEFAULTS`. ``busy_timeout_ms`` sets SQLite's
    busy timeout.
    """
    parsed = resolve_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed, busy_timeout_ms, overrides)
    if backend == "postgresql":
        options = {**POSTGRES_POOL_DEFAULTS, **overrides}
        return sa.create_engine(parsed, **options)
    return sa.create_engine(parsed, **overrides)


def _set_wal(cursor: Any, busy_timeout_ms: int) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection holds the lock.

    Switching a new database to WAL needs an exclusive lock. When two processes open a
    fresh database at once, each holds a shared lock and wants the exclusive one; SQLite
    then fails one of them at once with "database is locked" instead of waiting (waiting
    would deadlock), so ``busy_timeout`` does not apply. Retry until it does.
    """
    import sqlite3

    deadline = time.monotonic() + busy_timeout_ms / 1000
    delay = 0.001
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


def _sqlite_engine(url: URL, busy_timeout_ms: int, overrides: dict[str, Any]) -> Engine:
    connect_args = dict(overrides.pop("connect_args", {}))
    # sqlite3's own timeout is what busy_timeout sets; keep them equal.
    connect_args.setdefault("timeout", busy_timeout_ms / 1000)
    engine = sa.create_engine(url, connect_args=connect_args, **overrides)
    in_memory = url.database in (None, "", ":memory:") or "mode=memory" in str(url)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            if not in_memory:
                _set_wal(cursor, busy_timeout_ms)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
