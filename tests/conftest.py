"""Fixtures shared by every test: a fresh app on its own SQLite file per test, and API helpers."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from support.api import ApiClient  # noqa: E402
from support.pipeline import drain  # noqa: E402

from app import create_app  # noqa: E402
from app.migrate import upgrade_database  # noqa: E402
from app.runtime import build_runtime  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.tokens import issue_token  # noqa: E402


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'stablework.db'}", bus="embedded", log_level="WARNING")


@pytest.fixture
def runtime(settings):
    upgrade_database(settings.database_url)
    runtime = build_runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def app(runtime):
    app = create_app(runtime=runtime)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def admin_token(runtime) -> str:
    with runtime.sessions.begin() as session:
        return issue_token(session, name="test admin", role="admin")


@pytest.fixture
def api(app, admin_token) -> ApiClient:
    return ApiClient(app.test_client(), admin_token)


@pytest.fixture
def consume(runtime):
    """Run the wage consumer until the bus has nothing more for it."""
    return lambda: drain(runtime)
