"""no_work from real events: a day of work is a present or half day, or a day with output; a site's recorded
days are those with attendance or output, so a piece-rate site that records only output is watched too."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

DAYS = [date(2026, 5, 1) + timedelta(days=n) for n in range(14)]  # the last 10 are what the rule looks at
AS_OF = "2026-05-20"


def site_of(api, site_id: str, scheme: dict, workers: list[str]) -> None:
    api.created("/regions", {"code": "360731", "name": "Yudu", "level": "county"})
    api.created("/regions", {"code": "360731101201", "name": "Pantian", "level": "village",
                             "parent_code": "360731"})
    api.created("/sites", {"id": site_id, "kind": "workshop", "name": site_id, "region_code": "360731101201"})
    api.created("/households", {"id": "hh-1", "region_code": "360731101201", "size": 4, "status": "poor"})
    for worker in workers:
        api.created("/workers", {"id": worker, "household_id": "hh-1", "name": worker})
        api.created("/assignments", {"worker_id": worker, "site_id": site_id, "start_date": "2026-01-01",
                                     "scheme": scheme})


def event(n: int, type_: str, data: dict, day: date | None = None) -> dict:
    return {"specversion": "1.0", "id": f"00000000-0000-4000-8000-{n:012d}", "type": type_, "source": "test",
            "time": f"{day or data['date']}T18:00:00Z", "data": data}


def output(n: int, worker: str, day: date, quantity: int = 5) -> dict:
    return event(n, "output.recorded", {"worker_id": worker, "site_id": "bamboo", "date": day.isoformat(),
                                        "product": "basket", "quantity": quantity})


def attendance(n: int, worker: str, day: date, status: str) -> dict:
    return event(n, "attendance.recorded", {"worker_id": worker, "site_id": "tea", "date": day.isoformat(),
                                            "status": status})


def no_work_alerts(api, consume, events: list[dict]) -> dict[str, dict]:
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    response = api.post("/alerts/evaluate", {"month": "2026-05", "as_of": AS_OF})
    assert response.status_code == 200, response.get_json()
    return {a["subject_id"]: a["detail"] for a in response.get_json()["alerts"] if a["kind"] == "no_work"}


def test_a_piece_worker_who_stops_producing_at_an_output_only_site_is_flagged(api, consume):
    site_of(api, "bamboo", {"kind": "piece", "rates": {"basket": 450}}, ["huang", "zhou"])
    events = [output(n, "huang", day) for n, day in enumerate(DAYS)]
    events += [output(100 + n, "zhou", day) for n, day in enumerate(DAYS[:3])]  # stops after three days
    alerts = no_work_alerts(api, consume, events)
    assert set(alerts) == {"zhou"}
    assert alerts["zhou"]["days"] == [day.isoformat() for day in DAYS[-10:]]
    assert alerts["zhou"]["last_worked_on"] == DAYS[2].isoformat()
    assert alerts["zhou"]["site_id"] == "bamboo"


def test_a_piece_worker_who_keeps_producing_is_not_flagged(api, consume):
    site_of(api, "bamboo", {"kind": "piece", "rates": {"basket": 450}}, ["huang", "zhou"])
    events = [output(n, "huang", day) for n, day in enumerate(DAYS)]
    events += [output(100 + n, "zhou", day) for n, day in enumerate(DAYS[::4])]  # a basket every fourth day
    assert no_work_alerts(api, consume, events) == {}


@pytest.mark.parametrize(("status", "flagged"), [("absent", True), ("leave", True), ("half_day", False)])
def test_an_attendance_site_flags_a_worker_without_a_present_or_half_day(api, consume, status, flagged):
    site_of(api, "tea", {"kind": "daily", "day_rate_fen": 12000}, ["sun", "zhao"])
    events = [attendance(n, "sun", day, "present") for n, day in enumerate(DAYS)]
    events += [attendance(100 + n, "zhao", day, "present" if n < 3 else status) for n, day in enumerate(DAYS)]
    alerts = no_work_alerts(api, consume, events)
    assert set(alerts) == ({"zhao"} if flagged else set())
    if flagged:
        assert alerts["zhao"]["days"] == [day.isoformat() for day in DAYS[-10:]]
        assert alerts["zhao"]["last_worked_on"] == DAYS[2].isoformat()


def test_voided_output_is_no_day_of_work(api, consume):
    site_of(api, "bamboo", {"kind": "piece", "rates": {"basket": 450}}, ["huang", "zhou"])
    events = [output(n, "huang", day) for n, day in enumerate(DAYS)]
    events += [output(100, "zhou", DAYS[1]), output(101, "zhou", DAYS[-1])]
    events.append(event(200, "output.voided", {"worker_id": "zhou", "site_id": "bamboo", "output_id": events[-1]["id"],
                                               "reason": "counted twice"}, DAYS[-1]))
    alerts = no_work_alerts(api, consume, events)
    assert set(alerts) == {"zhou"} and alerts["zhou"]["last_worked_on"] == DAYS[1].isoformat()
