"""What the post manager's desk shows (app.pay.month_overview, app.pay.payments): a region's sites and villages
for a month with state, totals and who closed and approved; after the bank's answers, the failed lines and what
the next pay sends; the adjustments a month pays for earlier approved months, with the month each corrects."""
from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from app.pay.month_overview import (
    SiteMonth,
    region_adjustments,
    region_months,
    village_months,
)
from app.pay.payments import LineResult, after_bank_results, pay_period, record_bank_results
from app.pay.period_report import AMOUNTS, period_report
from app.pay.periods import Actor, move_period

MARCH, APRIL = "2026-03", "2026-04"
LIU, ZHAO = Actor("person-liu", "post_manager"), Actor("person-zhao", "post_manager")
COUNTY_PATH = "/36/3607/360702/"


def approve(runtime, site: str, month: str = MARCH) -> None:
    with runtime.sessions.begin() as session:
        move_period(session, site, month, "close", LIU)
        move_period(session, site, month, "approve", ZHAO)


def work(api, build, consume, *events) -> None:
    assert api.post("/events", {"events": list(events)}).status_code == 202
    consume()


def test_a_regions_months_are_listed_by_village_and_site_with_state_totals_and_people(api, runtime, world, build,
                                                                                      consume):
    work(api, build, consume, *(build.attendance(world.li, world.post, f"2026-03-0{day}") for day in (2, 3, 4)),
         build.attendance(world.wang, world.sewing, "2026-03-10"),
         build.attendance(world.chen, world.far, "2026-03-02"))
    approve(runtime, world.post)
    with runtime.sessions.begin() as session:
        move_period(session, world.glove, MARCH, "close", LIU)

    with runtime.sessions() as session:
        county = region_months(session, COUNTY_PATH, MARCH)
        nationwide = region_months(session, "/", MARCH)
        reports = {site: period_report(session, site, MARCH) for site in (world.glove, world.post, world.sewing)}

    assert [(row.village_code, row.site_id, row.status) for row in county] == [
        (world.village, world.post, "approved"), (world.village, world.glove, "closed"),
        (world.village, world.sewing, "open")]  # by village, then site id
    assert {row.site_id: row.totals for row in county} == {site: r["totals"] for site, r in reports.items()}
    post, _, sewing = county
    assert post.totals["approved_fen"] == post.totals["earned_fen"] > 0 and sewing.totals["wages_fen"] > 0
    people = {row.site_id: (row.closed_by, row.approved_by) for row in county}
    assert people == {world.glove: (LIU.token_id, None), world.post: (LIU.token_id, ZHAO.token_id),
                      world.sewing: (None, None)}
    assert post.closed_at <= post.approved_at and sewing.closed_at is None
    assert {row.village_name for row in county} == {"Xiaba"}
    assert [row.site_id for row in nationwide] == [row.site_id for row in county] + [world.far]


def test_a_returned_month_shows_no_closer_and_a_closed_again_one_its_latest(runtime, world):
    def glove():
        with runtime.sessions() as session:
            [row] = [row for row in region_months(session, COUNTY_PATH, MARCH) if row.site_id == world.glove]
        return row.status, row.closed_by

    with runtime.sessions.begin() as session:
        move_period(session, world.glove, MARCH, "close", LIU)
        move_period(session, world.glove, MARCH, "return", ZHAO, "a day is disputed")
    returned = glove()
    with runtime.sessions.begin() as session:
        move_period(session, world.glove, MARCH, "close", ZHAO)

    assert (returned, glove()) == (("open", None), ("closed", ZHAO.token_id))


def test_the_villages_add_up_their_sites(api, runtime, world, build, consume):
    work(api, build, consume, build.attendance(world.li, world.post, "2026-03-02"),
         build.attendance(world.chen, world.far, "2026-03-02"))
    approve(runtime, world.post)

    with runtime.sessions() as session:
        villages = village_months(region_months(session, "/", MARCH))

    assert [(v.village_code, v.statuses) for v in villages] == [
        (world.village, {"approved": 1, "open": 2}), (world.other_village, {"open": 1})]
    assert villages[1].totals["earned_fen"] == 11000 and villages[1].totals["approved_fen"] == 0


site_months = st.lists(st.builds(
    SiteMonth, site_id=st.text(min_size=1, max_size=3), site_name=st.just("site"),
    village_code=st.sampled_from(["v1", "v2", "v3"]), village_name=st.just("village"), month=st.just(MARCH),
    status=st.sampled_from(["open", "closed", "approved", "paid"]),
    totals=st.fixed_dictionaries({kind: st.integers(-10**9, 10**9) for kind in AMOUNTS}),
    closed_by=st.none(), closed_at=st.none(), approved_by=st.none(), approved_at=st.none()), max_size=30)


@given(site_months)
def test_village_sums_keep_every_site_and_every_fen(rows):
    villages = village_months(rows)

    assert [v.village_code for v in villages] == sorted({row.village_code for row in rows})
    assert sum((Counter(v.statuses) for v in villages), Counter()) == Counter(row.status for row in rows)
    for kind in AMOUNTS:
        assert sum(v.totals[kind] for v in villages) == sum(row.totals[kind] for row in rows)


def test_after_the_banks_answers_the_failed_lines_and_what_the_next_pay_sends(api, runtime, world, build, consume):
    work(api, build, consume, build.attendance(world.wang, world.sewing, "2026-03-10"),
         build.attendance(world.li, world.sewing, "2026-03-10", check_in="08:00", check_out="17:00"))
    approve(runtime, world.sewing)
    with runtime.sessions.begin() as session:
        batch = pay_period(session, world.sewing, MARCH, ZHAO)
        lines = {line.worker_id: line for line in batch.lines}
        record_bank_results(session, batch, [LineResult(lines[world.li].id, "failed", reason="account closed"),
                                             LineResult(lines[world.wang].id, "confirmed", "B-1")])
        owed_li = lines[world.li].amount_fen

    with runtime.sessions() as session:
        answered = after_bank_results(session, world.sewing, MARCH)
    with runtime.sessions.begin() as session:
        again = pay_period(session, world.sewing, MARCH, ZHAO)
    with runtime.sessions() as session:
        resent = after_bank_results(session, world.sewing, MARCH)

    assert [(f.worker_id, f.worker_name, f.amount_fen, f.reason, f.batch_id) for f in answered.failed] == [
        (world.li, "Li Xiuying", owed_li, "account closed", batch.id)]
    assert answered.failed[0].bank_account_masked == "6217***********4567"
    assert answered.next_pay == {world.li: owed_li}
    assert [(line.worker_id, line.amount_fen) for line in again.lines] == [(world.li, owed_li)]
    assert resent.failed == answered.failed and resent.next_pay == {}  # with the bank now: nothing carried


def test_adjustments_are_listed_with_the_approved_month_they_correct(api, runtime, world, build, consume):
    work(api, build, consume, build.attendance(world.li, world.post, "2026-03-02"),
         build.attendance(world.chen, world.far, "2026-03-02"))
    approve(runtime, world.post)
    approve(runtime, world.far)
    work(api, build, consume, build.attendance(world.li, world.post, "2026-03-03"),
         build.attendance(world.chen, world.far, "2026-03-03"))

    with runtime.sessions() as session:
        county = region_adjustments(session, COUNTY_PATH, APRIL)
        nationwide = region_adjustments(session, "/", APRIL)
        [expected] = period_report(session, world.post, APRIL)["adjustments"]
        march = region_adjustments(session, "/", MARCH)

    assert [(a.site_id, a.village_code, a.worker_id, a.worker_name, a.adjusts_month, a.in_month, a.amount_fen)
            for a in county] == [(world.post, world.village, world.li, "Li Xiuying", MARCH, APRIL,
                                  expected["amount_fen"])]
    assert expected["amount_fen"] > 0
    assert [(a.site_id, a.worker_id, a.amount_fen) for a in nationwide] == [
        (world.post, world.li, expected["amount_fen"]), (world.far, world.chen, 11000)]
    assert march == []  # the approved month itself pays none
