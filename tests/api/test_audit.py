"""The audit log: every write is recorded in its own transaction with who, when, what, before and after;
personal data only masked; readable by admins and by the poverty office of the region; append-only."""
from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.access.tokens import hash_token
from app.db.models import ApiToken

NATIONAL_ID, BANK_ACCOUNT, PHONE = "36070219850616001X", "6222021001122334455", "+86 138 0797 1234"
MONTHLY = {"kind": "monthly", "stipend_fen": 80000, "required_days": 22}


def token_id(runtime, token: str) -> str:
    with runtime.sessions() as session:
        return session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token)))


def entries(client, **filters) -> list[dict]:
    response = client.get("/audit", limit=500, **filters)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def find(items: list[dict], table: str, row_key: str) -> list[dict]:
    """The entries of one row, oldest first."""
    return [item for item in reversed(items) if item["table"] == table and item["row_key"] == row_key]


@pytest.fixture
def story(api, world, token, build, consume):
    """A county office registers a household and its worker, a post manager assigns her to the village's
    post, her attendance is logged, the manager closes the month and a second manager approves it."""
    office = api.as_token(token("poverty_office", world.county))
    manager = api.as_token(token("post_manager", world.county))
    approver = api.as_token(token("post_manager", world.county))
    office.created("/households", {"id": "h-zhao", "region_code": world.village, "size": 3, "status": "poor"})
    office.created("/workers", {"id": "w-zhao", "household_id": "h-zhao", "name": "Zhao Lei",
                                "national_id": NATIONAL_ID, "bank_account": BANK_ACCOUNT, "phone": PHONE})
    manager.created("/assignments", {"id": "a-zhao", "worker_id": "w-zhao", "site_id": world.post,
                                     "start_date": "2026-03-01", "scheme": MONTHLY})
    assert api.post("/events", {"events": [build.attendance("w-zhao", world.post, "2026-03-02")]}).status_code == 202
    consume()
    assert manager.post(f"/sites/{world.post}/periods/2026-03/close", {}).status_code == 200
    assert approver.post(f"/sites/{world.post}/periods/2026-03/approve", {}).status_code == 200
    return office, manager


def test_each_write_of_the_story_is_recorded_with_who_what_before_and_after(api, world, runtime, story):
    office, manager = story
    items = entries(api)

    [household] = find(items, "households", "h-zhao")
    assert (household["action"], household["before"]) == ("insert", None)
    assert household["after"] == {**household["after"], "id": "h-zhao", "size": 3, "status": "poor"}
    assert (household["actor_token_id"], household["actor_role"]) == (token_id(runtime, office.token),
                                                                      "poverty_office")
    assert (household["method"], household["endpoint"]) == ("POST", "households.Households")
    assert household["request_id"] and household["region_path"] == "/36/3607/360702/360702101/360702101201/"
    assert datetime.fromisoformat(household["at"]) > datetime.now(UTC) - timedelta(minutes=5)

    [worker] = find(items, "workers", "w-zhao")
    assert {k: worker["after"][k] for k in ("national_id", "bank_account", "phone", "name")} == {
        "national_id": "3607**********001X", "bank_account": "6222***********4455", "phone": "+86 *********1234",
        "name": "Zhao Lei"}
    assert "national_id_hash" not in worker["after"]

    [assignment] = find(items, "assignments", "a-zhao")
    assert (assignment["actor_role"], assignment["endpoint"]) == ("post_manager", "assignments.Assignments")
    assert assignment["after"]["scheme"] == MONTHLY

    period = find(items, "pay_periods", f"{world.post}/2026-03")
    assert [(e["action"], e["endpoint"]) for e in period] == [
        ("insert", "periods.Close"), ("update", "periods.Close"), ("update", "periods.Approve")]
    assert [(e["before"]["status"], e["after"]["status"]) for e in period[1:]] == [("open", "closed"),
                                                                                  ("closed", "approved")]
    assert [e["actor_token_id"] == token_id(runtime, manager.token) for e in period] == [True, True, False]
    [approved] = find(items, "approved_pay", f"{world.post}/2026-03/w-zhao")
    assert approved["after"]["amount_fen"] == 3636 and approved["endpoint"] == "periods.Approve"
    transitions = [e["after"]["to_status"] for e in items if e["table"] == "period_transitions"]
    assert sorted(transitions) == ["approved", "closed"]


def test_the_office_of_another_county_sees_none_of_it(api, world, token, story):
    other = api.as_token(token("poverty_office", world.other_county))

    seen = entries(other)

    assert seen, "the other county's own records are there (the registry, written by the system)"
    assert all(e["region_path"].startswith("/36/3607/360703/") for e in seen)
    assert not {"h-zhao", "w-zhao", "a-zhao", f"{world.post}/2026-03"} & {e["row_key"] for e in seen}


def test_the_county_office_reads_its_region_and_filters_by_table_actor_and_time(api, world, runtime, story):
    office, manager = story

    mine = entries(office)
    assert {"h-zhao", "w-zhao", "a-zhao"} <= {e["row_key"] for e in mine}
    assert all(e["region_path"] is not None and e["region_path"].startswith("/36/3607/360702/") for e in mine)
    assert {e["table"] for e in entries(office, table="workers")} == {"workers"}
    by_manager = entries(office, actor=token_id(runtime, manager.token))
    assert by_manager and {e["actor_role"] for e in by_manager} == {"post_manager"}
    assert entries(office, since=(datetime.now(UTC) + timedelta(minutes=1)).isoformat()) == []
    assert len(entries(office, since=(datetime.now(UTC) - timedelta(minutes=5)).isoformat())) == len(mine)


def test_the_log_is_paged_newest_first(api, story):
    every = [e["id"] for e in entries(api)]
    seen, cursor = [], None
    while True:
        page = api.get("/audit", limit=7, **({"cursor": cursor} if cursor else {})).get_json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == every == sorted(every, reverse=True)


@pytest.mark.parametrize("role", ["supervisor", "post_manager"])
def test_only_admins_and_poverty_offices_read_the_log(api, world, token, role):
    caller = api.as_token(token(role, world.county, sites=[world.glove] if role == "supervisor" else []))

    assert caller.get("/audit").status_code == 403
    assert api.as_token(None).get("/audit").status_code == 401


def test_personal_data_is_never_in_clear_in_the_log(api, runtime, story):
    with sqlite3.connect(Path(runtime.settings.database_url.removeprefix("sqlite:///"))) as connection:
        rows = connection.execute("SELECT * FROM audit_log").fetchall()
    connection.close()

    stored, answered = repr(rows), json.dumps(entries(api))
    for value in (NATIONAL_ID, BANK_ACCOUNT, PHONE, "w-zhao"):
        assert (value in stored, value in answered) == ((True, True) if value == "w-zhao" else (False, False))


def test_a_refused_write_leaves_no_entry_and_the_registry_is_the_systems(api, world):
    before = entries(api)
    assert api.post("/workers", {"household_id": "h-nobody", "name": "X", "national_id": NATIONAL_ID}) \
        .status_code == 422

    assert entries(api) == before
    [region] = find(before, "regions", world.county)
    assert (region["actor_role"], region["actor_token_id"], region["endpoint"]) == ("system", None, None)


def test_the_log_refuses_updates_and_deletes(api, runtime, story):
    with sqlite3.connect(Path(runtime.settings.database_url.removeprefix("sqlite:///"))) as connection:
        for statement in ("UPDATE audit_log SET actor_role = 'admin'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="audit_log is append-only"):
                connection.execute(statement)
    connection.close()
