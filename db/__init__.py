"""Storage layer: SQLAlchemy 2 async models, queries, encryption at rest, audit writer, migrations.

The package stores what the bot hands it (plain ints, strings and dicts); it knows nothing of
Telegram or JSON-RPC. Query functions take an ``AsyncSession`` and never commit: the caller owns
the transaction (``async with sessions.begin() as session: ...``).
"""
