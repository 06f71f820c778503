"""A payment line keeps the account it was sent to: a bank file made after the worker's account changed still
names the line's account, and a failed line is paid by the next batch to the account current then, once."""
from __future__ import annotations

import csv
import dataclasses
import io
import sqlite3

from cryptography.fernet import Fernet
from sqlalchemy import select
from support.api import ApiClient
from support.data_keys import NEXT_DATA_KEY, TEST_DATA_KEY
from support.world import LI_BANK_ACCOUNT

from app import create_app
from app.db.models import PaymentLine
from app.migrate import upgrade_database
from app.runtime import build_runtime

NEW_ACCOUNT = "6228480402564890018"
OLD_MASKED, NEW_MASKED = "6217***********4567", "6228***********0018"


def bank_file(client, batch_id: int) -> list[tuple[int, str, int]]:
    response = client.get(f"/payment-batches/{batch_id}/bank.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return [(int(row["line_id"]), row["bank_account"], int(row["amount_fen"])) for row in rows]


def approved_march(api, world, token, build, consume) -> ApiClient:
    """Li's March at the cleaning post, approved; the post manager's client, who pays it."""
    assert api.post("/events", {"events": [build.attendance(world.li, world.post, f"2026-03-{day:02d}")
                                           for day in (2, 3, 4)]}).status_code == 202
    consume()
    manager = api.as_token(token("post_manager", world.county))
    assert manager.post(f"/sites/{world.post}/periods/2026-03/close", {}).status_code == 200
    assert api.post(f"/sites/{world.post}/periods/2026-03/approve", {}).status_code == 200
    return manager


def test_a_line_failed_on_a_closed_account_is_paid_once_to_the_new_account_each_file_naming_its_own(
        api, world, token, build, consume):
    manager = approved_march(api, world, token, build, consume)
    office = api.as_token(token("poverty_office", world.county))
    first = manager.created(f"/sites/{world.post}/periods/2026-03/pay", None)
    [line] = first["lines"]
    amount = line["amount_fen"]

    # The worker's card is closed; the office enters the new one while the first batch is with the bank.
    changed = office.client.patch(f"/api/v1/workers/{world.li}", json={"bank_account": NEW_ACCOUNT},
                                  headers={"Authorization": f"Bearer {office.token}"})
    assert changed.status_code == 200, changed.get_json()

    assert bank_file(manager, first["id"]) == [(line["id"], LI_BANK_ACCOUNT, amount)]
    failed = manager.post(f"/payment-batches/{first['id']}/results",
                          {"lines": [{"line_id": line["id"], "status": "failed", "reason": "account closed"}]})
    assert failed.status_code == 200
    second = manager.created(f"/sites/{world.post}/periods/2026-03/pay", None)
    [again] = second["lines"]

    assert (again["bank_account"], again["amount_fen"]) == (NEW_MASKED, amount)
    assert bank_file(manager, second["id"]) == [(again["id"], NEW_ACCOUNT, amount)]
    shown_first = manager.get(f"/payment-batches/{first['id']}").get_json()["lines"]
    assert [(shown["bank_account"], shown["status"]) for shown in shown_first] == [(OLD_MASKED, "failed")]
    assert manager.post(f"/sites/{world.post}/periods/2026-03/pay", None).status_code == 409  # never twice
    manager.post(f"/payment-batches/{second['id']}/results",
                 {"lines": [{"line_id": again["id"], "status": "confirmed", "bank_reference": "B-2"}]})
    balance = api.get(f"/workers/{world.li}/balance", period="2026-03").get_json()
    assert (balance["paid_fen"], balance["outstanding_fen"]) == (amount, 0)


def test_rotation_rewrites_the_lines_accounts_under_the_new_key(api, world, token, build, consume, runtime, settings):
    manager = approved_march(api, world, token, build, consume)
    batch = manager.created(f"/sites/{world.post}/periods/2026-03/pay", None)
    rotated = build_runtime(dataclasses.replace(settings, data_keys=f"{NEXT_DATA_KEY},{TEST_DATA_KEY}"))
    try:
        result = create_app(runtime=rotated).test_cli_runner().invoke(args=["rotate-data-key"])
        assert result.exit_code == 0, result.output
    finally:
        rotated.close()

    only_new = build_runtime(dataclasses.replace(settings, data_keys=NEXT_DATA_KEY))
    try:
        payer = ApiClient(create_app(runtime=only_new).test_client(), manager.token)
        [(_line, account, _amount)] = bank_file(payer, batch["id"])
    finally:
        only_new.close()
    assert account == LI_BANK_ACCOUNT


def test_the_migration_gives_existing_lines_their_workers_account(tmp_path, monkeypatch, settings):
    path = tmp_path / "before.db"
    monkeypatch.setenv("STABLEWORK_DATA_KEYS", TEST_DATA_KEY)
    upgrade_database(f"sqlite:///{path}", "0018")
    token = Fernet(TEST_DATA_KEY).encrypt(LI_BANK_ACCOUNT.encode()).decode()
    with sqlite3.connect(path) as connection:
        connection.executescript(f"""
            INSERT INTO regions (code, name, level, path) VALUES ('36', 'Jiangxi', 'province', '/36/');
            INSERT INTO households (id, region_code, size, status, created_at)
                VALUES ('h-1', '36', 2, 'poor', '2026-03-01 00:00:00');
            INSERT INTO workers (id, household_id, name, bank_account_encrypted, created_at)
                VALUES ('w-1', 'h-1', 'Li', '{token}', '2026-03-01'), ('w-2', 'h-1', 'Wang', NULL, '2026-03-01');
            INSERT INTO payment_batches (id, site_id, month, created_by, created_at)
                VALUES (1, 's-1', '2026-03', 't', '2026-04-01 00:00:00');
            INSERT INTO payment_lines (id, batch_id, site_id, month, worker_id, worker_name, bank_account_masked,
                                       amount_fen, status)
                VALUES (1, 1, 's-1', '2026-03', 'w-1', 'Li', '6217***********4567', 100, 'pending'),
                       (2, 1, 's-1', '2026-03', 'w-2', 'Wang', NULL, 200, 'pending');
        """)
    connection.close()

    upgrade_database(f"sqlite:///{path}")

    migrated = build_runtime(dataclasses.replace(settings, database_url=f"sqlite:///{path}"))
    try:
        with migrated.sessions() as session:
            accounts = session.execute(select(PaymentLine.id, PaymentLine.bank_account).order_by(PaymentLine.id))
            assert [tuple(row) for row in accounts] == [(1, LI_BANK_ACCOUNT), (2, None)]
    finally:
        migrated.close()
