"""What the post manager's desk shows (app.pay.month_overview, app.pay.payments): a region's sites and villages
for a month with state, totals and who closed and approved; after the bank's answers, the failed lines and what
the next pay sends; the adjustments a month pays for earlier approved months, with the month each corrects."""
from __future__ import annotations

from app.pay.month_overview import region_adjustments, region_months, region_totals, village_counts
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


def test_the_villages_count_their_sites_and_workers_by_the_state_of_the_month(runtime, world):
    approve(runtime, world.post)

    with runtime.sessions() as session:
        villages = village_counts(session, "/", MARCH)
        county = village_counts(session, COUNTY_PATH, MARCH)
        july = village_counts(session, COUNTY_PATH, "2026-07")

    assert [(v.village_code, v.village_name, v.sites) for v in villages] == [
        (world.village, "Xiaba", {"approved": 1, "open": 2}), (world.other_village, "Tangxi", {"open": 1})]
    # Li at the cleaner's post (approved), and at the glove and sewing workshops with Wang (open): counted once
    assert [(v.village_code, v.workers) for v in county] == [(world.village, {"approved": 1, "open": 2})]
    assert july[0].workers == {"open": 1}  # Wang's assignment ended in June


def test_a_regions_site_months_come_by_status_and_a_page_at_a_time_and_add_up(api, runtime, world, build, consume):
    work(api, build, consume, build.attendance(world.li, world.post, "2026-03-02"),
         build.attendance(world.wang, world.sewing, "2026-03-10"))
    approve(runtime, world.post)

    with runtime.sessions() as session:
        every = region_months(session, COUNTY_PATH, MARCH)
        pages = [region_months(session, COUNTY_PATH, MARCH, limit=2, offset=offset) for offset in (0, 2)]
        opened = region_months(session, COUNTY_PATH, MARCH, status="open")
        totals = region_totals(session, COUNTY_PATH, MARCH)

    assert [row.site_id for page in pages for row in page] == [row.site_id for row in every]
    assert [len(page) for page in pages] == [2, 1]
    assert [row.site_id for row in opened] == [world.glove, world.sewing]
    assert totals == {kind: sum(row.totals[kind] for row in every) for kind in AMOUNTS}
    assert totals["approved_fen"] > 0 and totals["earned_fen"] > totals["approved_fen"]


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
