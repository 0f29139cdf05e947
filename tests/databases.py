"""Test helpers: an empty database for one test (SQLite file or temporary PostgreSQL database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tgematch.store import resolve_url


def temporary_pg_database(base_url: str, prefix: str = "tgematch_t") -> Iterator[str]:
    """Create a database named ``{prefix}_<random>`` on the server of ``base_url``, yield
    its URL, and drop it (forcibly, other sessions included) when the caller resumes."""
    base = resolve_url(base_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


PG_ENV = "TGEMATCH_TEST_PG_URL"
PG_SKIP = (
    f"PostgreSQL store tests need {PG_ENV}; start a server with "
    '`eval "$(.ci/postgres.sh)"` and run `python -m pytest tests/test_store.py tests/test_cli.py`'
)


def empty_database(dialect: str, sqlite_file: Path, prefix: str) -> Iterator[str]:
    """The URL of an empty database for a ``db_url`` fixture: the SQLite file
    ``sqlite_file``, or (``dialect == "postgresql"``) a temporary database on the server of
    ``$TGEMATCH_TEST_PG_URL``; the test is skipped when that variable is not set."""
    if dialect == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    yield from temporary_pg_database(base, prefix)
