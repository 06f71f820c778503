"""Fixtures for tests that need the real Kafka broker and PostgreSQL server.

* ``kafka_broker``     (session) a started ``infra.kafka.KafkaBroker``; stopped and removed at the end.
* ``kafka_cluster``    (module)  a started three-node ``infra.kafka.KafkaCluster``; removed after the module.
* ``postgres_server``  (session) a started ``infra.postgres.PostgresServer``; removed at the end.
* ``pg_url``           (module)  the SQLAlchemy URL of a fresh, empty database for the test module.

A service that cannot be started is a test failure, never a skip, on CI and
locally alike: the message says what failed and shows the service's log tail.

The services come from the repository's ``infra`` package, as the benchmarks' do.
"""

from __future__ import annotations

import os
import re
import uuid

import pytest
from support.api import ApiClient
from support.data_keys import TEST_DATA_KEY
from support.pipeline import pipeline_settings
from support.processes import Fleet
from support.scenario import build_scenario

from app import create_app
from app.access.tokens import issue_token
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings
from events.bus.kafka import KafkaBus
from infra import KNOWN_WARNING_FILTERS, ServiceError, install_warning_filters
from infra.kafka import KafkaBroker, KafkaCluster
from infra.postgres import PostgresServer

# pytest runs with filterwarnings=error. kafka-python 3.0 warns on import under
# Python 3.11 (see infra.KNOWN_WARNING_FILTERS); filter exactly that warning:
# * now, for the collection of the test modules below (which import kafka);
install_warning_filters()


# * and for every test phase, as extra ini filterwarnings lines (later lines win
#   over the "error" of pyproject.toml).
def pytest_configure(config):
    for line in KNOWN_WARNING_FILTERS:
        config.addinivalue_line("filterwarnings", line)


def _service_failure(what: str, exc: BaseException, log_tail: str) -> None:
    """Fail (never skip) the tests that need a service that could not start.

    On CI (CI=true) and locally alike: the team treats a missing service as a
    failure. ServiceError messages already end with the relevant log tail or
    tool output; any other exception gets the service's log tail appended.
    """
    where = "on CI" if os.environ.get("CI") == "true" else "locally"
    message = f"{what} ({where}): {type(exc).__name__}: {exc}"
    if not isinstance(exc, ServiceError):
        message += f"\n--- log tail ---\n{log_tail}"
    pytest.fail(message, pytrace=False)


@pytest.fixture(scope="session")
def kafka_broker():
    broker = KafkaBroker()
    error = _start(broker)
    if error is not None:
        broker.cleanup(remove_files=False)  # keep the whole log for a look
        _service_failure(f"the Kafka broker could not be started (log {broker.log_path})",
                         error, broker.log_tail())
    try:
        yield broker
    finally:
        broker.cleanup()


@pytest.fixture(scope="module")
def kafka_cluster():
    """Three brokers in one KRaft quorum: three JVMs, so only the module that needs them starts them."""
    cluster = KafkaCluster(3)
    error = _start(cluster)
    if error is not None:
        cluster.cleanup(remove_files=False)  # keep the logs for a look
        _service_failure(f"the Kafka cluster could not be started (logs under {cluster.base_dir})",
                         error, cluster.log_tail())
    try:
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture(scope="session")
def postgres_server():
    server = PostgresServer()
    error = _start(server)
    if error is not None:
        server.cleanup(remove_files=False)  # keep the whole log for a look
        _service_failure(f"the PostgreSQL server could not be started (log {server.log_path})",
                         error, server.log_tail())
    try:
        yield server
    finally:
        server.cleanup()


def _start(service) -> Exception | None:
    """service.start(); the exception if it failed (reported outside the except block)."""
    try:
        service.start()
    except Exception as exc:  # noqa: BLE001 - every cause is reported
        return exc
    return None


def _module_db_name(module_name: str) -> str:
    stem = re.sub(r"[^a-z0-9_]", "_", module_name.rsplit(".", 1)[-1].lower())[:40]
    return f"t_{stem}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def pg_url(request, postgres_server):
    """URL of a new empty database, one per test module, dropped after the module."""
    name = _module_db_name(request.module.__name__)
    try:
        url = postgres_server.create_database(name)
        error = None
    except Exception as exc:  # noqa: BLE001
        error = exc
    if error is not None:
        _service_failure(f"creating the test database {name!r} on {postgres_server!r} failed",
                         error, postgres_server.log_tail())
    yield url
    if postgres_server.is_external or postgres_server.is_running():
        postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def pg_runtime(pg_url):
    """The project on the module's database with the embedded bus: for what needs PostgreSQL but not Kafka."""
    upgrade_database(pg_url)
    runtime = build_runtime(Settings(database_url=pg_url, bus="embedded", log_level="WARNING",
                                     data_keys=TEST_DATA_KEY))
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def pg_village_api(pg_runtime) -> ApiClient:
    """An admin's API client on the module's PostgreSQL database, with county 360702 and its village
    360702101201 registered: the region every PostgreSQL-only module builds its households in."""
    with pg_runtime.sessions.begin() as session:
        token = issue_token(session, name="admin", role="admin")
    api = ApiClient(create_app(runtime=pg_runtime).test_client(), token)
    api.created("/regions", {"code": "360702", "name": "Zhanggong", "level": "county"})
    api.created("/regions", {"code": "360702101201", "name": "Xiaba", "level": "village", "parent_code": "360702"})
    return api


# ---- the project on the real services: a fresh database, topics and group per test ----

@pytest.fixture
def settings(postgres_server, kafka_broker, request):
    settings = pipeline_settings(postgres_server, kafka_broker.bootstrap)
    # The test creates the topics, so the relay and consumers it starts never race to create them.
    KafkaBus(settings.kafka_bootstrap_servers).prepare(
        [settings.topic_work_events, settings.topic_dead_letters, settings.topic_alerts], settings.kafka_partitions)
    yield settings


@pytest.fixture
def runtime(settings):
    runtime = build_runtime(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def api(runtime) -> ApiClient:
    with runtime.sessions.begin() as session:
        token = issue_token(session, name="admin", role="admin")
    return ApiClient(create_app(runtime=runtime).test_client(), token)


@pytest.fixture
def fleet(settings, tmp_path):
    fleet = Fleet(settings, tmp_path)
    yield fleet
    fleet.stop_all()


@pytest.fixture
def scenario():
    return build_scenario(seed=3)
