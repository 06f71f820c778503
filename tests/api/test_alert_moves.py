"""Acknowledging and resolving an alert through the API: each move is recorded in the audit log as the
caller's, and a move out of order is a 409 problem that names the alert's status."""
from __future__ import annotations

from sqlalchemy import select

from app.access.tokens import hash_token
from app.db.models import Alert, ApiToken

ALERT_ID = "a1" * 16  # ids the system makes are 32 hex digits


def test_each_move_is_audited_as_the_caller_and_a_repeat_is_a_409_problem(api, runtime):
    with runtime.sessions.begin() as session:
        session.add(Alert(id=ALERT_ID, kind="income_drop", subject_type="household", subject_id="hh-li",
                          household_id="hh-li", month="2026-05", region_code="360731", region_path="/360731/",
                          status="open", detail={}))
        admin = session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(api.token)))

    acknowledged = api.post(f"/alerts/{ALERT_ID}/acknowledge", {"note": "visiting on Monday"})
    again = api.post(f"/alerts/{ALERT_ID}/acknowledge", {"note": "twice"})
    resolved = api.post(f"/alerts/{ALERT_ID}/resolve", {"help_given": "a place at the tea workshop"})
    late = api.post(f"/alerts/{ALERT_ID}/resolve", {"help_given": "again"})

    assert acknowledged.status_code == 200 and acknowledged.get_json()["acknowledged_by"] == admin
    assert resolved.status_code == 200 and resolved.get_json()["resolved_by"] == admin
    assert (again.status_code, again.content_type) == (409, "application/problem+json")
    assert again.get_json()["detail"] == "the alert is acknowledged, not open"
    assert (late.status_code, late.content_type) == (409, "application/problem+json")
    assert late.get_json()["detail"] == "the alert is resolved; acknowledge it before resolving it"
    entries = [e for e in reversed(api.get("/audit", table="alerts").get_json()["items"]) if e["row_key"] == ALERT_ID]
    assert [(e["action"], e["endpoint"], e["actor_token_id"]) for e in entries] == [
        ("insert", None, None), ("update", "alerts.Acknowledge", admin), ("update", "alerts.Resolve", admin)]
    assert [(e["before"]["status"], e["after"]["status"]) for e in entries[1:]] == [("open", "acknowledged"),
                                                                                  ("acknowledged", "resolved")]
