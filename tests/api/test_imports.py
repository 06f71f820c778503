"""POST /imports/attendance: a CSV register becomes one attendance event per row, all rows or none, in any
column order, answered once under its ids or idempotency key."""
from __future__ import annotations

import dataclasses
import io
import json
import time
import uuid
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import select
from support.registers import AFTER_BIG_REGISTERS, COLUMNS, big_register, logged, refused, register, row, taken, upload

from events.bus.log import event_log


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=AFTER_BIG_REGISTERS)


def logged_events(runtime) -> list[dict]:
    with runtime.sessions() as session:
        return [json.loads(value) for value in session.scalars(select(event_log.c.value).order_by(event_log.c.seq))]


def earned(api, worker) -> int:
    return api.get(f"/workers/{worker}/balance").get_json()["earned_fen"]


def daily_pay(rows, worker, day_rate) -> int:
    statuses = Counter(r["status"] for r in rows if r["worker_id"] == worker)
    return statuses["present"] * day_rate + statuses["half_day"] * day_rate // 2


# --- a good register -----------------------------------------------------------------------------------


def test_a_register_becomes_one_attendance_event_per_row(api, world, runtime, consume):
    rows = [
        row(world.wang, world.sewing, "2026-03-10"),
        row(world.wang, world.sewing, "2026-03-11", "half_day"),
        row(world.li, world.sewing, "2026-03-10", check_in="8:00", check_out="17:00"),  # as spreadsheets write it
        row(world.li, world.sewing, "2026-03-11", minutes=300),
    ]
    before = logged(runtime)

    assert taken(upload(api, register(rows))) == {"rows": 4, "accepted": 4, "duplicates": 0}

    assert logged(runtime) == before + 4
    events = logged_events(runtime)[-4:]
    assert {e["type"] for e in events} == {"attendance.recorded"}
    assert {e["source"] for e in events} == {"imports/attendance"}
    assert [e["data"]["date"] for e in events] == [r["date"] for r in rows]
    consume()
    assert earned(api, world.wang) == 12000 + 6000
    # 540 minutes: 480 at 17.50 yuan an hour and 60 at 1.5 times that; then 300 minutes
    assert earned(api, world.li) == 16625 + 8750


def test_a_ten_thousand_row_register_is_taken_whole_and_paid(api, world, runtime, consume):
    rows = big_register(world, 10_000)
    content = register(rows)
    before = logged(runtime)

    started = time.perf_counter()
    response = upload(api, content)
    elapsed = time.perf_counter() - started
    print(f"\n[info] 10,000-row register ({len(content) / 1e6:.2f} MB) taken in {elapsed:.2f} s")

    assert taken(response) == {"rows": 10_000, "accepted": 10_000, "duplicates": 0}
    assert logged(runtime) == before + 10_000
    started = time.perf_counter()
    consume()
    print(f"[info] ... and its 10,000 events applied by the consumer in {time.perf_counter() - started:.2f} s")
    assert earned(api, world.chen) == daily_pay(rows, world.chen, 11000)
    assert earned(api, world.wang) == daily_pay(rows, world.wang, 12000)
    li_sewing_days = [r for r in rows if r["worker_id"] == world.li and r["site_id"] == world.sewing]
    wages = api.get(f"/workers/{world.li}/wages", to=li_sewing_days[199]["date"], limit=500).get_json()["items"]
    assert len([line for line in wages if line["site_id"] == world.sewing]) == 200


def test_a_ten_thousand_row_register_with_one_bad_row_is_refused_whole(api, world, runtime):
    rows = big_register(world, 10_000)
    rows[5000] = {**rows[5000], "date": "2026-02-30"}
    before = logged(runtime)

    errors = refused(upload(api, register(rows)))

    assert errors == {"row 5002": {"date": ["Not a valid date."]}}  # the header is row 1, rows[0] is row 2
    assert logged(runtime) == before
    rows[5000] = {**rows[5000], "date": "2039-12-31"}  # a day no other row has for this worker and site
    assert taken(upload(api, register(rows)))["accepted"] == 10_000


# --- a register's form ---------------------------------------------------------------------------------


def test_columns_come_in_any_order_and_empty_rows_and_a_byte_order_mark_are_ignored(api, world, runtime):
    content = ("\ufeffStatus,date,site_id,worker_id\r\n"
               "present,2026-03-10,ws-sewing,w-wang\r\n"
               ",,,\r\n"
               "\r\n"
               "sick,2026-03-11,ws-sewing,w-wang\r\n").encode()

    assert refused(upload(api, content)) == {"row 5": {"status": ["Must be one of: present, half_day, absent, leave."]}}
    assert taken(upload(api, content.replace(b"sick", b"leave"))) == {"rows": 2, "accepted": 2, "duplicates": 0}


def test_a_register_with_ids_uploaded_again_is_answered_as_duplicates(api, world, runtime):
    rows = [row(world.wang, world.sewing, f"2026-03-1{day}", id=str(uuid.uuid4()), time="2026-03-20T18:00:00+08:00")
            for day in range(3)]
    content = register(rows, COLUMNS + ["id", "time"])
    assert taken(upload(api, content)) == {"rows": 3, "accepted": 3, "duplicates": 0}
    before = logged(runtime)

    assert taken(upload(api, content)) == {"rows": 3, "accepted": 0, "duplicates": 3}
    assert logged(runtime) == before
    rows[1] = {**rows[1], "status": "absent"}  # the same id with other content is a conflict
    assert list(refused(upload(api, register(rows, COLUMNS + ["id", "time"])))) == ["row 3"]


def test_an_import_retried_under_its_idempotency_key_gets_the_first_answer(api, world, runtime):
    content = register([row(world.wang, world.sewing, "2026-03-10")])
    headers = {"Authorization": f"Bearer {api.token}", "Idempotency-Key": "register-2026-03-10"}

    def send():
        return api.client.post("/api/v1/imports/attendance", data=content, content_type="text/csv", headers=headers)

    first = send()
    before = logged(runtime)
    again = send()

    assert taken(first) == taken(again) == {"rows": 1, "accepted": 1, "duplicates": 0}
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert logged(runtime) == before


def test_rows_without_id_or_time_get_a_fresh_id_and_the_upload_time(api, world, runtime):
    rows = [row(world.wang, world.sewing, "2026-03-10", id="", time=""),
            row(world.wang, world.sewing, "2026-03-11", id="6f1c2d44-3b7a-4c55-9a3e-0d2b1c9e8f70",
                time="2026-03-11T18:00:00+08:00")]

    taken(upload(api, register(rows, COLUMNS + ["id", "time"])))

    first, second = logged_events(runtime)[-2:]
    uuid.UUID(first["id"])
    assert first["time"].startswith(str(date.today().year))
    assert (second["id"], second["time"]) == ("6f1c2d44-3b7a-4c55-9a3e-0d2b1c9e8f70", "2026-03-11T10:00:00.000000Z")


def test_a_register_may_come_as_the_file_field_of_a_form(api, world):
    content = register([row(world.wang, world.sewing, "2026-03-10")])
    headers = {"Authorization": f"Bearer {api.token}"}

    response = api.client.post("/api/v1/imports/attendance", data={"file": (io.BytesIO(content), "register.csv")},
                               content_type="multipart/form-data", headers=headers)
    no_file = api.client.post("/api/v1/imports/attendance", data={"other": "x"}, content_type="multipart/form-data",
                              headers=headers)

    assert taken(response) == {"rows": 1, "accepted": 1, "duplicates": 0}
    assert refused(no_file) == {"file": ["Missing data for required field."]}


def test_the_import_is_documented_with_its_csv_body(api):
    operation = api.client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/imports/attendance"]["post"]

    assert {"text/csv", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    assert {"202", "400", "403", "413", "422"} <= set(operation["responses"])
