"""Personal data: encrypted at rest, so neither the database file nor any row holds a national id, bank
account or token in clear; found by its keyed hash inside the caller's region; shown masked except to
admins, and in full in the payers' bank file; keys rotated without losing a row."""
from __future__ import annotations

import csv
import dataclasses
import io
import sqlite3
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from support.api import ApiClient
from support.data_keys import NEXT_DATA_KEY, TEST_DATA_KEY

from app import create_app
from app.migrate import upgrade_database
from app.runtime import build_runtime

LI_NATIONAL_ID, LI_BANK_ACCOUNT = "360702198912291234", "6217003600701234567"  # Li's, as tests/api/conftest.py
# (worker, household, national id, bank account, phone); h-chen lives in the other county.
PEOPLE = [
    ("w-zhao", "h-li", "36070219850616001X", "6222021001122334455", "+86 138 0797 1234"),
    ("w-sun", "h-wang", "360702199512200027", "6228480402564890018", "13907971234"),
    ("w-qian", "h-chen", "360703200001030013", "6217856100012345678", None),
]


def register_people(api) -> None:
    for worker, household, national_id, account, phone in PEOPLE:
        api.created("/workers", {"id": worker, "household_id": household, "name": f"Worker {worker}",
                                 "national_id": national_id, "bank_account": account, "phone": phone})


def secrets(api) -> list[str]:
    """What must never be found in clear: every national id and bank account, and the caller's token."""
    return [LI_NATIONAL_ID, LI_BANK_ACCOUNT, api.token] + [value for person in PEOPLE for value in person[2:4]]


def database_path(runtime) -> Path:
    return Path(runtime.settings.database_url.removeprefix("sqlite:///"))


# --- at rest ---------------------------------------------------------------------------------------------


def test_the_database_files_hold_no_national_id_bank_account_or_token_in_clear(api, world, runtime):
    register_people(api)
    assert api.get("/workers/w-zhao").get_json()["national_id"] == "36070219850616001X"  # written, and readable
    runtime.engine.dispose()

    path = database_path(runtime)
    files = sorted(path.parent.glob(path.name + "*"))  # the database, its WAL and shared memory
    raw = b"".join(file.read_bytes() for file in files)

    assert path in files and len(raw) > 0
    assert [secret for secret in secrets(api) if secret.encode() in raw] == []
    assert [secret for secret in secrets(api) if secret.encode("utf-16-le") in raw] == []


def test_no_row_of_any_table_holds_a_national_id_bank_account_or_token_in_clear(api, world, runtime):
    register_people(api)
    with sqlite3.connect(database_path(runtime)) as connection:
        tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        dump = "\n".join(repr(row) for table in tables for row in connection.execute(f'SELECT * FROM "{table}"'))
    connection.close()

    assert "workers" in tables and "audit_log" in tables and "w-zhao" in dump
    assert [secret for secret in secrets(api) if secret in dump] == []


# --- shown -----------------------------------------------------------------------------------------------


def test_a_worker_registered_by_an_admin_is_answered_masked_and_read_in_full_afterwards(api, world):
    created = api.created("/workers", {"household_id": "h-li", "name": "Zhao", "national_id": PEOPLE[0][2],
                                       "bank_account": PEOPLE[0][3]})

    assert (created["national_id"], created["bank_account"]) == ("3607**********001X", "6222***********4455")
    shown = api.get(f"/workers/{created['id']}").get_json()
    assert (shown["national_id"], shown["bank_account"]) == (PEOPLE[0][2], PEOPLE[0][3])


def test_the_bank_file_carries_full_accounts_for_payers_while_the_batch_shows_them_masked(api, world, token, build,
                                                                                         consume):
    assert api.post("/events", {"events": [build.attendance(world.li, world.post, f"2026-03-{day:02d}")
                                           for day in (2, 3, 4)]}).status_code == 202
    consume()
    manager = api.as_token(token("post_manager", world.county))
    assert manager.post(f"/sites/{world.post}/periods/2026-03/close", {}).status_code == 200
    assert api.post(f"/sites/{world.post}/periods/2026-03/approve", {}).status_code == 200
    batch = manager.created(f"/sites/{world.post}/periods/2026-03/pay", None)

    assert [line["bank_account"] for line in batch["lines"]] == ["6217***********4567"]
    for payer in (manager, api):
        response = payer.get(f"/payment-batches/{batch['id']}/bank.csv")
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        assert [row["bank_account"] for row in rows] == [LI_BANK_ACCOUNT]
    office = api.as_token(token("poverty_office", world.county))
    assert office.get(f"/payment-batches/{batch['id']}/bank.csv").status_code == 403


# --- found by keyed hash ---------------------------------------------------------------------------------


def test_an_admin_finds_a_worker_by_national_id_whatever_the_case_of_its_check_letter(api, world):
    register_people(api)

    found = api.get("/workers", national_id="36070219850616001x").get_json()

    assert [(w["id"], w["national_id"], w["bank_account"]) for w in found] == [
        ("w-zhao", "36070219850616001X", "6222021001122334455")]
    assert api.get("/workers", national_id=LI_NATIONAL_ID).get_json()[0]["id"] == world.li
    assert api.get("/workers", national_id="110101199003077777").get_json() == []


def test_a_poverty_office_finds_workers_of_its_county_only_and_sees_them_masked(api, world, token):
    register_people(api)
    county = api.as_token(token("poverty_office", world.county))
    other = api.as_token(token("poverty_office", world.other_county))

    assert [(w["id"], w["national_id"]) for w in county.get("/workers", national_id=LI_NATIONAL_ID).get_json()] == [
        (world.li, "3607**********1234")]
    assert other.get("/workers", national_id=LI_NATIONAL_ID).get_json() == []
    assert [w["id"] for w in other.get("/workers", national_id=PEOPLE[2][2]).get_json()] == ["w-qian"]
    assert county.get("/workers", national_id=PEOPLE[2][2]).get_json() == []


@pytest.mark.parametrize("role", ["supervisor", "post_manager"])
def test_only_admins_and_poverty_offices_search_by_national_id(api, world, token, role):
    caller = api.as_token(token(role, world.county, sites=[world.glove] if role == "supervisor" else []))

    assert caller.get("/workers", national_id=LI_NATIONAL_ID).status_code == 403


def test_a_search_needs_a_well_formed_national_id(api, world):
    assert api.get("/workers").status_code == 422
    assert "national_id" in api.get("/workers", national_id="3607021990").get_json()["errors"]


# --- keys ------------------------------------------------------------------------------------------------


def stored(runtime) -> list[str]:
    """Every encrypted value as stored."""
    with sqlite3.connect(database_path(runtime)) as connection:
        rows = connection.execute(
            "SELECT national_id_encrypted, phone_encrypted, bank_account_encrypted FROM workers").fetchall()
    connection.close()
    return [value for row in rows for value in row if value is not None]


def test_after_a_new_key_is_put_first_rows_are_read_and_rotation_leaves_none_under_the_old_key(
        api, world, runtime, settings):
    register_people(api)
    rotated_settings = dataclasses.replace(settings, data_keys=f"{NEXT_DATA_KEY},{TEST_DATA_KEY}")
    rotated = build_runtime(rotated_settings)
    try:
        app = create_app(runtime=rotated)
        admin = ApiClient(app.test_client(), api.token)
        assert admin.get(f"/workers/{world.li}").get_json()["bank_account"] == LI_BANK_ACCOUNT
        assert [w["id"] for w in admin.get("/workers", national_id=PEOPLE[1][2]).get_json()] == ["w-sun"]

        result = app.test_cli_runner().invoke(args=["rotate-data-key"])
        assert result.exit_code == 0, result.output
        assert "6 worker(s) re-encrypted" in result.output  # the three of the world, and three more
    finally:
        rotated.close()

    values = stored(runtime)
    assert len(values) == 10  # Li: two; Zhao and Sun: three; Qian: two
    assert all(Fernet(NEXT_DATA_KEY).decrypt(value.encode()) for value in values)
    for value in values:
        with pytest.raises(InvalidToken):
            Fernet(TEST_DATA_KEY).decrypt(value.encode())

    only_new = build_runtime(dataclasses.replace(settings, data_keys=NEXT_DATA_KEY))
    try:
        admin = ApiClient(create_app(runtime=only_new).test_client(), api.token)
        assert admin.get("/workers/w-zhao").get_json()["national_id"] == PEOPLE[0][2]
        assert [w["id"] for w in admin.get("/workers", national_id=LI_NATIONAL_ID).get_json()] == [world.li]
    finally:
        only_new.close()


# --- migration 0004 --------------------------------------------------------------------------------------


def test_the_migration_encrypts_the_clear_values_of_an_existing_database(tmp_path, monkeypatch, settings):
    path = tmp_path / "before.db"
    upgrade_database(f"sqlite:///{path}", "0003")
    with sqlite3.connect(path) as connection:
        connection.executescript(f"""
            INSERT INTO regions (code, name, level, path) VALUES ('36', 'Jiangxi', 'province', '/36/');
            INSERT INTO households (id, region_code, size, status, created_at)
                VALUES ('h-1', '36', 2, 'poor', '2026-03-01 00:00:00');
            INSERT INTO workers (id, household_id, name, national_id, phone, bank_account, created_at)
                VALUES ('w-1', 'h-1', 'Li', '{LI_NATIONAL_ID}', '13907971234', '{LI_BANK_ACCOUNT}',
                        '2026-03-01 00:00:00'),
                       ('w-2', 'h-1', 'Wang', NULL, NULL, NULL, '2026-03-01 00:00:00');
            INSERT INTO idempotency_records (token_id, key, method, path, request_hash, status_code, content_type,
                                             response_body, created_at)
                VALUES ('t', 'k', 'POST', '/api/v1/workers', 'h', 201, 'application/json',
                        '{{"national_id": "{LI_NATIONAL_ID}"}}', '2026-03-01 00:00:00');
        """)
    connection.close()
    monkeypatch.setenv("STABLEWORK_DATA_KEYS", TEST_DATA_KEY)

    upgrade_database(f"sqlite:///{path}")

    raw = b"".join(file.read_bytes() for file in tmp_path.glob("before.db*"))
    assert LI_NATIONAL_ID.encode() not in raw and LI_BANK_ACCOUNT.encode() not in raw
    migrated = build_runtime(dataclasses.replace(settings, database_url=f"sqlite:///{path}"))
    try:
        admin_token = _admin_token(migrated)
        admin = ApiClient(create_app(runtime=migrated).test_client(), admin_token)
        li = admin.get("/workers/w-1").get_json()
        assert (li["national_id"], li["phone"], li["bank_account"]) == (LI_NATIONAL_ID, "13907971234",
                                                                        LI_BANK_ACCOUNT)
        assert admin.get("/workers/w-2").get_json()["national_id"] is None
        assert [w["id"] for w in admin.get("/workers", national_id=LI_NATIONAL_ID).get_json()] == ["w-1"]
    finally:
        migrated.close()


def test_the_migration_of_an_empty_database_needs_no_key(tmp_path, monkeypatch):
    monkeypatch.delenv("STABLEWORK_DATA_KEYS", raising=False)

    upgrade_database(f"sqlite:///{tmp_path / 'empty.db'}")

    assert not (tmp_path / "data.key").exists()


def _admin_token(runtime) -> str:
    from app.access.tokens import issue_token

    with runtime.sessions.begin() as session:
        return issue_token(session, name="admin", role="admin")
