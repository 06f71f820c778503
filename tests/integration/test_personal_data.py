"""Personal data and the audit log on the real PostgreSQL: a dump of every table holds no national id, bank
account or token in clear; the audit log refuses UPDATE, DELETE and TRUNCATE; migration 0004 encrypts
the clear values of an existing database."""
from __future__ import annotations

import subprocess
import uuid

import psycopg
import pytest
from psycopg import sql
from support.api import ApiClient
from support.data_keys import TEST_DATA_KEY

from app import create_app
from app.access.tokens import issue_token
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings
from infra.postgres import libpq_url

pytestmark = pytest.mark.postgres

NATIONAL_IDS = ("360702198506120018", "36070219951226002X")
BANK_ACCOUNTS = ("6222021001122334455", "6228480402564890018")


def settings_for(url: str) -> Settings:
    return Settings(database_url=url, bus="embedded", log_level="WARNING", data_keys=TEST_DATA_KEY)


@pytest.fixture(scope="module")
def pg_api(pg_village_api) -> ApiClient:
    api = pg_village_api
    api.created("/households", {"id": "h-pg", "region_code": "360702101201", "size": 2, "status": "poor"})
    for n, (national_id, account) in enumerate(zip(NATIONAL_IDS, BANK_ACCOUNTS), start=1):
        api.created("/workers", {"id": f"w-pg-{n}", "household_id": "h-pg", "name": f"Worker {n}",
                                 "national_id": national_id, "bank_account": account})
    return api


def select_every_table(url: str) -> str:
    """Every row of every table as PostgreSQL prints it (`SELECT t::text FROM t`): what a dump holds."""
    with psycopg.connect(libpq_url(url)) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name")]
        lines = [f"-- {table}" for table in tables]
        for table in tables:
            query = sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(table))
            lines += [row for (row,) in connection.execute(query)]
    return "\n".join(lines)


def test_a_dump_of_every_table_holds_no_national_id_bank_account_or_token(pg_api, pg_url, postgres_server):
    assert pg_api.get("/workers/w-pg-2").get_json()["national_id"] == NATIONAL_IDS[1]
    assert [w["id"] for w in pg_api.get("/workers", national_id=NATIONAL_IDS[0]).get_json()] == ["w-pg-1"]

    dumps = [select_every_table(pg_url)]
    pg_dump = postgres_server.bindir / "pg_dump" if postgres_server.bindir else None
    if pg_dump is not None and pg_dump.exists():
        dumps.append(subprocess.run([str(pg_dump), "--data-only", libpq_url(pg_url)], capture_output=True,
                                    text=True, check=True, timeout=60).stdout)

    for dump in dumps:
        assert "w-pg-1" in dump and "-- audit_log" in dumps[0]
        assert [s for s in (*NATIONAL_IDS, *BANK_ACCOUNTS, pg_api.token) if s in dump] == []


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor_role = 'admin'", "DELETE FROM audit_log",
                                       "TRUNCATE audit_log"])
def test_the_audit_log_refuses_to_be_changed(pg_api, pg_url, statement):
    with psycopg.connect(libpq_url(pg_url)) as connection:
        assert connection.execute("SELECT count(*) FROM audit_log").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.RaiseException, match="audit_log is append-only"):
            connection.execute(statement)


def test_the_audit_log_is_read_by_region_on_postgresql(pg_api, pg_runtime):
    with pg_runtime.sessions.begin() as session:
        office = issue_token(session, name="office", role="poverty_office", region_code="360702")
    items = pg_api.as_token(office).get("/audit", limit=100, table="workers").get_json()["items"]

    assert sorted(e["row_key"] for e in items) == ["w-pg-1", "w-pg-2"]
    assert {e["after"]["national_id"][:4] + e["after"]["national_id"][-4:] for e in items} == {"36070018", "3607002X"}


def test_migration_0004_encrypts_the_clear_values_of_an_existing_database(postgres_server, monkeypatch):
    name = f"t_migrate_0004_{uuid.uuid4().hex[:8]}"
    url = postgres_server.create_database(name)
    try:
        upgrade_database(url, "0003")
        with psycopg.connect(libpq_url(url)) as connection:
            connection.execute("INSERT INTO regions (code, name, level, path) VALUES ('36', 'J', 'province', '/36/')")
            connection.execute("INSERT INTO households (id, region_code, size, status, created_at) "
                               "VALUES ('h-1', '36', 2, 'poor', now())")
            connection.execute("INSERT INTO workers (id, household_id, name, national_id, bank_account, created_at) "
                               "VALUES ('w-1', 'h-1', 'Li', %s, %s, now())", (NATIONAL_IDS[0], BANK_ACCOUNTS[0]))
        monkeypatch.setenv("STABLEWORK_DATA_KEYS", TEST_DATA_KEY)

        upgrade_database(url)

        dump = select_every_table(url)
        assert "w-1" in dump and NATIONAL_IDS[0] not in dump and BANK_ACCOUNTS[0] not in dump
        runtime = build_runtime(settings_for(url))
        try:
            with runtime.sessions.begin() as session:
                token = issue_token(session, name="admin", role="admin")
            admin = ApiClient(create_app(runtime=runtime).test_client(), token)
            assert admin.get("/workers/w-1").get_json()["bank_account"] == BANK_ACCOUNTS[0]
            assert [w["id"] for w in admin.get("/workers", national_id=NATIONAL_IDS[0]).get_json()] == ["w-1"]
        finally:
            runtime.close()
    finally:
        postgres_server.drop_database(name)


def test_of_registrations_of_one_national_id_at_the_same_moment_one_wins_by_the_unique_index(
        pg_api, pg_runtime, monkeypatch):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from app.api import workers

    # Every request misses the holder on its first look, as requests that all look before any commits do.
    looked = threading.local()
    real_holder_of = workers.holder_of

    def late_holder_of(session, national_id):
        if not getattr(looked, "once", False):
            looked.once = True
            return None
        return real_holder_of(session, national_id)

    monkeypatch.setattr(workers, "holder_of", late_holder_of)
    app = create_app(runtime=pg_runtime)
    start = threading.Barrier(3)

    def register(n: int) -> int:
        client = ApiClient(app.test_client(), pg_api.token)
        start.wait()
        return client.post("/workers", {"id": f"w-race-{n}", "household_id": "h-pg", "name": f"Racer {n}",
                                        "national_id": "36070219700505007X"}).status_code

    with ThreadPoolExecutor(3) as pool:
        statuses = sorted(pool.map(register, range(3)))

    assert statuses == [201, 409, 409]
    assert len(pg_api.get("/workers", national_id="36070219700505007X").get_json()) == 1
