"""What a poverty office's household page shows: its members with their assignments of today and this month's
work, twelve months of per-capita income against the monitoring line, and its alerts with what was done."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

import payroll
from app.access.accounts import create_account
from app.alerts.household import household_page
from app.alerts.status import acknowledge_alert
from app.db.models import Alert

TODAY = date(2026, 5, 20)
THRESHOLDS = payroll.AlertThresholds(monitoring_lines={2026: 620_000})


def make_history(api, consume, world, build) -> None:
    """h-li: Li at three sites since March (two days of hours, a piece day and a void in May), and Li Ming,
    whose only assignment ended in April."""
    api.created("/workers", {"id": "w-li-ming", "household_id": "h-li", "name": "Li Ming"})
    api.created("/assignments", {"worker_id": "w-li-ming", "site_id": world.sewing, "start_date": "2026-04-01",
                                 "end_date": "2026-04-30", "scheme": {"kind": "daily", "day_rate_fen": 10000}})
    voided = build.output(world.li, world.glove, "2026-05-07", "GLOVE", 50)
    events = [build.attendance(world.li, world.sewing, "2026-03-02", minutes=480),
              build.attendance(world.li, world.sewing, "2026-05-04", minutes=480),
              build.attendance(world.li, world.sewing, "2026-05-05", minutes=480),
              build.output(world.li, world.glove, "2026-05-06", "GLOVE", 100), voided,
              build.event("output.voided", {"worker_id": world.li, "site_id": world.glove, "output_id": voided["id"]}),
              build.attendance(world.li, world.post, "2026-05-08", "absent"),
              build.attendance("w-li-ming", world.sewing, "2026-04-20")]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()


def test_members_show_todays_assignments_and_this_months_days_at_work_and_income(api, consume, runtime, world,
                                                                                  build):
    make_history(api, consume, world, build)
    with runtime.readers() as session:
        page = household_page(session, "h-li", TODAY, THRESHOLDS)
    assert (page.household_id, page.size, page.status, page.region_name, page.month) == \
        ("h-li", 4, "poor", "Xiaba", "2026-05")
    li, ming = page.members
    assert (li.worker_id, li.name, ming.worker_id, ming.name) == (world.li, "Li Xiuying", "w-li-ming", "Li Ming")
    assert [(a.site_id, a.site_name, a.site_kind, a.scheme_kind) for a in li.assignments] == [
        (world.post, "Village cleaner", "post", "monthly"), (world.glove, "Glove workshop", "workshop", "piece"),
        (world.sewing, "Sewing workshop", "workshop", "hourly")]
    assert ming.assignments == ()
    assert (li.days_at_work, li.income_fen) == (3, 2 * 14_000 + 100 * 33)  # the voided piece and the absence: none
    assert (ming.days_at_work, ming.income_fen) == (0, 0)


def test_twelve_months_of_per_capita_income_stand_against_the_monthly_line(api, consume, runtime, world, build):
    make_history(api, consume, world, build)
    with runtime.readers() as session:
        page = household_page(session, "h-li", TODAY, THRESHOLDS)
    assert [m.month for m in page.income] == [*payroll.previous_months("2026-05", 11), "2026-05"]
    by_month = {m.month: (m.income_fen, m.per_capita_fen) for m in page.income}
    assert by_month["2026-03"] == (14_000, 3_500)
    assert by_month["2026-04"] == (10_000, 2_500)
    assert by_month["2026-05"] == (31_300, 7_825)
    assert by_month["2025-06"] == (0, 0)
    assert page.line_fen == 51_667  # 6,200 yuan a year over 12 months, half-up
    # the same numbers as the household income the API answers
    body = api.get("/households/h-li/income", months=12, to="2026-05").get_json()
    assert [(m["month"], m["income_fen"], m["per_capita_fen"]) for m in body["months"]] == \
        [(m.month, m.income_fen, m.per_capita_fen) for m in page.income]


def test_the_households_alerts_come_with_who_acknowledged_and_resolved_them_and_what_was_done(
        api, consume, runtime, world, build):
    make_history(api, consume, world, build)
    assert api.post("/alerts/evaluate", {"month": "2026-05", "as_of": "2026-06-05"}).status_code == 200
    items = api.get("/alerts", kind="below_line").get_json()["items"]
    mine = next(a for a in items if a["household_id"] == "h-li")
    assert api.post(f"/alerts/{mine['id']}/acknowledge", {"note": "visiting on Monday"}).status_code == 200
    assert api.post(f"/alerts/{mine['id']}/resolve", {"help_given": "a place at the tea workshop"}).status_code == 200
    with runtime.readers() as session:
        page = household_page(session, "h-li", TODAY, THRESHOLDS)
    assert {a["household_id"] for a in items} >= {"h-li", "h-wang"}  # h-wang's alert is on its own page
    assert sorted(a.kind for a in page.alerts) == ["below_line", "projected_below_line"]
    done = next(a for a in page.alerts if a.id == mine["id"])
    assert (done.status, done.month, done.note, done.help_given) == \
        ("resolved", "2026-05", "visiting on Monday", "a place at the tea workshop")
    assert (done.acknowledged_by_name, done.resolved_by_name) == ("test admin", "test admin")
    assert done.acknowledged_at is not None and done.resolved_at >= done.acknowledged_at
    assert done.detail == mine["detail"]
    other = next(a for a in page.alerts if a.id != mine["id"])
    assert (other.status, other.note, other.acknowledged_by_name) == ("open", None, None)


def test_a_household_outside_the_region_or_unknown_has_no_page(runtime, world):
    with runtime.readers() as session:
        assert household_page(session, "h-li", TODAY, THRESHOLDS, within="/36/3607/360703/") is None
        assert household_page(session, "h-nobody", TODAY, THRESHOLDS) is None
        assert household_page(session, "h-li", TODAY, THRESHOLDS, within="/36/3607/360702/") is not None


def test_an_alert_about_a_member_is_on_the_households_page(api, consume, runtime, world, build):
    make_history(api, consume, world, build)
    wang_at_work = [build.attendance(world.wang, world.sewing, f"2026-05-{day:02d}") for day in range(6, 20)]
    assert api.post("/events", {"events": wang_at_work}).status_code == 202
    consume()
    assert api.post("/alerts/evaluate", {"month": "2026-05", "as_of": "2026-05-20"}).status_code == 200
    with runtime.readers() as session:
        page = household_page(session, "h-li", TODAY, THRESHOLDS)
    idle = [a for a in page.alerts if a.kind == "no_work"]
    assert [(a.subject_type, a.subject_id, a.detail["site_id"]) for a in idle] == [("worker", world.li, world.sewing)]


def test_an_alert_acknowledged_on_a_page_names_the_account_that_did(api, consume, runtime, world, build):
    make_history(api, consume, world, build)
    assert api.post("/alerts/evaluate", {"month": "2026-05", "as_of": "2026-06-05"}).status_code == 200
    with runtime.sessions.begin() as session:
        account = create_account(session, login="zhao", name="Zhao Lei", password="a long pass phrase 2026",
                                 role="poverty_office", region_code=world.county)
        alert = session.scalars(select(Alert).where(Alert.household_id == "h-li", Alert.kind == "below_line")).one()
        acknowledge_alert(alert, account.id, "called the family")
    with runtime.readers() as session:
        page = household_page(session, "h-li", TODAY, THRESHOLDS)
    assert [a.acknowledged_by_name for a in page.alerts if a.kind == "below_line"] == ["Zhao Lei"]
