"""Column length limits of the store, enforced the same way on every dialect.

PostgreSQL rejects a ``VARCHAR(n)`` value longer than ``n`` characters (failing the
whole transaction without naming the row); SQLite stores it. The writer checks every
bounded column before writing and raises :class:`ColumnLimitError` naming the entry and
the limit instead, so both dialects behave alike.
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["ColumnLimitError", "check_length", "column_limit"]


class ColumnLimitError(ValueError):
    """A value longer than its column allows; the message names the entry and the limit."""


def column_limit(table: sa.Table, column: str) -> int | None:
    """The maximum length in characters of ``table.column`` (None: unbounded)."""
    length = getattr(table.c[column].type, "length", None)
    return int(length) if length is not None else None


def check_length(value: str, table: sa.Table, column: str, entry: str) -> str:
    """``value`` if it fits ``table.column``; else a :class:`ColumnLimitError`.

    ``entry`` names what the value belongs to (e.g. ``company 'Caldera'``).
    """
    limit = column_limit(table, column)
    if limit is not None and len(value) > limit:
        raise ColumnLimitError(
            f"{entry}: {table.name}.{column} is {len(value)} characters long, the limit is {limit}"
        )
    return value
