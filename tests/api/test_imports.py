"""POST /imports/attendance and `flask import-attendance`: a CSV register becomes events, all rows or none,
and every error names its spreadsheet row (the header is row 1) and column."""
from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
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


def logged_events(runtime) -> list[dict]:
    with runtime.sessions() as session:
        return [json.loads(value) for value in session.scalars(select(event_log.c.value).order_by(event_log.c.seq))]


def row(worker, site, day, status="present", **fields) -> dict:
    return {"worker_id": worker, "site_id": site, "date": day, "status": status, **fields}


def earned(api, worker) -> int:
    return api.get(f"/workers/{worker}/balance").get_json()["earned_fen"]


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
    rows[5000] = {**rows[5000], "date": "2099-01-01"}  # a day no other row has for this worker and site
    assert taken(upload(api, register(rows)))["accepted"] == 10_000


# --- every bad row, by row and column -----------------------------------------------------------------


BAD_ROWS = {
    "unknown worker": (lambda w: row("w-nobody", w.sewing, "2026-03-10"), "worker_id"),
    "impossible date": (lambda w: row(w.wang, w.sewing, "2026-02-30"), "date"),
    "date not ISO": (lambda w: row(w.wang, w.sewing, "10/03/2026"), "date"),
    "unknown status": (lambda w: row(w.wang, w.sewing, "2026-03-10", "sick"), "status"),
    "missing status": (lambda w: row(w.wang, w.sewing, "2026-03-10", ""), "status"),
    "check_out before check_in": (
        lambda w: row(w.li, w.sewing, "2026-03-10", check_in="17:00", check_out="08:00"), "check_out"),
    "check_in without check_out": (lambda w: row(w.li, w.sewing, "2026-03-10", check_in="08:00"), "check_out"),
    "minutes not a number": (lambda w: row(w.li, w.sewing, "2026-03-10", minutes="eight hours"), "minutes"),
    "minutes beyond a day": (lambda w: row(w.li, w.sewing, "2026-03-10", minutes="1500"), "minutes"),
    "hourly present without times": (lambda w: row(w.li, w.sewing, "2026-03-10"), "minutes"),
    "no assignment at the site": (lambda w: row(w.chen, w.sewing, "2026-03-10"), "site_id"),
    "before the assignment starts": (lambda w: row(w.wang, w.sewing, "2026-03-09"), "date"),
}


@pytest.mark.parametrize("case", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_bad_row_is_refused_with_its_row_and_column(api, world, runtime, case):
    make, column = case
    good = row(world.wang, world.sewing, "2026-03-12")
    before = logged(runtime)

    errors = refused(upload(api, register([good, make(world)])))

    assert list(errors) == ["row 3"]
    assert list(errors["row 3"]) == [column]
    assert errors["row 3"][column] and all(isinstance(m, str) for m in errors["row 3"][column])
    assert logged(runtime) == before


def test_every_bad_row_is_listed_and_none_is_taken(api, world, runtime):
    rows = [row(world.wang, world.sewing, f"2026-03-{day}") for day in range(10, 20)]
    rows[1] = row("w-nobody", world.sewing, "2026-03-11")
    rows[4] = row(world.wang, world.sewing, "2026-03-14", "sick")
    rows[8] = row(world.wang, world.sewing, "2026-03-18", minutes="-5")
    before = logged(runtime)

    errors = refused(upload(api, register(rows)))

    assert {key: list(columns) for key, columns in errors.items()} == {
        "row 3": ["worker_id"], "row 6": ["status"], "row 10": ["minutes"]}
    assert logged(runtime) == before


def test_the_envelope_columns_id_and_time_are_named_for_their_errors(api, world):
    rows = [row(world.wang, world.sewing, "2026-03-10", id="not-a-uuid", time="2026-03-10T18:00:00+08:00"),
            row(world.wang, world.sewing, "2026-03-11", id=str(uuid.uuid4()), time="2026-03-11 18:00")]

    errors = refused(upload(api, register(rows, COLUMNS + ["id", "time"])))

    assert {key: list(columns) for key, columns in errors.items()} == {"row 2": ["id"], "row 3": ["time"]}


def test_an_unknown_column_is_a_header_error(api, world, runtime):
    content = register([{**row(world.wang, world.sewing, "2026-03-10"), "shift": "day"}], COLUMNS + ["shift"])

    errors = refused(upload(api, content))

    assert list(errors) == ["row 1"]
    assert list(errors["row 1"]) == ["shift"]


def test_a_missing_or_repeated_column_is_a_header_error(api):
    errors = refused(upload(api, b"worker_id,site_id,date,date\r\nw-wang,ws-sewing,2026-03-10,2026-03-11\r\n"))

    assert errors == {"row 1": {"date": ["this column appears more than once"], "status": ["missing column"]}}


def test_a_row_with_more_cells_than_the_header_is_refused_with_the_others(api, world):
    content = (b"worker_id,site_id,date,status\r\n"
               b"w-wang,ws-sewing,2026-03-10,present,surplus\r\n"
               b"w-wang,ws-sewing,2026-03-11,sick\r\n")

    errors = refused(upload(api, content))

    assert {key: list(columns) for key, columns in errors.items()} == {"row 2": ["_row"], "row 3": ["status"]}


def test_two_rows_for_the_same_worker_site_and_day_are_refused(api, world):
    rows = [row(world.wang, world.sewing, "2026-03-10"), row(world.wang, world.sewing, "2026-03-11"),
            row(world.wang, world.sewing, "2026-03-10", "absent")]

    errors = refused(upload(api, register(rows)))

    assert list(errors) == ["row 4"]
    assert "row 2" in errors["row 4"]["date"][0]


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


@pytest.mark.parametrize("content, status", [
    ("worker_id,site_id,date,status\r\nw-wang,ws-sewing,2026-03-10,présent\r\n".encode("latin-1"), 400),
    (b'worker_id,site_id,date,status\r\nw-wang,ws-sewing,2026-03-10,"present\r\n', 400),
    (b'worker_id,site_id,date,status\r\nw-wang,"ws"-sewing,2026-03-10,present\r\n', 400),
    (b"worker_id,site_id,date,status\r\nw-wang,ws-sewing\x00,2026-03-10,present\r\n", 400),
    (b"worker_id,site_id,date,status\r\nw-wang,ws-sewing\xed\xa0\x80,2026-03-10,present\r\n", 400),
    (b"", 422),
    (b"worker_id,site_id,date,status\r\n", 422),
    (b"\xff\xfe\x00\x00", 400),
], ids=["latin-1", "unclosed quote", "stray quote", "NUL", "lone surrogate", "empty", "header only", "binary"])
def test_a_file_that_is_no_utf8_csv_register_is_refused_without_a_server_error(api, world, runtime, content, status):
    before = logged(runtime)

    response = upload(api, content)

    assert response.status_code == status, response.get_json()
    assert response.content_type == PROBLEM_JSON
    assert logged(runtime) == before


def test_a_body_that_is_not_csv_is_an_unsupported_media_type(api, world):
    response = api.post("/imports/attendance", {"worker_id": world.wang})

    assert response.status_code == 415
    assert response.content_type == PROBLEM_JSON


def test_a_register_over_twenty_thousand_rows_is_too_large(api, world, runtime):
    content = b"worker_id,site_id,date,status\r\n" + b"w-wang,ws-sewing,2026-03-10,present\r\n" * 20_001

    response = upload(api, content)

    assert response.status_code == 413
    assert response.content_type == PROBLEM_JSON


# --- who may import ------------------------------------------------------------------------------------


def test_a_supervisor_imports_rows_for_their_own_site(api, world, token):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.sewing]))

    assert taken(upload(supervisor, register([row(world.wang, world.sewing, "2026-03-10")])))["accepted"] == 1


def test_a_supervisor_cannot_import_rows_for_a_site_they_do_not_supervise(api, world, token, runtime):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.sewing]))
    rows = [row(world.wang, world.sewing, "2026-03-10"), row(world.chen, world.far, "2026-03-10")]
    before = logged(runtime)

    response = upload(supervisor, register(rows))

    assert response.status_code == 403
    assert response.content_type == PROBLEM_JSON
    assert world.far in response.get_json()["detail"]
    assert logged(runtime) == before


@pytest.mark.parametrize("role", ["poverty_office", "post_manager"])
def test_offices_that_do_not_log_work_may_not_import_it(api, world, token, role):
    office = api.as_token(token(role, world.county))

    assert upload(office, register([row(world.wang, world.sewing, "2026-03-10")])).status_code == 403


def test_importing_without_a_token_is_unauthorized(api, world):
    response = upload(api.as_token(None), register([row(world.wang, world.sewing, "2026-03-10")]))

    assert response.status_code == 401
    assert response.content_type == PROBLEM_JSON


def test_the_import_is_documented_with_its_csv_body(api):
    operation = api.client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/imports/attendance"]["post"]

    assert {"text/csv", "multipart/form-data"} <= set(operation["requestBody"]["content"])
    assert {"202", "400", "403", "413", "422"} <= set(operation["responses"])


# --- the command line ----------------------------------------------------------------------------------


def test_the_cli_imports_a_register_file(app, world, runtime, tmp_path, consume):
    path = tmp_path / "register.csv"
    path.write_bytes(register([row(world.wang, world.sewing, "2026-03-10"),
                               row(world.wang, world.sewing, "2026-03-11", "half_day")]))
    before = logged(runtime)

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code == 0, result.output
    assert "2 rows: 2 accepted, 0 duplicates" in result.output
    assert logged(runtime) == before + 2


def test_the_cli_refuses_a_bad_register_with_the_row_errors_and_a_failure_exit(app, world, runtime, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(register([row(world.wang, world.sewing, "2026-03-10"),
                               row(world.wang, world.sewing, "2026-13-11"),
                               row("w-nobody", world.sewing, "2026-03-12")]))
    before = logged(runtime)

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code != 0
    assert "row 3, date: Not a valid date." in result.output
    assert "row 4, worker_id: unknown worker w-nobody" in result.output
    assert "none was taken" in result.output
    assert logged(runtime) == before


def test_the_cli_shows_its_progress_on_a_large_register(app, world, runtime, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(register(big_register(world, 1500)))

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code == 0, result.output
    assert "checking rows" in result.output
    assert "1500 rows: 1500 accepted" in result.output


def test_the_cli_refuses_a_file_that_is_not_utf8(app, world, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes("worker_id,site_id,date,status\nw-wang,ws-sewing,2026-03-10,présent\n".encode("latin-1"))

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code != 0
    assert "not UTF-8" in result.output
