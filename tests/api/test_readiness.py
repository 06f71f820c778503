"""/readyz answers ready only once the database schema is at the newest migration."""
from __future__ import annotations

import dataclasses

import pytest
from alembic.script import ScriptDirectory

from app import create_app
from app.migrate import alembic_config, upgrade_database
from app.runtime import build_runtime


def one_before_head(database_url: str) -> str:
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_revision("head")
    assert head.down_revision, "the first migration has nothing before it"
    return head.down_revision


@pytest.fixture
def settings(settings, tmp_path):
    return dataclasses.replace(settings, database_url=f"sqlite:///{tmp_path / 'unmigrated.db'}")


@pytest.fixture
def unmigrated(settings):
    runtime = build_runtime(settings)
    yield runtime
    runtime.close()


def readyz(runtime):
    return create_app(runtime=runtime).test_client().get("/readyz")


def test_readyz_is_unavailable_before_the_migrations_have_run(unmigrated):
    response = readyz(unmigrated)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "migrate" in response.get_json()["detail"]


def test_readyz_is_unavailable_while_the_schema_is_one_migration_behind(unmigrated, settings):
    upgrade_database(settings.database_url, one_before_head(settings.database_url))
    assert readyz(unmigrated).status_code == 503


def test_readyz_is_ready_once_the_schema_is_at_head(unmigrated, settings):
    upgrade_database(settings.database_url)
    response = readyz(unmigrated)
    assert (response.status_code, response.get_json()) == (200, {"status": "ready", "bus": "embedded"})
