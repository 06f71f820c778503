"""Run Alembic migrations from code (CLI, tests, the one-shot migration service), and tell whether a
database's schema is at the newest one."""
from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from app.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


@cache
def head_revisions() -> frozenset[str]:
    """The newest revision(s) of the migrations folder, read once per process (it does not change under it)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def schema_is_at_head(connection: Connection) -> bool:
    """Whether the database on `connection` has had every migration (False for one that has had none)."""
    return frozenset(MigrationContext.configure(connection).get_current_heads()) == head_revisions()
