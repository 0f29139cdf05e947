"""``tgematch db upgrade|downgrade|current``, and :func:`open_db`, how every command opens
the store (:func:`tgematch.store.open_store`) with the command line's error messages.

SQLAlchemy and Alembic are imported inside the functions: only commands that use the
database load them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tgematch.exit_status import ExitStatus

from .errors import CliError, missing_extra
from .render import one_line

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.engine import Engine

__all__ = ["cmd_db", "db_error", "display", "open_db"]


def display(url: str | None) -> str:
    """The database URL as it may be printed (password hidden); a bad one is a CliError."""
    from sqlalchemy.exc import ArgumentError

    from tgematch.store import display_url

    try:
        return str(display_url(url))
    except (ArgumentError, ValueError) as exc:
        raise CliError(f"invalid database URL: {one_line(str(exc))}") from exc


def db_error(url: str | None, exc: BaseException) -> CliError:
    """The one-line error for a failure of the database at ``url`` (driver's first line)."""
    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    detail = lines[0] if lines else type(orig).__name__
    missing = missing_extra(orig)
    if missing is not None:
        detail = missing
    return CliError(f"cannot use database {display(url)}: {detail}")


def open_db(
    url: str | None,
    *,
    create: bool = False,
    migrate: bool = False,
    check_schema: bool = False,
    no_database_hint: str = "",
) -> Engine:
    """:func:`tgematch.store.open_store` with its errors as :class:`CliError` lines.

    ``no_database_hint`` is appended to the "no database at PATH" message.
    """
    from tgematch.store import (
        InvalidURLError,
        NoDatabaseError,
        SchemaNotCurrentError,
        StoreConnectError,
        StoreOpenError,
        open_store,
    )

    try:
        return open_store(url, create=create, migrate=migrate, check_schema=check_schema)
    except InvalidURLError as exc:
        raise CliError(f"invalid database URL: {one_line(str(exc))}") from exc
    except NoDatabaseError as exc:
        raise CliError(f"{exc}{no_database_hint}") from exc
    except SchemaNotCurrentError as exc:
        raise CliError(
            f"database {display(url)} has no current tgematch schema (run `tgematch db upgrade`)"
        ) from exc
    except StoreConnectError as exc:
        raise db_error(url, exc.cause) from exc.cause
    except StoreOpenError as exc:  # MissingDirectoryError: its message is the line
        raise CliError(str(exc)) from exc


def _migrate(url: str, step: Callable[[Any], str | None], *, create: bool = False) -> str | None:
    """Open the database, run ``step(engine)`` and return what it returns; a database
    or migration error becomes the command line's one-line error."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    engine = open_db(url, create=create)
    try:
        return step(engine)
    except SQLAlchemyError as exc:
        raise db_error(url, exc) from exc
    except CommandError as exc:  # an unknown revision
        raise CliError(one_line(str(exc))) from exc
    finally:
        engine.dispose()


def cmd_db(args: argparse.Namespace, out: Console, err: Console) -> int:
    """``tgematch db upgrade|downgrade|current``."""
    from tgematch.store import current_revision, downgrade, head_revision, upgrade

    if args.db_command == "upgrade":
        revisions: list[str | None] = []

        def up(engine: Any) -> str | None:
            revisions.append(current_revision(engine))
            upgrade(engine, args.revision)
            return current_revision(engine)

        after = _migrate(args.db, up, create=True)
        before = revisions[0]
        out.print(
            f"database {display(args.db)}: {before or 'empty'} -> {after}"
            + (" (already up to date)" if before == after else ""),
            markup=False,
            highlight=False,
        )
        return ExitStatus.OK
    if args.db_command == "downgrade":

        def down(engine: Any) -> str | None:
            downgrade(engine, args.revision)
            return current_revision(engine)

        after = _migrate(args.db, down)
        out.print(f"database {display(args.db)}: now at {after or 'base (empty)'}", markup=False)
        return ExitStatus.OK
    current = _migrate(args.db, current_revision)
    head = head_revision()
    state = "up to date" if current == head else f"behind (head is {head})"
    out.print(f"database {display(args.db)}: {current or 'empty'} ({state})", markup=False)
    return ExitStatus.OK
