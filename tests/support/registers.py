"""Attendance registers as CSV for the import tests: write them, upload them, read the answer and what was logged."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from events.bus.log import event_log

PROBLEM_JSON = "application/problem+json"
COLUMNS = ["worker_id", "site_id", "date", "status", "check_in", "check_out", "minutes"]


def register(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def upload(api, content: bytes, content_type: str = "text/csv"):
    headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
    return api.client.post("/api/v1/imports/attendance", data=content, content_type=content_type, headers=headers)


def taken(response) -> dict:
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def refused(response) -> dict:
    assert response.status_code == 422, response.get_json()
    assert response.content_type == PROBLEM_JSON
    return response.get_json()["errors"]


def logged(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(event_log))


def row(worker, site, day, status="present", **fields) -> dict:
    return {"worker_id": worker, "site_id": site, "date": day, "status": status, **fields}


# big_register's days run from 2026-03-01 for years (ten thousand rows reach 2035): tests that take one judge it
# as of this day (STABLEWORK_TODAY), as no work after tomorrow is taken.
AFTER_BIG_REGISTERS = date(2040, 1, 1)


def big_register(world, count: int) -> list[dict]:
    """`count` rows across the world's workers and days from 2026-03-01, one per worker, site and day."""
    statuses = ["present", "present", "present", "half_day", "absent", "leave"]
    rows: list[dict] = []
    day = date(2026, 3, 1)
    while len(rows) < count:
        status = statuses[day.toordinal() % len(statuses)]
        iso = day.isoformat()
        rows.append(row(world.chen, world.far, iso, status))
        rows.append(row(world.li, world.post, iso, status))
        if status == "present":
            rows.append(row(world.li, world.sewing, iso, status, check_in="08:00", check_out="17:30"))
        else:
            rows.append(row(world.li, world.sewing, iso, status, minutes=240 if status == "half_day" else ""))
        if date(2026, 3, 10) <= day <= date(2026, 6, 30):
            rows.append(row(world.wang, world.sewing, iso, status))
        day += timedelta(days=1)
    return rows[:count]
