"""Schema migrations, run programmatically (``callbot migrate``) or checked at startup.

The Alembic configuration is built here, pointing at this package's ``migrations`` directory,
so it works from an installed wheel without alembic.ini. The database URL is handed to env.py
through ``config.attributes`` together with an open connection: the whole upgrade runs in one
transaction (PostgreSQL has transactional DDL), under an advisory lock so that two processes
starting at once do not both migrate.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.models import Base

MIGRATIONS_DIRECTORY = Path(__file__).resolve().with_name("migrations")
# Any constant will do; it only has to be the same in every process running migrations.
ADVISORY_LOCK_ID = 0x63616C6C626F74  # "callbot"

T = TypeVar("T")


class SchemaNotCurrentError(RuntimeError):
    """The database schema is not the one this version of the code expects."""


def alembic_config(database_url: str | None = None) -> Config:
    """A Config for this package's migrations; the URL travels in ``attributes``."""
    config = Config()
    # ConfigParser interpolation: a '%' in the install path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS_DIRECTORY).replace("%", "%%"))
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


async def _with_connection(database_url: str, work: Callable[[Connection], T], *, lock: bool) -> T:
    engine = create_engine(database_url, poolclass=pool.NullPool, sqlite_foreign_keys=False)
    try:
        async with engine.begin() as connection:
            if lock and connection.dialect.name == "postgresql":
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": ADVISORY_LOCK_ID}
                )
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def _command(name: str, database_url: str, revision: str) -> Callable[[Connection], None]:
    def run(connection: Connection) -> None:
        config = alembic_config(database_url)
        config.attributes["connection"] = connection
        getattr(command, name)(config, revision)

    return run


async def upgrade_head(database_url: str) -> str:
    """Bring the schema to the newest revision (``callbot migrate``). Returns that revision."""
    await upgrade(database_url, "head")
    return head_revision()


async def upgrade(database_url: str, revision: str) -> None:
    await _with_connection(database_url, _command("upgrade", database_url, revision), lock=True)


async def downgrade(database_url: str, revision: str) -> None:
    """Go back to ``revision`` ("base" removes every table)."""
    await _with_connection(database_url, _command("downgrade", database_url, revision), lock=True)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(database_url: str) -> str | None:
    """The database's revision; None for an empty database."""
    return await _with_connection(database_url, _current, lock=False)


async def check_at_head(database_url: str) -> None:
    """Raise ``SchemaNotCurrentError`` unless the schema is at this code's head revision.

    ``callbot run`` calls this before starting: running on an old schema would fail at the
    first query, in the middle of a user's action.
    """
    head = head_revision()
    current = await current_revision(database_url)
    if current == head:
        return
    if current is None:
        raise SchemaNotCurrentError(
            f"the database has no schema yet (this version needs revision {head}): "
            "run `callbot migrate`"
        )
    if current not in known_revisions():
        raise SchemaNotCurrentError(
            f"the database is at revision {current}, which this version of callbot does not "
            f"know (it needs {head}): the database was migrated by a newer version; run that "
            "version, or downgrade the database with it"
        )
    raise SchemaNotCurrentError(
        f"the database schema is at revision {current}, this version needs {head}: "
        "run `callbot migrate`"
    )


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "target_metadata": Base.metadata}
    )
    return list(compare_metadata(context, Base.metadata))


async def schema_differences(database_url: str) -> list[Any]:
    """What autogenerate would change to make the database match the models (empty: none)."""
    return await _with_connection(database_url, _differences, lock=False)
