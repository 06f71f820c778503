"""On PostgreSQL (its own JSON operators and plans): the manager's desk reads, the payroll sheet counted in SQL
by worker and the day's status, and a village's sites and workers counted by the state of the month."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from support.pipeline import drain
from support.world import HOURLY, MONTHLY, PIECE, EventBuilder

from app.db.models import Assignment, Household, Site, Worker
from app.pay.month_overview import village_counts
from app.pay.payroll_sheet import build_sheet
from app.pay.periods import Actor, move_period

pytestmark = pytest.mark.postgres

VILLAGE, MARCH = "360702101201", "2026-03"


@pytest.fixture(scope="module")
def march(pg_village_api, pg_runtime):
    """Li hourly at the sewing workshop (timed days, a half day without times, an absence), Wang daily there, Li
    by the piece at the glove workshop, Zhou's monthly post; March's events consumed."""
    with pg_runtime.sessions.begin() as session:
        session.add_all([Household(id="h-1", region_code=VILLAGE, size=3, status="poor"),
                         *(Site(id=site, kind="workshop", name=site, region_code=VILLAGE)
                           for site in ("sewing", "glove", "post"))])
        session.flush()
        session.add_all([Worker(id=worker, household_id="h-1", name=worker) for worker in ("li", "wang", "zhou")])
        session.flush()
        session.add_all([
            Assignment(worker_id="li", site_id="sewing", start_date=date(2026, 3, 1), end_date=None, scheme=HOURLY),
            Assignment(worker_id="wang", site_id="sewing", start_date=date(2026, 3, 1), end_date=None,
                       scheme={"kind": "daily", "day_rate_fen": 12000}),
            Assignment(worker_id="li", site_id="glove", start_date=date(2026, 3, 1), end_date=None, scheme=PIECE),
            Assignment(worker_id="zhou", site_id="post", start_date=date(2026, 3, 1), end_date=None, scheme=MONTHLY)])
    build = EventBuilder()
    events = [build.attendance("li", "sewing", "2026-03-02", check_in="08:00", check_out="17:00"),
              build.attendance("li", "sewing", "2026-03-03", minutes=300),
              build.attendance("li", "sewing", "2026-03-04", "half_day"),
              build.attendance("li", "sewing", "2026-03-05", "absent"),
              build.attendance("wang", "sewing", "2026-03-10"),
              build.attendance("wang", "sewing", "2026-03-11", "half_day"),
              build.output("li", "glove", "2026-03-12", "GLOVE", 10),
              build.output("li", "glove", "2026-03-13", "BOX", 2),
              *(build.attendance("zhou", "post", f"2026-03-{day:02d}") for day in (2, 3, 4)),
              build.attendance("zhou", "post", "2026-03-05", "half_day")]
    assert pg_village_api.post("/events", {"events": events}).status_code == 202
    drain(pg_runtime)
    return pg_runtime


def test_the_payroll_sheet_counts_days_hours_and_output_as_the_facts_say(march):
    with march.readers() as session:
        sheets = {site: build_sheet(session, site, MARCH) for site in ("sewing", "glove", "post")}

    sewing = {row.worker_id: (row.days, row.hours, row.amount_fen) for row in sheets["sewing"].rows}
    # Li: 540 timed minutes, 300, and half the standard 480 for the half day without times; absent counts none
    assert sewing == {"li": (Decimal("2.5"), Decimal("18.00"), 16625 + 8750 + 7000),
                      "wang": (Decimal("1.5"), Decimal("0.00"), 12000 + 6000)}
    assert [(row.worker_id, row.units, row.schemes) for row in sheets["glove"].rows] == [("li", 12, {"piece"})]
    assert [(row.worker_id, row.days, row.schemes) for row in sheets["post"].rows] == [
        ("zhou", Decimal("3.5"), {"monthly"})]


def test_a_villages_sites_and_workers_are_counted_by_the_state_of_the_month(march):
    with march.sessions.begin() as session:
        move_period(session, "sewing", MARCH, "close", Actor("person-liu", "post_manager"))

    with march.readers() as session:
        [village] = village_counts(session, "/360702/", MARCH)

    assert (village.village_code, village.sites, village.workers) == (
        VILLAGE, {"closed": 1, "open": 2}, {"closed": 2, "open": 2})  # Li open at the glove workshop, Zhou
