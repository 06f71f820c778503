"""POST /imports/attendance refuses a bad register whole: every error names its spreadsheet row (the header is
row 1) and column; a file that is no UTF-8 or GB18030 CSV, or too large, is refused without a server error."""
from __future__ import annotations

import uuid

import pytest
from support.registers import COLUMNS, PROBLEM_JSON, logged, refused, register, row, upload

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


@pytest.mark.parametrize("content, status", [
    (b"worker_id,site_id,date,status\r\nw-wang,ws-sewing,2026-03-10,pr\xff\xffsent\r\n", 400),
    (b'worker_id,site_id,date,status\r\nw-wang,ws-sewing,2026-03-10,"present\r\n', 400),
    (b'worker_id,site_id,date,status\r\nw-wang,"ws"-sewing,2026-03-10,present\r\n', 400),
    (b"worker_id,site_id,date,status\r\nw-wang,ws-sewing\x00,2026-03-10,present\r\n", 400),
    (b"worker_id,site_id,date,status\r\nw-wang,ws-sewing\xed\xa0\x80,2026-03-10,present\r\n", 400),
    (b"", 422),
    (b"worker_id,site_id,date,status\r\n", 422),
    (b"\xff\xfe\x00\x00", 400),
], ids=["not text", "unclosed quote", "stray quote", "NUL", "lone surrogate", "empty", "header only", "binary"])
def test_a_file_that_is_no_csv_register_is_refused_without_a_server_error(api, world, runtime, content, status):
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
