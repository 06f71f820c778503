"""The review flags at the desk: a site's month shows its open flags with their reasons in the reader's language,
approving it over them needs a reason (kept in the audit log), a flag is dismissed with a reason, and a village
approved at once leaves its flagged months, saying so."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy import select
from support.pages import PageClient, account_id, make_account

from app.db.models import AuditEntry

APRIL = "2026-04"
SEWING = "/desk/sites/ws-sewing/months/2026-04"


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=date(2026, 5, 6))


def manager(app, runtime, region: str, language: str | None = None) -> PageClient:
    pages = PageClient(app, language)
    pages.enter_as(account_id(runtime, make_account(runtime, "post_manager", region)))
    return pages


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def flagged(api, build, consume, world):
    """Li paid a full day at the cleaning post and nine hours at the sewing workshop on 6 April; both closed."""
    events = [build.attendance(world.li, world.sewing, "2026-04-06", check_in="08:00", check_out="17:00"),
              build.attendance(world.li, world.post, "2026-04-06")]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    for site in (world.sewing, world.post):
        assert api.post(f"/sites/{site}/periods/{APRIL}/close", {}).status_code == 200


def test_the_month_page_shows_its_flags_and_approving_over_them_needs_a_reason(app, runtime, flagged, world):
    desk = manager(app, runtime, world.county)

    page = text(desk.get(SEWING))
    refused = desk.post(f"{SEWING}/approve")
    approved = desk.post(f"{SEWING}/approve", {"override": "李秀英清晨打扫，白天在车间"})

    assert "核查提示 (1)" in page and "同日两处计薪" in page
    assert "2026-04-06 在 2 处共计工作 17.0 小时" in page
    assert refused.status_code == 409 and "本月有未处理的核查提示" in text(refused)
    assert approved.status_code == 303
    with runtime.sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "review_flags",
                                                         AuditEntry.action == "update")).one()
    assert audit.after == {"override": "李秀英清晨打扫，白天在车间"}


def test_a_flag_dismissed_with_a_reason_leaves_the_page_in_english_too(api, app, runtime, flagged, world):
    desk = manager(app, runtime, world.county, "en")
    flag = api.get("/review-flags", site_id=world.sewing).get_json()["items"][0]

    without = desk.post(f"/desk/flags/{flag['id']}/dismiss", {"reason": " "})
    still = api.get("/review-flags", site_id=world.sewing).get_json()["items"][0]["status"]
    english = text(desk.get(SEWING))
    dismissed = desk.post(f"/desk/flags/{flag['id']}/dismiss", {"reason": "two part-time shifts"})

    assert without.status_code == 303 and still == "open"
    assert "Say why the flag is no fraud" in english
    assert "Two sites in one day" in english and "worked 17.0 hours at 2 sites on 2026-04-06" in english
    assert dismissed.status_code == 303
    assert "Review flags" not in text(desk.get(SEWING))
    assert api.get("/review-flags", site_id=world.sewing).get_json()["items"][0]["note"] == "two part-time shifts"


def test_a_village_approved_at_once_leaves_its_flagged_months(app, runtime, flagged, world):
    desk = manager(app, runtime, world.county)

    answer = desk.post(f"/desk/months/{APRIL}/approve", {"region_code": world.village})

    assert "有未处理核查提示，未审核：2 个。" in text(desk.get(answer.headers["Location"]))
