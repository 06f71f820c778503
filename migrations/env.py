"""Alembic environment: the application's tables and the event log, on SQLite or PostgreSQL."""
from __future__ import annotations

from alembic import context

import app.db.models  # noqa: F401  (registers every table on Base.metadata)
from app.db import Base, make_engine
from app.db.partitions import is_partition_name
from app.settings import Settings
from events.bus import log

config = context.config
target_metadata = [Base.metadata, log.metadata]


def _url() -> str:
    return config.attributes.get("database_url") or Settings.from_env().database_url


def _declared(name, kind, _parents) -> bool:
    """Whether autogenerate compares it: a month's partition is its table's, which the model declares."""
    return kind != "table" or not is_partition_name(name)


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", include_name=_declared)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
