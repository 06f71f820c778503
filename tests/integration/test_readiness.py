"""/readyz on PostgreSQL: not ready until the schema has had every migration (read from the migrations folder)."""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from support.data_keys import TEST_DATA_KEY

from app import create_app
from app.migrate import alembic_config, upgrade_database
from app.runtime import build_runtime
from app.settings import Settings

pytestmark = pytest.mark.postgres


def test_readyz_waits_for_the_postgresql_schema_to_reach_head(pg_url):
    runtime = build_runtime(Settings(database_url=pg_url, bus="embedded", log_level="WARNING",
                                     data_keys=TEST_DATA_KEY))
    client = create_app(runtime=runtime).test_client()
    try:
        assert client.get("/readyz").status_code == 503  # nothing migrated
        head = ScriptDirectory.from_config(alembic_config(pg_url)).get_revision("head")
        upgrade_database(pg_url, head.down_revision)
        response = client.get("/readyz")
        assert response.status_code == 503 and "migrat" in response.get_json()["detail"]
        upgrade_database(pg_url)
        assert client.get("/readyz").status_code == 200
    finally:
        runtime.close()
