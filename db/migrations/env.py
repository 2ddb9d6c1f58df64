"""Alembic environment (async).

The database URL comes from the caller through ``config.attributes["database_url"]`` (this is
how ``db.migrate`` runs migrations, also from an installed wheel), or, for developers running
``alembic`` by hand with the repo's alembic.ini, from ``CALLBOT_DATABASE__URL``. It never goes
through ``set_main_option``: the URL may carry a password, and ConfigParser would mangle '%'.

``db.migrate`` may also hand over an open connection (``config.attributes["connection"]``) so
that the migration runs inside its transaction.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection

from db.engine import create_engine
from db.models import Base

config = context.config
target_metadata = Base.metadata

# Only when run by hand through alembic.ini: the bot configures logging itself.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Mirrors bot.settings.Settings.database_url (db must not import bot): the embedded SQLite
# file inside CALLBOT_DATA_DIR.
DEFAULT_DATA_DIR = "data"


def database_url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("CALLBOT_DATABASE__URL")
    if url:
        return str(url)
    data_dir = os.environ.get("CALLBOT_DATA_DIR", DEFAULT_DATA_DIR)
    return f"sqlite+aiosqlite:///{data_dir}/callbot.sqlite3"


def configure_options(dialect_name: str) -> dict[str, Any]:
    """Options shared by online, offline and the autogenerate comparison in ``db.migrate``."""
    return {
        "target_metadata": target_metadata,
        # SQLite cannot ALTER most things: batch mode recreates the table instead.
        "render_as_batch": dialect_name == "sqlite",
        "compare_type": True,
    }


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: print the SQL instead of running it."""
    url = database_url()
    dialect = url.split("+", 1)[0].split(":", 1)[0]
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **configure_options(dialect),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, **configure_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    # No foreign-key enforcement while migrating SQLite: batch mode drops and recreates
    # tables, which would otherwise cascade-delete rows referencing them.
    engine = create_engine(database_url(), poolclass=pool.NullPool, sqlite_foreign_keys=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
