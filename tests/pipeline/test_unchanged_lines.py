"""A recomputed wage line is written only when its pay or its facts change: a correction that changes
neither leaves the line as it was (its updated_at too); one that changes the pay, or only the facts
the pay came from, rewrites it."""
from __future__ import annotations

from sqlalchemy import select

from app.db.models import WageLine

CLEANER, WANG = "post-clean", "post-clean-w1"  # monthly 80,000 fen over 22 days
SHOES, LI = "ws-shoes", "ws-shoes-w1"  # hourly 1,800 fen


def attendance(n: int, day: str, status: str, time: str, worker: str = WANG, site: str = CLEANER, **data) -> dict:
    return {"specversion": "1.0", "id": f"00000000-0000-4000-8000-{n:012d}", "type": "attendance.recorded",
            "source": "test", "time": f"{day}T{time}+08:00",
            "data": {"worker_id": worker, "site_id": site, "date": day, "status": status, **data}}


def post(api, *events: dict) -> None:
    response = api.post("/events", {"events": list(events)})
    assert response.status_code == 202, response.get_json()


def march_line(runtime, worker: str = WANG) -> tuple[int, dict, object]:
    with runtime.sessions() as session:
        (line,) = session.scalars(select(WageLine).where(WageLine.worker_id == worker)).all()
        return line.amount_fen, line.facts, line.updated_at


def test_a_correction_that_changes_no_pay_leaves_the_line_unwritten(api, county, consume, runtime):
    post(api, attendance(1, "2026-03-02", "present", "18:00:00"), attendance(2, "2026-03-03", "present", "18:00:00"))
    consume()
    before = march_line(runtime)
    assert before[0] == 7_273 and before[1]["days_recorded"] == 2  # 80,000 x 2/22

    post(api, attendance(3, "2026-03-02", "present", "19:00:00"))  # a later record of the same day, same status
    consume()
    assert march_line(runtime) == before

    post(api, attendance(4, "2026-03-03", "half_day", "19:00:00"))
    consume()
    amount, facts, updated_at = march_line(runtime)
    assert (amount, facts["credits"]) == (5_455, "1.5") and updated_at > before[2]  # 80,000 x 1.5/22


def test_a_correction_that_changes_only_the_facts_rewrites_the_line(api, county, consume, runtime):
    post(api, attendance(1, "2026-03-02", "present", "18:00:00", LI, SHOES, minutes=480))
    consume()
    before = march_line(runtime, LI)
    assert before[0] == 14_400 and before[1]["attendance_event_id"].endswith("000000000001")

    post(api, attendance(2, "2026-03-02", "present", "19:00:00", LI, SHOES, minutes=480))  # same pay, another record
    consume()
    amount, facts, updated_at = march_line(runtime, LI)
    assert amount == 14_400 and facts["attendance_event_id"].endswith("000000000002") and updated_at > before[2]
