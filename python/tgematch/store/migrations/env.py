"""Alembic environment of the tgematch store (configured by ``tgematch.store.migrations``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from tgematch.store.engine import WRITE, create_engine
from tgematch.store.models import Base

config = context.config
VERSION_TABLE = config.get_main_option("version_table") or "tgematch_alembic_version"
# Serialises concurrent `tgematch db upgrade` / scans on PostgreSQL.
PG_MIGRATION_LOCK = 0x7467656D  # "tgem"


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit the migrations as SQL (``alembic upgrade --sql``)."""
    url = config.attributes.get("url")
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations in one transaction that holds the database's write lock."""
    given: Engine | None = config.attributes.get("engine")
    own_engine = given is None
    engine = create_engine(config.attributes.get("url")) if given is None else given
    try:
        with engine.connect() as connection:
            connection.execution_options(**{WRITE: True})
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
                    )
                _run(connection)
    finally:
        if own_engine:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
