"""A worker is registered only with a national id that is a person's (checksum, a birth date of working age) and
no other worker's, and a bank account of digits of a bank's length, not one digit repeated; a card number failing
its Luhn check is taken with a warning the manager sees. Every refusal is problem+json naming its field."""
from __future__ import annotations

import dataclasses

from support.api import ApiClient
from support.data_keys import NEXT_DATA_KEY, TEST_DATA_KEY
from support.world import LI_NATIONAL_ID

from app import create_app
from app.registry.identity import LUHN_WARNING
from app.runtime import build_runtime

PROBLEM_JSON = "application/problem+json"
SUN_NATIONAL_ID = "360702199512200027"


def refused(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()["errors"]


def worker(**fields) -> dict:
    return {"household_id": "h-wang", "name": "Sun Li", **fields}


def test_a_national_id_with_a_wrong_check_digit_is_refused(api, world):
    errors = refused(api.post("/workers", worker(national_id="110105194912310021")), 422)
    assert errors == {"national_id": ["the check digit (the last character) does not match: a character is mistyped"]}
    assert refused(api.post("/workers", worker(national_id="999999999999999999")), 422).keys() == {"national_id"}


def test_a_national_id_of_a_child_is_refused(api, world):
    errors = refused(api.post("/workers", worker(national_id="360702201801010019")), 422)
    assert errors == {"national_id": ["born on 2018-01-01: not a person of working age (16 to 120)"]}


def test_all_zero_and_repeated_digit_bank_accounts_are_refused_with_the_national_id_in_one_answer(api, world):
    errors = refused(api.post("/workers", worker(bank_account="0" * 19, national_id="110105194912310021")), 422)
    assert errors["bank_account"] == ["a bank account is not one digit repeated"]
    assert set(errors) == {"bank_account", "national_id"}
    assert refused(api.post("/workers", worker(bank_account="7777777777777777")), 422).keys() == {"bank_account"}


def test_a_card_number_failing_luhn_is_taken_with_a_warning_the_manager_reads(api, world, token):
    created = api.created("/workers", worker(id="w-sun", bank_account="6222021001122334456"))
    assert created["warnings"] == [LUHN_WARNING]
    manager = api.as_token(token("post_manager", world.county))
    assert manager.get("/workers/w-sun").get_json()["warnings"] == [LUHN_WARNING]
    assert api.get(f"/workers/{world.li}").get_json()["warnings"] == []


def test_a_national_id_already_registered_is_a_conflict_naming_its_holder_to_who_may_see_them(api, world, token):
    office = api.as_token(token("poverty_office", world.county))
    errors = refused(office.post("/workers", worker(national_id=LI_NATIONAL_ID)), 409)
    assert errors == {"national_id": [f"it is the national id of worker {world.li} (Li Xiuying)"]}


def test_a_conflict_with_a_worker_outside_the_callers_region_does_not_name_them(api, world, token):
    other = api.as_token(token("poverty_office", world.other_county))
    response = other.post("/workers", {"household_id": "h-chen", "name": "Chen Li", "national_id": LI_NATIONAL_ID})
    errors = refused(response, 409)
    assert errors == {"national_id": ["it is the national id of a worker outside your scope"]}
    assert world.li not in response.get_data(as_text=True) and "Li Xiuying" not in response.get_data(as_text=True)


def test_the_check_letter_in_lower_case_is_the_same_national_id(api, world):
    api.created("/workers", worker(id="w-sun", national_id="36070219850616001x"))
    assert refused(api.post("/workers", worker(national_id="36070219850616001X")), 409)["national_id"] == [
        "it is the national id of worker w-sun (Sun Li)"]
    assert api.get("/workers/w-sun").get_json()["national_id"] == "36070219850616001X"


def test_a_national_id_stays_one_workers_while_a_new_key_is_put_first_and_after_rotation(api, world, settings):
    api.created("/workers", worker(id="w-sun", national_id=SUN_NATIONAL_ID))  # hashed under the old key
    rotated = build_runtime(dataclasses.replace(settings, data_keys=f"{NEXT_DATA_KEY},{TEST_DATA_KEY}"))
    try:
        app = create_app(runtime=rotated)
        admin = ApiClient(app.test_client(), api.token)
        assert refused(admin.post("/workers", worker(national_id=SUN_NATIONAL_ID)), 409)
        assert app.test_cli_runner().invoke(args=["rotate-data-key"]).exit_code == 0
        assert refused(admin.post("/workers", worker(national_id=SUN_NATIONAL_ID)), 409)
        assert refused(admin.post("/workers", worker(national_id=LI_NATIONAL_ID)), 409)
        admin.created("/workers", worker(id="w-new", national_id="360702198506120018"))
    finally:
        rotated.close()


def test_migration_0016_rehashes_every_id_and_leaves_a_shared_one_with_its_first_holder(
        tmp_path, monkeypatch, settings):
    import sqlite3

    from app.db.crypto import KeyRing
    from app.migrate import upgrade_database

    path = tmp_path / "before.db"
    upgrade_database(f"sqlite:///{path}", "0014")
    old, new = KeyRing.from_keys([NEXT_DATA_KEY]), KeyRing.from_keys([TEST_DATA_KEY])
    workers = [("w-1", "2026-03-01", old, SUN_NATIONAL_ID), ("w-2", "2026-03-02", new, SUN_NATIONAL_ID),
               ("w-3", "2026-03-03", old, LI_NATIONAL_ID)]
    with sqlite3.connect(path) as connection:
        connection.executescript("""
            INSERT INTO regions (code, name, level, path) VALUES ('36', 'Jiangxi', 'province', '/36/');
            INSERT INTO households (id, region_code, size, status, created_at)
                VALUES ('h-1', '36', 2, 'poor', '2026-03-01 00:00:00');""")
        connection.executemany(
            "INSERT INTO workers (id, household_id, name, national_id_encrypted, national_id_hash, created_at) "
            "VALUES (?, 'h-1', ?, ?, ?, ?)",
            [(id_, id_, ring.encrypt(number), ring.lookup_hash(number), f"{day} 00:00:00")
             for id_, day, ring, number in workers])
    connection.close()
    monkeypatch.setenv("STABLEWORK_DATA_KEYS", f"{TEST_DATA_KEY},{NEXT_DATA_KEY}")

    upgrade_database(f"sqlite:///{path}")

    with sqlite3.connect(path) as connection:
        hashes = dict(connection.execute("SELECT id, national_id_hash FROM workers").fetchall())
        audit = connection.execute("SELECT row_key, endpoint, before FROM audit_log").fetchall()
    connection.close()
    assert hashes == {"w-1": new.lookup_hash(SUN_NATIONAL_ID), "w-2": None, "w-3": new.lookup_hash(LI_NATIONAL_ID)}
    assert audit == [("w-2", "migration 0016", '{"national_id_shared_with": "w-1"}')]
