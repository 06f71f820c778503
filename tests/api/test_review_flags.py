"""Review flags over the API: closing a month raises its flags once, the queue shows them to the managers of
the site's region, approving over open flags needs an override (audited), dismissing needs a reason, and a
bulk approval leaves flagged months."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from support.problems import assert_problem

from app.access.tokens import issue_token
from app.db.models import AuditEntry

MONTH = "2026-03"
DAY = "2026-03-02"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def two_sites_in_a_day(api, build, consume, world):
    """Li paid for a full day at the cleaning post and nine hours at the sewing workshop on one day."""
    for event in (build.attendance(world.li, world.post, DAY),
                  build.attendance(world.li, world.sewing, DAY, check_in="08:00:00", check_out="17:00:00")):
        assert api.post("/events", event).status_code in (200, 202), api.post("/events", event).get_json()
    consume()


def flags(client, **params) -> list[dict]:
    response = client.get("/review-flags", **params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_closing_a_month_raises_its_flags_once(api, world, two_sites_in_a_day):
    assert api.post(f"/sites/{world.sewing}/periods/{MONTH}/close", {}).status_code == 200

    raised = flags(api, site_id=world.sewing, month=MONTH)
    again = api.post(f"/sites/{world.sewing}/periods/{MONTH}/review", {}).get_json()

    assert [(f["kind"], f["subject_id"], f["status"]) for f in raised] == [("two_sites_one_day", world.li, "open")]
    assert raised[0]["reason"] == "worked 17.0 hours at 2 sites on 2026-03-02"
    assert raised[0]["reason_params"] == {"hours": "17.0", "sites": "2", "day": DAY}
    assert again["raised"] == 0 and [f["id"] for f in again["open"]] == [raised[0]["id"]]


def test_approving_a_flagged_month_needs_an_override_which_is_audited(api, checker, runtime, world,
                                                                       two_sites_in_a_day):
    path = f"/sites/{world.sewing}/periods/{MONTH}"
    assert api.post(f"{path}/close", {}).status_code == 200

    refused = assert_problem(checker.post(f"{path}/approve", {}), 409)
    approved = checker.post(f"{path}/approve", {"override": "Li cleans at dawn before the workshop opens"})

    assert "1 open review flag" in refused["detail"]
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    with runtime.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "review_flags",
                                                         AuditEntry.action == "update")).one()
    assert entry.after == {"override": "Li cleans at dawn before the workshop opens"}
    assert entry.before == {"open_flags": [flags(api, site_id=world.sewing)[0]["id"]]}


def test_a_dismissed_flag_holds_the_month_back_no_longer(api, checker, world, two_sites_in_a_day):
    path = f"/sites/{world.sewing}/periods/{MONTH}"
    api.post(f"{path}/close", {})
    flag = flags(api, site_id=world.sewing)[0]

    assert_problem(api.post(f"/review-flags/{flag['id']}/dismiss", {}), 422)
    dismissed = api.post(f"/review-flags/{flag['id']}/dismiss", {"reason": "two part-time shifts, checked"})
    assert_problem(api.post(f"/review-flags/{flag['id']}/confirm", {}), 409)

    assert dismissed.get_json()["status"] == "dismissed"
    assert dismissed.get_json()["note"] == "two part-time shifts, checked"
    assert checker.post(f"{path}/approve", {}).get_json()["status"] == "approved"


def test_a_bulk_approval_leaves_the_flagged_months(api, checker, world, two_sites_in_a_day):
    assert api.post(f"/periods/{MONTH}/close", {}).status_code == 200

    approved = checker.post(f"/periods/{MONTH}/approve", {}).get_json()

    # the post and the sewing workshop each pay Li for the day: both flagged; the other two sites are not
    assert approved["moved"] == 2 and approved["not_moved"] == {"flagged": 2}


def test_the_queue_is_the_managers_of_the_sites_region(api, runtime, token, world, two_sites_in_a_day):
    api.post(f"/sites/{world.sewing}/periods/{MONTH}/close", {})
    with runtime.sessions.begin() as session:
        here = api.as_token(issue_token(session, name="here", role="post_manager", region_code=world.county))
        there = api.as_token(issue_token(session, name="there", role="post_manager", region_code=world.other_county))
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.sewing]))

    assert len(flags(here)) == 1
    assert flags(there) == []
    assert_problem(there.get("/review-flags", site_id=world.sewing), 403)
    assert_problem(there.post(f"/review-flags/{flags(here)[0]['id']}/confirm", {}), 403)
    assert_problem(supervisor.get("/review-flags"), 403)


def test_a_supervisor_sending_for_sites_townships_apart_within_minutes_is_flagged(api, build, consume, token,
                                                                                   world):
    """Sent today (the receipts' time is when they came in), for today's work."""
    today = datetime.now(SHANGHAI).date().isoformat()
    supervisor = api.as_token(token("supervisor", world.city, sites=[world.sewing, world.far]))
    assert supervisor.post("/events", build.attendance(world.li, world.sewing, today, minutes=480)).status_code < 300
    assert supervisor.post("/events", build.attendance(world.chen, world.far, today)).status_code < 300
    consume()

    review = api.post(f"/sites/{world.far}/periods/{today[:7]}/review", {}).get_json()

    assert [(f["kind"], f["subject_type"]) for f in review["open"]] == [("supervisor_far_apart", "supervisor")]
