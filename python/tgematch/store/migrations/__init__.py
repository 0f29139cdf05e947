"""Alembic migrations of the alerts store, configured in code (no ``alembic.ini``).

The script directory is this package's folder, found from ``__file__``, so migrations run
the same from a source checkout and from an installed wheel. :func:`alembic_config`
builds the equivalent of an ``alembic.ini``; :func:`upgrade` / :func:`downgrade` run the
migrations against a URL or an existing :class:`~sqlalchemy.engine.Engine` (what
``tgematch db upgrade`` calls). The version is kept in the table
:data:`VERSION_TABLE`, so the store can share a database with another Alembic project.

To write a new revision from a source checkout::

    python -c "from tgematch.store.migrations import alembic_config; \\
        from alembic import command; \\
        command.revision(alembic_config('sqlite:///dev.db'), 'message', autogenerate=True)"
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Engine

from ..engine import create_engine, resolve_url

__all__ = [
    "HEAD",
    "SCRIPT_LOCATION",
    "VERSION_TABLE",
    "alembic_config",
    "current_revision",
    "downgrade",
    "head_revision",
    "upgrade",
]

#: Folder holding ``env.py`` and ``versions/``.
SCRIPT_LOCATION = Path(__file__).resolve().parent
#: Alembic's version table for tgematch's schema.
VERSION_TABLE = "tgematch_alembic_version"
HEAD = "head"


def alembic_config(url: str | URL | Engine | None = None) -> Config:
    """Return the Alembic configuration (the ``alembic.ini`` equivalent) for ``url``.

    ``url`` may also be an :class:`~sqlalchemy.engine.Engine`, which the migrations then
    use instead of creating their own.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.set_main_option("version_table", VERSION_TABLE)
    if isinstance(url, Engine):
        cfg.attributes["engine"] = url
    else:
        # Kept out of the ini-style options: a password may contain '%'.
        cfg.attributes["url"] = resolve_url(url)
    return cfg


def upgrade(url: str | URL | Engine | None = None, revision: str = HEAD) -> None:
    """Migrate the database at ``url`` up to ``revision`` (default: the latest)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | URL | Engine | None = None, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision`` (default: an empty schema)."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest revision shipped with this version of tgematch."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str | URL | Engine | None = None) -> str | None:
    """The revision the database at ``url`` is at (``None`` for an unmigrated database)."""
    engine = url if isinstance(url, Engine) else create_engine(url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            return ctx.get_current_revision()
    finally:
        if not isinstance(url, Engine):
            engine.dispose()
