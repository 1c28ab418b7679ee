"""Alembic environment: online migrations on the configured URL, against sisamu's metadata."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from sisamu.schema import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
if url is None:  # pragma: no cover - always set by sisamu.migrations
    raise RuntimeError("sqlalchemy.url is not set")

engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
