"""Test helper: a fresh PostgreSQL database for one test, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

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
