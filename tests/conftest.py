"""Fixtures shared by every test: a fresh app on its own SQLite file per test, and API helpers."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from support.api import ApiClient  # noqa: E402
from support.data_keys import TEST_DATA_KEY  # noqa: E402
from support.log_watch import LogWatch  # noqa: E402
from support.pipeline import drain  # noqa: E402

from app import create_app  # noqa: E402
from app.access.tokens import issue_token  # noqa: E402
from app.migrate import upgrade_database  # noqa: E402
from app.runtime import build_runtime  # noqa: E402
from app.settings import Settings  # noqa: E402

LOG_WATCH = pytest.StashKey[LogWatch]()
WORKER_LEAKS = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session", autouse=True)
def log_watch(request, tmp_path_factory):
    """Every log of the run is kept under the run's temporary directory and searched for secrets at its end."""
    watch = LogWatch(tmp_path_factory.getbasetemp())
    request.config.stash[LOG_WATCH] = watch
    with pytest.MonkeyPatch.context() as patch:
        watch.install(patch)
        yield watch
    watch.close()


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session):
    """Hypothesis builds its table of the characters text can hold once per checkout (into `.hypothesis`):
    built here, its cost cannot trip the too_slow health check of whichever property test runs first."""
    st.text().validate()


# Folders whose files take longest run first, so that neither of bin/test's two processes is left with a long
# file at the end while the other has finished.
SLOWEST_FIRST = ("integration", "browser", "e2e", "deploy", "pipeline", "web", "api", "unit")


def pytest_collection_modifyitems(items):
    def folder_rank(item) -> int:
        parts = item.path.relative_to(Path(__file__).parent).parts
        return SLOWEST_FIRST.index(parts[0]) if parts[0] in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=folder_rank)  # stable: each folder keeps its own order


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """A token, national id or bank account in any log output of the run fails the run. Under pytest-xdist each
    worker searches its own logs and hands what it found to the controller, which reports for the whole run."""
    watch = session.config.stash.get(LOG_WATCH, None)
    leaks = watch.leaks() if watch is not None else []
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output["log_leaks"] = leaks
        return
    leaks += session.config.stash.get(WORKER_LEAKS, [])
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.ensure_newline()
        reporter.write_sep("=", f"{len(leaks)} secret(s) in the log output of this run", red=True)
        for leak in leaks[:50]:
            reporter.write_line(leak)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class _WorkerLeaks:
    """On the xdist controller: gathers each worker's leaks as it finishes."""

    def __init__(self, config):
        self.found = config.stash.setdefault(WORKER_LEAKS, [])

    def pytest_testnodedown(self, node, error):
        self.found.extend(getattr(node, "workeroutput", {}).get("log_leaks", []))


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workeroutput"):
        config.pluginmanager.register(_WorkerLeaks(config), "worker-leaks")


@pytest.fixture
def settings(tmp_path) -> Settings:
    # Rate limits are tested on their own (tests/api/test_limits.py); elsewhere they would only
    # throttle the scenarios, which post far more than a person would.
    return Settings(database_url=f"sqlite:///{tmp_path / 'stablework.db'}", bus="embedded", log_level="WARNING",
                    data_keys=TEST_DATA_KEY, rate_limit_reads="100000/minute", rate_limit_writes="100000/minute",
                    rate_limit_interest="100000/minute", rate_limit_sign_in_number="100000/minute",
                    rate_limit_sign_in_address="100000/minute")


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    """An empty database at the head revision, migrated once per session; each test works on a copy."""
    path = tmp_path_factory.mktemp("migrated") / "stablework.db"
    upgrade_database(f"sqlite:///{path}")
    assert not path.with_name(path.name + "-wal").exists()  # everything is in the one file we copy
    return path


@pytest.fixture
def runtime(settings, migrated_database):
    if settings.database_url.startswith("sqlite:///"):  # a new file starts as a copy: migrating each costs 0.4 s
        database = Path(settings.database_url.removeprefix("sqlite:///"))
        if not database.exists():
            shutil.copyfile(migrated_database, database)
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
def checker(api, runtime) -> ApiClient:
    """A second admin, who approves the months `api` closed: the person who closed a month may not approve it."""
    with runtime.sessions.begin() as session:
        return api.as_token(issue_token(session, name="test checker", role="admin"))


@pytest.fixture
def consume(runtime):
    """Run the wage consumer until the bus has nothing more for it."""
    return lambda: drain(runtime)
