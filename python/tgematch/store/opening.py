"""Opening the store: :func:`open_store`, the one way every command gets its engine.

It resolves the URL, refuses a missing SQLite file (or a missing directory for a new
one) before SQLAlchemy would create it, connects once so that an unreachable server is
reported before any work, and migrates the schema or checks that it is current. Each
failure is one :class:`StoreOpenError` subclass; the caller (the command line) turns it
into its own message, so this module knows nothing of how errors are shown.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from .engine import create_engine, resolve_url
from .migrations import current_revision, head_revision, upgrade

__all__ = [
    "InvalidURLError",
    "MissingDirectoryError",
    "NoDatabaseError",
    "SchemaNotCurrentError",
    "StoreConnectError",
    "StoreOpenError",
    "open_store",
]


class StoreOpenError(Exception):
    """The store could not be opened (base class of :func:`open_store`'s errors)."""


class InvalidURLError(StoreOpenError):
    """The database URL cannot be parsed (bad syntax, bad port); the cause is chained."""


class NoDatabaseError(StoreOpenError):
    """The SQLite file does not exist and ``create`` was false."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"no database at {path}")
        self.path = path


class MissingDirectoryError(StoreOpenError):
    """The directory of a SQLite file to create does not exist."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"cannot use database {path}: directory {path.parent} does not exist")
        self.path = path


class SchemaNotCurrentError(StoreOpenError):
    """``check_schema`` was asked and the database is not at the head revision."""


class StoreConnectError(StoreOpenError):
    """The driver failed (not installed, unreachable server, SQL error); see ``cause``."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def open_store(
    url: str | URL | None,
    *,
    create: bool = False,
    migrate: bool = False,
    check_schema: bool = False,
) -> Engine:
    """An engine on a reachable database, the caller to dispose of it.

    ``create``: a missing SQLite file may be created (its directory must exist).
    ``migrate``: upgrade the schema to the head revision. ``check_schema``: raise
    :class:`SchemaNotCurrentError` unless the schema is at the head revision. Raises a
    :class:`StoreOpenError` subclass; the engine is disposed of when it raises.
    """
    try:
        parsed = resolve_url(url)
    except (ArgumentError, ValueError) as exc:
        raise InvalidURLError(str(exc)) from exc
    # Checked before SQLAlchemy connects, because connecting would create the file.
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        db_path = Path(parsed.database)
        if not create and not db_path.exists():
            raise NoDatabaseError(db_path)
        if create and not db_path.parent.exists():
            raise MissingDirectoryError(db_path)
    try:
        engine = create_engine(parsed)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreConnectError(exc) from exc
    try:
        with engine.connect():
            pass
        if migrate:
            upgrade(engine)
        elif check_schema and current_revision(engine) != head_revision():
            engine.dispose()
            raise SchemaNotCurrentError("no current tgematch schema")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreConnectError(exc) from exc
    return engine
