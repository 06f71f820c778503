"""Work the API refuses at the door (422, nothing staged) and the consumer parks with its reason when it
arrives another way (straight on the bus): a day after today (a day's grace allowed), and a worker's day of
more than 24 hours across sites."""
from __future__ import annotations

import dataclasses
import uuid
from datetime import date

import pytest
from support.event_posts import post_events
from support.registers import logged, refused, register, row, upload

TODAY = date(2026, 3, 20)
WORKER, SHOES, BAMBOO = "ws-shoes-w1", "ws-shoes", "ws-bamboo"  # hourly at both (the second assigned below)
FUTURE = "2026-03-22 is after today (2026-03-20 in China, a day's grace allowed): work is recorded once it is done"


def too_long(day: str) -> str:
    return (f"worker {WORKER} would work 25h00 on {day} across sites (ws-bamboo 10h00, ws-shoes 15h00): "
            "more than 24 hours in a day")


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=TODAY)


@pytest.fixture
def two_sites(api, county):
    api.created("/assignments", {"worker_id": WORKER, "site_id": BAMBOO, "start_date": "2026-03-01",
                                 "scheme": {"kind": "hourly", "rate_fen": 1650}})


def attendance(site: str, day: str, time: str = "2026-03-02T18:00:00+08:00", **data) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "test",
            "time": time, "data": {"worker_id": WORKER, "site_id": site, "date": day, "status": "present", **data}}


def reasons(api) -> list[str]:
    return [letter["reason"] for letter in api.get("/dead-letters").get_json()["items"]]


def shoe_lines(api) -> dict[str, int]:
    """The worker's wage lines at the shoe workshop: amount by day."""
    return {line["date"]: line["amount_fen"] for line in api.get(f"/workers/{WORKER}/wages").get_json()["items"]
            if line["site_id"] == SHOES}


def test_a_day_after_tomorrow_is_parked_by_the_consumer_and_tomorrow_applied(api, two_sites, produce, consume):
    produce(attendance(SHOES, "2026-03-22", minutes=480))
    produce(attendance(SHOES, "2026-03-21", minutes=480))  # tomorrow: the grace
    consume()
    assert reasons(api) == [FUTURE]
    assert shoe_lines(api) == {"2026-03-21": 1800 * 8}


def test_the_api_and_the_register_refuse_a_day_after_tomorrow_and_stage_nothing(api, two_sites, runtime):
    before = logged(runtime)
    response = post_events(api, attendance(SHOES, "2026-03-19", minutes=480), attendance(SHOES, "2026-03-22"))
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.get_json()["errors"] == {"1": {"data": {"date": [FUTURE]}}}
    errors = refused(upload(api, register([row(WORKER, SHOES, "2026-03-19", minutes=480),
                                           row(WORKER, SHOES, "2026-03-22", minutes=480)])))
    assert errors == {"row 3": {"date": [FUTURE]}}
    assert logged(runtime) == before


def test_a_day_longer_than_24_hours_across_sites_is_parked_in_one_batch_and_across_batches(
        api, two_sites, produce, consume):
    produce(attendance(SHOES, "2026-03-10", check_in="07:00", check_out="22:00"))  # 15 hours
    produce(attendance(BAMBOO, "2026-03-10", minutes=600))  # and 10 more
    consume()
    produce(attendance(BAMBOO, "2026-03-11", minutes=600))
    consume()
    produce(attendance(SHOES, "2026-03-11", check_in="07:00", check_out="22:00"))
    consume()
    assert reasons(api) == [too_long("2026-03-10"), too_long("2026-03-11")]
    assert list(shoe_lines(api)) == ["2026-03-10"]


def test_a_correction_that_brings_the_day_back_under_24_hours_lets_the_other_site_in(
        api, two_sites, produce, consume):
    produce(attendance(SHOES, "2026-03-10", minutes=900, time="2026-03-10T22:00:00+08:00"))
    produce(attendance(BAMBOO, "2026-03-10", minutes=600))
    produce(attendance(SHOES, "2026-03-10", minutes=480, time="2026-03-10T23:00:00+08:00"))
    produce(attendance(BAMBOO, "2026-03-10", minutes=600))
    consume()
    assert reasons(api) == [too_long("2026-03-10")]  # the first bamboo day, beside the uncorrected shoe day
    assert shoe_lines(api) == {"2026-03-10": 1800 * 8}
    assert [line["date"] for line in api.get(f"/workers/{WORKER}/wages").get_json()["items"]
            if line["site_id"] == BAMBOO] == ["2026-03-10"]


def test_the_api_refuses_a_day_longer_than_24_hours_within_a_request_and_against_stored_days(
        api, two_sites, consume, runtime):
    before = logged(runtime)
    response = post_events(api, attendance(SHOES, "2026-03-10", minutes=900), attendance(BAMBOO, "2026-03-10",
                                                                                        minutes=600))
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"1": {"data": {"minutes": [too_long("2026-03-10")]}}}
    assert logged(runtime) == before
    assert post_events(api, attendance(SHOES, "2026-03-10", minutes=900)).status_code == 202
    consume()
    refusal = post_events(api, attendance(BAMBOO, "2026-03-10", check_in="08:00", check_out="18:00")).get_json()
    assert refusal["errors"] == {"0": {"data": {"check_out": [too_long("2026-03-10")]}}}
