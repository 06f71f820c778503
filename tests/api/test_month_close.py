"""A month closed and approved for every site in scope at once (POST /periods/{month}/close and /approve):
the same rows as site by site, only the caller's sites, a second call changes nothing, one audit entry."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.month_close import (
    COUNTY_A,
    COUNTY_B,
    EXPECTED_APPROVED,
    SITES,
    SITES_A,
    SITES_B,
    build_country,
    month_rows,
)

from app.access.tokens import issue_token
from app.db.models import AuditEntry

PER_SITE, BULK = "2026-03", "2026-04"  # the same lines and adjustments in each


@pytest.fixture
def country(runtime):
    with runtime.sessions.begin() as session:
        build_country(session, (PER_SITE, BULK))


def rows(runtime, month: str) -> dict:
    with runtime.sessions() as session:
        return month_rows(session, month)


def audit_count(runtime, *tables: str) -> int:
    with runtime.sessions() as session:
        query = select(func.count()).select_from(AuditEntry)
        return session.scalar(query.where(AuditEntry.table_name.in_(tables)) if tables else query)


def move(client, month: str, action: str, body: dict | None = None, status: int = 200) -> dict:
    response = client.post(f"/periods/{month}/{action}", body if body is not None else {})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_bulk_close_and_approve_give_the_rows_of_the_per_site_path(api, checker, runtime, country):
    for site in SITES:
        assert api.post(f"/sites/{site}/periods/{PER_SITE}/close", {}).status_code == 200
        assert checker.post(f"/sites/{site}/periods/{PER_SITE}/approve", {}).status_code == 200

    closed = move(api, BULK, "close")
    approved = move(checker, BULK, "approve")

    assert closed == {"month": BULK, "action": "close", "moved": len(SITES), "not_moved": {}}
    assert approved == {"month": BULK, "action": "approve", "moved": len(SITES), "not_moved": {}}
    assert rows(runtime, BULK) == rows(runtime, PER_SITE)
    assert rows(runtime, BULK)["approved_pay"] == EXPECTED_APPROVED
    assert api.get(f"/sites/a-2/periods/{BULK}").get_json()["totals"] == \
        api.get(f"/sites/a-2/periods/{PER_SITE}").get_json()["totals"]


def test_sites_in_other_states_are_left_as_they_are_and_counted(api, checker, runtime, country):
    assert api.post(f"/sites/a-1/periods/{BULK}/close", {}).status_code == 200
    assert api.post(f"/sites/b-1/periods/{BULK}/close", {}).status_code == 200
    assert checker.post(f"/sites/b-1/periods/{BULK}/approve", {}).status_code == 200

    assert move(checker, BULK, "approve") == {"month": BULK, "action": "approve", "moved": 1,
                                              "not_moved": {"approved": 1, "open": 4}}
    assert move(api, BULK, "close")["not_moved"] == {"approved": 2}
    assert move(checker, BULK, "approve")["not_moved"] == {"approved": 2}
    assert rows(runtime, BULK)["pay_periods"] == [(site, "approved") for site in SITES]


def test_a_second_call_changes_nothing(api, checker, runtime, country):
    move(api, BULK, "close")
    move(checker, BULK, "approve")
    first, audited = rows(runtime, BULK), audit_count(runtime)

    again = [move(api, BULK, "close"), move(checker, BULK, "approve")]

    assert [(a["moved"], a["not_moved"]) for a in again] == [(0, {"approved": len(SITES)})] * 2
    assert rows(runtime, BULK) == first
    assert audit_count(runtime) == audited


def test_each_bulk_action_is_one_audit_entry(api, runtime, country):
    tables = ("pay_periods", "period_transitions", "approved_pay")
    manager = api.as_token(token_of(runtime, "post_manager", COUNTY_A))
    approver = api.as_token(token_of(runtime, "post_manager", COUNTY_A))

    move(manager, BULK, "close")
    move(approver, BULK, "approve", {"reason": "checked against the register"})

    entries = api.get("/audit", table="pay_periods", limit=500).get_json()["items"]
    assert audit_count(runtime, *tables) == 2
    assert [(e["action"], e["row_key"], e["before"], e["after"]) for e in reversed(entries)] == [
        ("update", f"{BULK} close", {"status": "open"}, {"status": "closed", "sites": list(SITES_A), "reason": None}),
        ("update", f"{BULK} approve", {"status": "closed"},
         {"status": "approved", "sites": list(SITES_A), "reason": "checked against the register"})]
    assert all(e["actor_role"] == "post_manager" for e in entries)
    assert all(e["region_path"] == "/44/4401/" for e in entries)


def token_of(runtime, role: str, region: str | None, sites: tuple[str, ...] = ()) -> str:
    with runtime.sessions.begin() as session:
        return issue_token(session, name=f"test {role}", role=role, region_code=region, site_ids=list(sites))


def test_a_region_manager_moves_only_their_regions_sites(api, runtime, country):
    manager = api.as_token(token_of(runtime, "post_manager", COUNTY_A))
    approver = api.as_token(token_of(runtime, "post_manager", COUNTY_A))

    assert move(manager, BULK, "close")["moved"] == len(SITES_A)
    assert move(approver, BULK, "approve")["moved"] == len(SITES_A)

    statuses = dict(rows(runtime, BULK)["pay_periods"])
    assert statuses == dict.fromkeys(SITES_A, "approved")  # county B's sites have no period row at all
    assert {site for site, *_ in rows(runtime, BULK)["approved_pay"]} == {"a-1", "a-2", "a-3"}
    move(manager, BULK, "close", {"region_code": COUNTY_B}, status=403)
    move(manager, BULK, "close", {"site_ids": ["b-1"]}, status=403)
    assert "b-1" not in dict(rows(runtime, BULK)["pay_periods"])


def test_a_region_or_named_sites_narrow_a_nationwide_call(api, checker, runtime, country):
    assert move(api, BULK, "close", {"region_code": COUNTY_B})["moved"] == len(SITES_B)
    assert move(checker, BULK, "approve", {"site_ids": ["b-2", "a-1"]}) == {
        "month": BULK, "action": "approve", "moved": 1, "not_moved": {"open": 1}}
    assert move(api, BULK, "close", {"region_code": COUNTY_A, "site_ids": ["a-1", "b-1"]})["moved"] == 1

    assert rows(runtime, BULK)["pay_periods"] == [("a-1", "closed"), ("b-1", "closed"), ("b-2", "approved")]


def test_a_supervisor_closes_only_their_sites_and_approves_nothing(api, runtime, country):
    supervisor = api.as_token(token_of(runtime, "supervisor", COUNTY_A, ("a-1", "a-2")))

    assert move(supervisor, BULK, "close")["moved"] == 2
    move(supervisor, BULK, "close", {"site_ids": ["a-3"]}, status=403)
    move(supervisor, BULK, "approve", status=403)

    assert rows(runtime, BULK)["pay_periods"] == [("a-1", "closed"), ("a-2", "closed")]


@pytest.mark.parametrize("role", ["poverty_office", "supervisor"])
def test_roles_that_may_not_approve_are_refused(api, runtime, country, role):
    client = api.as_token(token_of(runtime, role, COUNTY_A, ("a-1",) if role == "supervisor" else ()))
    move(api, BULK, "close")

    body = move(client, BULK, "approve", status=403)

    assert body["status"] == 403
    if role == "poverty_office":
        move(client, BULK, "close", status=403)
    assert dict(rows(runtime, BULK)["pay_periods"]) == dict.fromkeys(SITES, "closed")


def test_a_bad_month_an_unknown_region_or_site_is_a_problem(api, runtime, country):
    for month in ("2026-13", "26-04", "2026-4"):
        response = api.post(f"/periods/{month}/close", {})
        assert (response.status_code, response.content_type) == (422, "application/problem+json")
        assert response.get_json()["errors"] == {"month": ["a month YYYY-MM"]}
    assert move(api, BULK, "close", {"region_code": "9999"}, status=422)["errors"] == {
        "region_code": ["unknown region 9999"]}
    assert move(api, BULK, "close", {"site_ids": ["a-1", "nowhere"]}, status=422)["errors"] == {
        "site_ids": ["unknown site nowhere"]}
    assert move(api, BULK, "close", {"site_ids": []}, status=422)["errors"]["site_ids"]
    assert rows(runtime, BULK)["pay_periods"] == []


def test_a_retry_with_the_same_idempotency_key_gets_the_first_answer(api, runtime, country):
    headers = {"Authorization": f"Bearer {api.token}", "Idempotency-Key": "close-april"}

    first = api.client.post(f"/api/v1/periods/{BULK}/close", json={}, headers=headers)
    retry = api.client.post(f"/api/v1/periods/{BULK}/close", json={}, headers=headers)

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.get_json() == first.get_json() == {"month": BULK, "action": "close", "moved": len(SITES),
                                                    "not_moved": {}}
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert len(rows(runtime, BULK)["period_transitions"]) == len(SITES)


def test_the_body_may_be_left_out(api, runtime, country):
    response = api.client.post(f"/api/v1/periods/{BULK}/close", headers={"Authorization": f"Bearer {api.token}"})

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["moved"] == len(SITES)
