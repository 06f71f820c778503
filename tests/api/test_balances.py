"""Balances and wage lines after events have been consumed, checked against hand-computed pay."""
from __future__ import annotations

import base64
import json

import pytest

# Li's schemes (see conftest.py):
#   ws-sewing hourly 1750 fen/h, 480 standard minutes, overtime x1.5
#   ws-glove piece GLOVE 33 fen, BOX 120 fen; grades A 100%, B 80%, C 0%
#   post-clean monthly 80000 fen, 22 required days
#
# Hourly, one line per day:
#   03-02 08:00-18:30 = 630 min: 1750 * (480 + 1.5 * 150) / 60 = 1750 * 705 / 60 = 20562.5 -> 20563 (half up)
#   03-03 3 minutes:             1750 * 3 / 60 = 87.5                                          -> 88 (half up)
#   03-04 half_day, no times:    1750 * (480 / 2) / 60 = 7000                                   -> 7000
#   03-05 present 480 min, corrected later to absent                                           -> 0
#   04-01 480 minutes:           1750 * 480 / 60 = 14000                                        -> 14000
# Piece, 03-02 (quantities summed per product and grade, then rounded):
#   GLOVE A 100:          100 * 33 * 100% = 3300
#   GLOVE B 7 + 4 = 11:   11 * 33 * 80% = 290.4 -> 290  (rounding each record apart would give 185 + 106 = 291)
#   BOX B 3:              3 * 120 * 80% = 288
#   BOX C 5:              0
#   BOX A 2, voided:      0
#   day: 3300 + 290 + 288 = 3878
# Monthly, one line per month dated the 1st:
#   March: present 03-02, 03-03, 03-05 and half_day 03-04 = 3.5 credits: 80000 * 3.5 / 22 = 12727.27 -> 12727
#   April: present 04-01 = 1 credit: 80000 / 22 = 3636.36 -> 3636
# March: 20563 + 88 + 7000 + 0 + 3878 + 12727 = 44256
# April: 14000 + 3636 = 17636
# Total: 44256 + 17636 = 61892
MARCH_FEN, APRIL_FEN = 44256, 17636

LI_LINES = [  # (date, site, amount_fen), by date; the order within a date is the order lines were made
    ("2026-03-01", "post-clean", 12727),
    ("2026-03-02", "ws-sewing", 20563),
    ("2026-03-02", "ws-glove", 3878),
    ("2026-03-03", "ws-sewing", 88),
    ("2026-03-04", "ws-sewing", 7000),
    ("2026-03-05", "ws-sewing", 0),
    ("2026-04-01", "ws-sewing", 14000),
    ("2026-04-01", "post-clean", 3636),
]


@pytest.fixture
def li_worked(api, world, build, consume):
    li, sewing, glove, post = world.li, world.sewing, world.glove, world.post
    box_a = build.output(li, glove, "2026-03-02", "BOX", 2, "A")
    march = [
        build.attendance(li, sewing, "2026-03-02", check_in="08:00", check_out="18:30"),
        build.attendance(li, sewing, "2026-03-03", minutes=3),
        build.attendance(li, sewing, "2026-03-04", "half_day"),
        build.attendance(li, sewing, "2026-03-05", minutes=480, time="2026-03-05T18:00:00+08:00"),
        build.output(li, glove, "2026-03-02", "GLOVE", 100, "A"),
        build.output(li, glove, "2026-03-02", "GLOVE", 7, "B"),
        build.output(li, glove, "2026-03-02", "GLOVE", 4, "B"),
        build.output(li, glove, "2026-03-02", "BOX", 3, "B"),
        build.output(li, glove, "2026-03-02", "BOX", 5, "C"),
        box_a,
        *(build.attendance(li, post, day) for day in ("2026-03-02", "2026-03-03", "2026-03-05")),
        build.attendance(li, post, "2026-03-04", "half_day"),
    ]
    assert api.post("/events", {"events": march}).status_code == 202
    consume()
    later = [
        build.void(li, glove, box_a["id"]),
        build.attendance(li, sewing, "2026-03-05", "absent", time="2026-03-06T09:00:00+08:00"),  # correction
        build.attendance(li, sewing, "2026-04-01", minutes=480),
        build.attendance(li, post, "2026-04-01"),
    ]
    assert api.post("/events", {"events": later}).status_code == 202
    consume()
    return world


def in_date_order(lines: list[tuple]) -> list[tuple]:
    """`lines` if they come by date (as the API lists them), sorted within a date to compare."""
    dates = [line[0] for line in lines]
    assert dates == sorted(dates), dates
    return sorted(lines)


def balance(earned: int, period: str | None = None) -> dict:
    # Approval and payment arrive with the pay-period workflow: until then all that is earned is pending.
    return {"period": period, "earned_fen": earned, "approved_fen": 0, "paid_fen": 0, "outstanding_fen": 0,
            "pending_fen": earned}


def test_the_balance_is_what_the_wage_rules_give_by_hand(api, li_worked):
    response = api.get(f"/workers/{li_worked.li}/balance")

    assert response.status_code == 200
    assert response.get_json() == {
        "worker_id": li_worked.li, **balance(MARCH_FEN + APRIL_FEN),
        "periods": [balance(MARCH_FEN, "2026-03"), balance(APRIL_FEN, "2026-04")],
    }


def test_the_balance_of_one_period(api, li_worked):
    march = api.get(f"/workers/{li_worked.li}/balance", period="2026-03").get_json()
    may = api.get(f"/workers/{li_worked.li}/balance", period="2026-05").get_json()

    assert march == {"worker_id": li_worked.li, **balance(MARCH_FEN, "2026-03"),
                     "periods": [balance(MARCH_FEN, "2026-03")]}
    assert may == {"worker_id": li_worked.li, **balance(0, "2026-05"), "periods": []}


@pytest.mark.parametrize("period", ["2026-3", "2026-13", "2026-00", "March", "2026-03-01", ""])
def test_a_bad_period_is_refused(api, world, period):
    response = api.get(f"/workers/{world.li}/balance", period=period)

    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert "period" in response.get_json()["errors"]


def test_a_worker_with_no_work_has_a_zero_balance(api, world):
    assert api.get(f"/workers/{world.wang}/balance").get_json() == {"worker_id": world.wang, **balance(0),
                                                                     "periods": []}


def test_the_wage_lines_are_the_daily_pay_with_the_facts_it_came_from(api, li_worked):
    page = api.get(f"/workers/{li_worked.li}/wages").get_json()

    assert in_date_order([(line["date"], line["site_id"], line["amount_fen"]) for line in page["items"]]) == sorted(
        LI_LINES)
    assert page["next_cursor"] is None
    by_key = {(line["date"], line["site_id"]): line for line in page["items"]}
    overtime = by_key[("2026-03-02", "ws-sewing")]
    assert (overtime["scheme"], overtime["period"], overtime["facts"]["minutes"]) == ("hourly", "2026-03", 630)
    assert by_key[("2026-03-05", "ws-sewing")]["facts"]["status"] == "absent"
    pieces = by_key[("2026-03-02", "ws-glove")]["facts"]["outputs"]
    assert sorted((o["product"], o["grade"], o["quantity"]) for o in pieces) == [
        ("BOX", "B", 3), ("BOX", "C", 5), ("GLOVE", "A", 100), ("GLOVE", "B", 4), ("GLOVE", "B", 7)]
    assert by_key[("2026-03-01", "post-clean")]["facts"] == {"days_recorded": 4, "credits": "3.5",
                                                             "required_days": 22}


def test_the_wage_lines_are_filtered_by_date(api, li_worked):
    page = api.get(f"/workers/{li_worked.li}/wages", **{"from": "2026-03-02", "to": "2026-03-04"}).get_json()

    assert in_date_order([(line["date"], line["amount_fen"]) for line in page["items"]]) == [
        ("2026-03-02", 3878), ("2026-03-02", 20563), ("2026-03-03", 88), ("2026-03-04", 7000)]
    april = api.get(f"/workers/{li_worked.li}/wages", **{"from": "2026-04-01"}).get_json()["items"]
    assert sorted(line["amount_fen"] for line in april) == [3636, 14000]
    assert api.get(f"/workers/{li_worked.li}/wages", to="2026-02-28").get_json()["items"] == []


def test_the_wage_lines_are_paginated_with_limit_and_cursor(api, li_worked):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"/workers/{li_worked.li}/wages", **params).get_json()
        assert len(page["items"]) <= 3
        seen += [(line["date"], line["site_id"], line["amount_fen"]) for line in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert len(set(seen)) == len(seen)  # no line twice across pages
    assert in_date_order(seen) == sorted(LI_LINES)


def test_pagination_and_date_filters_work_together(api, li_worked):
    query = {"from": "2026-03-02", "to": "2026-03-31", "limit": 2}
    first = api.get(f"/workers/{li_worked.li}/wages", **query).get_json()
    rest = api.get(f"/workers/{li_worked.li}/wages", **query, cursor=first["next_cursor"]).get_json()
    last = api.get(f"/workers/{li_worked.li}/wages", **query, cursor=rest["next_cursor"]).get_json()

    lines = [(line["date"], line["amount_fen"]) for page in (first, rest, last) for line in page["items"]]
    assert in_date_order(lines) == [("2026-03-02", 3878), ("2026-03-02", 20563), ("2026-03-03", 88),
                                    ("2026-03-04", 7000), ("2026-03-05", 0)]
    assert last["next_cursor"] is None


def _cursor(*key) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


GARBAGE_CURSORS = {
    "not base64": "garbage!",
    "not json": "bm90IGpzb24=",
    "too short": _cursor("2026-03-02"),
    "too long": _cursor("2026-03-02", 1, 2),
    "id not a number": _cursor("2026-03-02", "seven"),
    "id null": _cursor("2026-03-02", None),
    "id too large": _cursor("2026-03-02", 10**30),
    "negative id": _cursor("2026-03-02", -1),
    "impossible date": _cursor("2026-02-30", 1),
    "date null": _cursor(None, 1),
    "date a number": _cursor(20260302, 1),
}


def test_a_garbage_wage_cursor_is_refused_not_a_server_error(api, world):
    for case, cursor in GARBAGE_CURSORS.items():
        response = api.get(f"/workers/{world.li}/wages", cursor=cursor)

        assert response.status_code == 422, case
        assert response.content_type == "application/problem+json", case
        assert "cursor" in response.get_json()["errors"], case


@pytest.mark.parametrize("query, field", [
    ({"from": "2026-02-30"}, "from"), ({"to": "tomorrow"}, "to"), ({"limit": 0}, "limit"),
    ({"limit": 501}, "limit"), ({"limit": "ten"}, "limit"),
])
def test_bad_wage_query_parameters_are_refused_by_name(api, world, query, field):
    response = api.get(f"/workers/{world.li}/wages", **query)

    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_balances_and_wages_are_read_only_by_those_who_may_read_the_worker(api, li_worked, token):
    glove_supervisor = api.as_token(token("supervisor", li_worked.county, sites=[li_worked.glove]))
    far_supervisor = api.as_token(token("supervisor", li_worked.other_county, sites=[li_worked.far]))
    other_office = api.as_token(token("poverty_office", li_worked.other_county))

    assert glove_supervisor.get(f"/workers/{li_worked.li}/balance").get_json()["earned_fen"] == MARCH_FEN + APRIL_FEN
    for caller in (far_supervisor, other_office):
        assert caller.get(f"/workers/{li_worked.li}/balance").status_code == 403
        assert caller.get(f"/workers/{li_worked.li}/wages").status_code == 403
    assert api.get("/workers/w-nobody/balance").status_code == 404
