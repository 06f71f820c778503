"""Intake and balances on the real PostgreSQL, where their queries differ from SQLite's (the received ids
looked up as one array; every sum of a balance in one UNION ALL): duplicates and conflicts answered as on
SQLite, one audit entry per site with its region, and balances exact for every caller who may read them."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from support.api import ApiClient

from app.access.tokens import issue_token
from app.db.models import Adjustment, ApprovedPay, Assignment, PaymentBatch, PaymentLine, WageLine

pytestmark = pytest.mark.postgres

VILLAGE, VILLAGE_PATH = "360702101201", "/360702/360702101201/"
HOURLY = {"kind": "hourly", "rate_fen": 1800}


@pytest.fixture(scope="module")
def pg_api(pg_village_api) -> ApiClient:
    api = pg_village_api
    api.created("/households", {"id": "h-1", "region_code": VILLAGE, "size": 2, "status": "poor"})
    api.created("/workers", {"id": "w-1", "household_id": "h-1", "name": "Worker 1"})
    for site in ("ws-a", "ws-b"):
        api.created("/sites", {"id": site, "kind": "workshop", "name": site, "region_code": VILLAGE})
        api.created("/assignments", {"id": f"w-1-{site}", "worker_id": "w-1", "site_id": site,
                                     "start_date": "2026-03-01", "scheme": HOURLY})
    return api


def attendance(site: str, day: str, minutes: int = 480, id: str | None = None) -> dict:
    return {"specversion": "1.0", "id": id or str(uuid.uuid4()), "type": "attendance.recorded", "source": "test",
            "time": f"{day}T18:00:00+08:00",
            "data": {"worker_id": "w-1", "site_id": site, "date": day, "status": "present", "minutes": minutes}}


def test_a_batch_is_taken_once_and_its_receipt_is_one_audit_entry_per_site(pg_api):
    batch = [attendance("ws-a", "2026-03-02"), attendance("ws-b", "2026-03-02"), attendance("ws-a", "2026-03-03")]

    first = pg_api.post("/events", {"events": batch})
    again = pg_api.post("/events", {"events": batch})
    conflict = pg_api.post("/events", {"events": [attendance("ws-a", "2026-03-02", 60, id=batch[0]["id"])]})

    assert (first.status_code, first.get_json()["accepted"]) == (202, 3)
    assert (again.status_code, again.get_json()["duplicates"]) == (202, 3)
    assert conflict.status_code == 422 and "0" in conflict.get_json()["errors"]
    entries = pg_api.get("/audit", table="received_events", limit=500).get_json()["items"]
    assert sorted((e["row_key"], e["region_path"], tuple(e["after"]["event_ids"])) for e in entries) == [
        ("ws-a/2 events", VILLAGE_PATH, (batch[0]["id"], batch[2]["id"])),
        ("ws-b/1 events", VILLAGE_PATH, (batch[1]["id"],))]


def test_a_balance_sums_every_kind_of_row_once_for_every_caller(pg_api, pg_runtime):
    with pg_runtime.sessions.begin() as session:
        session.add_all([WageLine(assignment_id="w-1-ws-b", worker_id="w-1", site_id="ws-b", period=day[:7],
                                  work_date=date.fromisoformat(day), scheme="hourly", amount_fen=amount, facts={})
                         for day, amount in (("2026-05-04", 14_400), ("2026-06-01", 7_200))])
        session.add_all([Adjustment(site_id="ws-b", worker_id="w-1", adjusts_month="2026-05", in_month="2026-06",
                                    amount_fen=-400),
                         ApprovedPay(site_id="ws-b", month="2026-05", worker_id="w-1", wages_fen=14_400,
                                     adjustments_fen=0, amount_fen=14_400)])
        batch = PaymentBatch(site_id="ws-b", month="2026-05", created_by="test")
        session.add(batch)
        session.flush()
        session.add_all(PaymentLine(batch_id=batch.id, site_id="ws-b", month="2026-05", worker_id="w-1",
                                    worker_name="Worker 1", amount_fen=amount, status=status)
                        for amount, status in ((10_000, "confirmed"), (4_400, "failed")))
        assert session.get(Assignment, "w-1-ws-b") is not None
        office = issue_token(session, name="office", role="poverty_office", region_code="360702")
        supervisor = issue_token(session, name="sup", role="supervisor", region_code="360702", site_ids=["ws-b"])

    may = pg_api.get("/workers/w-1/balance", period="2026-05").get_json()
    june = pg_api.get("/workers/w-1/balance", period="2026-06").get_json()

    assert {k: may[k] for k in ("earned_fen", "approved_fen", "paid_fen", "outstanding_fen", "pending_fen")} == {
        "earned_fen": 14_400, "approved_fen": 14_400, "paid_fen": 10_000, "outstanding_fen": 4_400, "pending_fen": 0}
    assert (june["earned_fen"], june["pending_fen"]) == (6_800, 6_800)
    every = pg_api.get("/workers/w-1/balance").get_json()
    for token in (office, supervisor):
        assert pg_api.as_token(token).get("/workers/w-1/balance").get_json() == every
