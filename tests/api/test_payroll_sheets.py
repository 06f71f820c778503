"""GET /sites/{id}/periods/{month}/payroll.csv and .xlsx: one row per worker and the totals, money in fen
(and yuan for people), every text cell safe to open in a spreadsheet program."""
from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from app.db.models import Adjustment

PROBLEM_JSON = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["worker_id", "worker_name", "scheme", "days", "hours", "units", "amount_fen", "adjustments_fen", "adjusts",
          "total_fen", "total_yuan"]
EVIL_NAME = '=HYPERLINK("http://evil","x")'


def post_events(api, *events) -> None:
    response = api.post("/events", {"events": list(events)})
    assert response.status_code == 202, response.get_json()


def sheet_csv(api, site, month) -> list[dict]:
    response = api.get(f"/sites/{site}/periods/{month}/payroll.csv")
    assert response.status_code == 200, response.get_json()
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0] == HEADER
    return [dict(zip(HEADER, values)) for values in rows[1:]]


def sheet_xlsx(api, site, month) -> list[list[openpyxl.cell.Cell]]:
    response = api.get(f"/sites/{site}/periods/{month}/payroll.xlsx")
    assert response.status_code == 200, response.get_json()
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert len(workbook.worksheets) == 1
    rows = list(workbook.active.iter_rows())
    assert [cell.value for cell in rows[0]] == HEADER
    return rows


def by_name(rows: list[list[openpyxl.cell.Cell]]) -> list[dict]:
    return [{name: cell.value for name, cell in zip(HEADER, row)} for row in rows[1:]]


@pytest.fixture
def sewing_march(api, world, build, consume):
    """Li (hourly, 17.50 yuan/h, 480 standard minutes, x1.5 overtime) and Wang (daily, 120 yuan) in March."""
    post_events(
        api,
        build.attendance(world.li, world.sewing, "2026-03-02", check_in="08:00", check_out="17:00"),  # 540 minutes
        build.attendance(world.li, world.sewing, "2026-03-03", minutes=300),
        build.attendance(world.li, world.sewing, "2026-03-04", "half_day"),  # no times: half the standard day
        build.attendance(world.li, world.sewing, "2026-03-05", "absent"),
        build.attendance(world.wang, world.sewing, "2026-03-10"),
        build.attendance(world.wang, world.sewing, "2026-03-11", "half_day"),
        build.attendance(world.wang, world.sewing, "2026-03-12", "leave"),
        build.attendance(world.wang, world.sewing, "2026-04-01"),  # another month: not on March's sheet
    )
    consume()


# Li: 1750 * (480 + 1.5 * 60) / 60 = 16625; 1750 * 300 / 60 = 8750; 1750 * 240 / 60 = 7000; absent 0
LI_MARCH = 16625 + 8750 + 7000
WANG_MARCH = 12000 + 6000


def test_the_csv_sheet_carries_the_hand_computed_amounts_and_totals(api, world, sewing_march):
    rows = sheet_csv(api, world.sewing, "2026-03")

    assert rows == [
        {"worker_id": "w-li", "worker_name": "Li Xiuying", "scheme": "hourly", "days": "2.5", "hours": "18.00",
         "units": "0", "amount_fen": "32375", "adjustments_fen": "0", "adjusts": "", "total_fen": "32375",
         "total_yuan": "323.75"},
        {"worker_id": "w-wang", "worker_name": "Wang Jianguo", "scheme": "daily", "days": "1.5", "hours": "0.00",
         "units": "0", "amount_fen": "18000", "adjustments_fen": "0", "adjusts": "", "total_fen": "18000",
         "total_yuan": "180.00"},
        {"worker_id": "total", "worker_name": "", "scheme": "", "days": "4.0", "hours": "18.00", "units": "0",
         "amount_fen": "50375", "adjustments_fen": "0", "adjusts": "", "total_fen": "50375", "total_yuan": "503.75"},
    ]
    assert LI_MARCH == 32375 and WANG_MARCH == 18000


def test_the_xlsx_sheet_carries_the_same_amounts_as_numbers(api, world, sewing_march):
    rows = sheet_xlsx(api, world.sewing, "2026-03")

    li, wang, total = by_name(rows)
    assert (li["worker_id"], li["days"], li["hours"], li["amount_fen"], li["total_fen"]) == (
        "w-li", 2.5, 18, LI_MARCH, LI_MARCH)
    assert (wang["worker_id"], wang["days"], wang["amount_fen"], wang["total_yuan"]) == ("w-wang", 1.5, WANG_MARCH, 180)
    assert (total["worker_id"], total["days"], total["amount_fen"], total["total_fen"], total["total_yuan"]) == (
        "total", 4, 50375, 50375, 503.75)
    assert all(isinstance(cell.value, int) for row in rows[1:] for cell in row[6:8])  # fen stay whole numbers
    assert {cell.data_type for row in rows[1:] for cell in row[3:8]} == {"n"}


def test_piece_units_and_monthly_day_credits_are_counted(api, world, build, consume):
    post_events(
        api,
        build.output(world.li, world.glove, "2026-03-02", "GLOVE", 40, "B"),  # 40 * 33 * 80% = 1056
        build.output(world.li, world.glove, "2026-03-02", "BOX", 3),  # 3 * 120 = 360
        build.output(world.li, world.glove, "2026-03-03", "GLOVE", 7, "C"),  # grade C pays nothing
        build.attendance(world.li, world.post, "2026-03-02"),
        build.attendance(world.li, world.post, "2026-03-03", "half_day"),
        build.attendance(world.li, world.post, "2026-03-04", "absent"),
    )
    consume()

    [glove, glove_total] = sheet_csv(api, world.glove, "2026-03")
    [post, post_total] = sheet_csv(api, world.post, "2026-03")

    assert (glove["scheme"], glove["units"], glove["days"], glove["amount_fen"]) == ("piece", "50", "0.0", "1416")
    assert (glove_total["units"], glove_total["total_fen"]) == ("50", "1416")
    # 80,000 fen for 22 required days, 1.5 day credits: 80000 * 1.5 / 22 = 5454.5... -> 5455
    assert (post["scheme"], post["days"], post["amount_fen"], post["total_yuan"]) == ("monthly", "1.5", "5455", "54.55")
    assert post_total["total_fen"] == "5455"


def test_a_month_without_work_has_only_the_header_and_zero_totals(api, world):
    assert sheet_csv(api, world.sewing, "2026-03") == [
        {"worker_id": "total", "worker_name": "", "scheme": "", "days": "0.0", "hours": "0.00", "units": "0",
         "amount_fen": "0", "adjustments_fen": "0", "adjusts": "", "total_fen": "0", "total_yuan": "0.00"}]
    assert len(sheet_xlsx(api, world.sewing, "2026-03")) == 2


# --- adjustments ---------------------------------------------------------------------------------------


def test_adjustments_paid_in_the_month_are_added_with_the_months_they_adjust(api, world, runtime, sewing_march):
    with runtime.sessions.begin() as session:
        session.add_all([
            Adjustment(site_id=world.sewing, worker_id=world.wang, adjusts_month="2026-02", in_month="2026-03",
                       amount_fen=2500),
            Adjustment(site_id=world.sewing, worker_id=world.wang, adjusts_month="2026-01", in_month="2026-03",
                       amount_fen=-700),
            Adjustment(site_id=world.sewing, worker_id=world.li, adjusts_month="2026-03", in_month="2026-04",
                       amount_fen=999),  # paid in April: not on March's sheet
        ])

    li, wang, total = sheet_csv(api, world.sewing, "2026-03")
    xlsx_wang = by_name(sheet_xlsx(api, world.sewing, "2026-03"))[1]

    assert (li["adjustments_fen"], li["total_fen"]) == ("0", str(LI_MARCH))
    assert (wang["amount_fen"], wang["adjustments_fen"], wang["adjusts"], wang["total_fen"], wang["total_yuan"]) == (
        "18000", "1800", "2026-01, 2026-02", "19800", "198.00")
    assert (total["amount_fen"], total["adjustments_fen"], total["total_fen"]) == ("50375", "1800", "52175")
    assert (xlsx_wang["adjustments_fen"], xlsx_wang["adjusts"], xlsx_wang["total_fen"]) == (
        1800, "2026-01, 2026-02", 19800)


def test_a_worker_with_only_an_adjustment_in_the_month_has_a_row(api, world, runtime, sewing_march):
    with runtime.sessions.begin() as session:
        session.add(Adjustment(site_id=world.sewing, worker_id=world.li, adjusts_month="2026-03", in_month="2026-05",
                               amount_fen=-1250))

    [li, total] = sheet_csv(api, world.sewing, "2026-05")

    assert (li["worker_id"], li["worker_name"], li["scheme"], li["amount_fen"], li["adjustments_fen"], li["adjusts"],
            li["total_fen"], li["total_yuan"]) == (
        "w-li", "Li Xiuying", "hourly", "0", "-1250", "2026-03", "-1250", "-12.50")
    assert total["total_fen"] == "-1250"


# --- formula injection ---------------------------------------------------------------------------------


@pytest.fixture
def evil_worker(api, world, build, consume) -> str:
    """A worker registered through the API with a name a spreadsheet would run as a formula."""
    created = api.created("/workers", {"id": "w-evil", "household_id": "h-wang", "name": EVIL_NAME})
    assert created["name"] == EVIL_NAME
    api.created("/assignments", {"worker_id": "w-evil", "site_id": world.sewing, "start_date": "2026-03-01",
                                 "scheme": {"kind": "daily", "day_rate_fen": 10000}})
    post_events(api, build.attendance("w-evil", world.sewing, "2026-03-02"))
    consume()
    return "w-evil"


def test_a_formula_in_a_name_comes_out_as_text_in_the_csv(api, world, evil_worker):
    [evil, _total] = sheet_csv(api, world.sewing, "2026-03")

    assert evil["worker_name"] == "'" + EVIL_NAME
    assert evil["total_fen"] == "10000"


def test_a_formula_in_a_name_comes_out_as_text_in_the_xlsx_and_no_cell_is_a_formula(api, world, evil_worker):
    rows = sheet_xlsx(api, world.sewing, "2026-03")

    name = rows[1][HEADER.index("worker_name")]
    assert name.data_type == "s"
    assert name.value == "'" + EVIL_NAME
    assert all(cell.data_type != "f" for row in rows for cell in row)


def test_every_text_cell_that_looks_like_a_formula_is_neutralised(api, world, runtime, consume, build):
    names = {"w-plus": "+1+1", "w-minus": "-2-3", "w-at": "@SUM(A1)", "w-tab": "\tcmd", "w-cr": "\r=1",
             "w-error": "#N/A", "w-plain": "张秀英"}
    for worker_id, name in names.items():
        api.created("/workers", {"id": worker_id, "household_id": "h-wang", "name": name})
    api.created("/workers", {"id": "-1-1", "household_id": "h-wang", "name": "an id that looks like a sum"})
    with runtime.sessions.begin() as session:
        for worker_id in names:
            session.add(Adjustment(site_id=world.sewing, worker_id=worker_id, adjusts_month="2026-02",
                                   in_month="2026-03", amount_fen=100))
        session.add(Adjustment(site_id=world.sewing, worker_id="-1-1", adjusts_month="2026-02", in_month="2026-03",
                               amount_fen=100))

    csv_rows = {row["worker_id"]: row for row in sheet_csv(api, world.sewing, "2026-03")}
    cells = sheet_xlsx(api, world.sewing, "2026-03")
    xlsx_rows = {row["worker_id"]: row for row in by_name(cells)}

    expected = {worker_id: ("'" + name if name[0] in "=+-@\t\r" else name) for worker_id, name in names.items()}
    assert {worker_id: csv_rows[worker_id]["worker_name"] for worker_id in names} == expected
    # XML reads a stored CR back as LF; the apostrophe is what matters
    assert {worker_id: xlsx_rows[worker_id]["worker_name"] for worker_id in names} == {
        worker_id: name.replace("\r", "\n") for worker_id, name in expected.items()}
    assert "'-1-1" in csv_rows and "'-1-1" in xlsx_rows  # ids are text cells too
    text_columns = [HEADER.index(name) for name in ("worker_id", "worker_name", "scheme", "adjusts")]
    assert {row[column].data_type for row in cells for column in text_columns if row[column].value} == {"s"}


# --- the responses -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix, content_type", [("csv", "text/csv; charset=utf-8"), ("xlsx", XLSX)])
def test_the_sheets_are_attachments_of_their_content_type(api, world, suffix, content_type):
    response = api.get(f"/sites/{world.sewing}/periods/2026-03/payroll.{suffix}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == f"attachment; filename=payroll-ws-sewing-2026-03.{suffix}"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_sheets_are_documented(api):
    paths = api.client.get("/api/v1/openapi.json").get_json()["paths"]

    csv_op = paths["/api/v1/sites/{site_id}/periods/{month}/payroll.csv"]["get"]
    xlsx_op = paths["/api/v1/sites/{site_id}/periods/{month}/payroll.xlsx"]["get"]
    assert "text/csv; charset=utf-8" in csv_op["responses"]["200"]["content"]
    assert XLSX in xlsx_op["responses"]["200"]["content"]


# --- who may read them ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_poverty_office_may_not_read_a_payroll_sheet(api, world, token, suffix):
    office = api.as_token(token("poverty_office", world.county))

    response = office.get(f"/sites/{world.sewing}/periods/2026-03/payroll.{suffix}")

    assert response.status_code == 403
    assert response.content_type == PROBLEM_JSON


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_supervisor_of_another_site_may_not_read_its_payroll_sheet(api, world, token, suffix):
    supervisor = api.as_token(token("supervisor", world.county, sites=[world.glove]))

    assert supervisor.get(f"/sites/{world.sewing}/periods/2026-03/payroll.{suffix}").status_code == 403
    assert supervisor.get(f"/sites/{world.glove}/periods/2026-03/payroll.{suffix}").status_code == 200


def test_a_post_manager_reads_the_sheets_of_sites_in_their_region_only(api, world, token):
    manager = api.as_token(token("post_manager", world.county))

    assert manager.get(f"/sites/{world.post}/periods/2026-03/payroll.csv").status_code == 200
    assert manager.get(f"/sites/{world.far}/periods/2026-03/payroll.csv").status_code == 403


def test_an_unknown_site_is_not_found_and_a_bad_month_is_unprocessable(api, world):
    missing = api.get("/sites/ws-nowhere/periods/2026-03/payroll.csv")
    bad_month = api.get(f"/sites/{world.sewing}/periods/2026-13/payroll.xlsx")

    assert (missing.status_code, missing.content_type) == (404, PROBLEM_JSON)
    assert (bad_month.status_code, bad_month.content_type) == (422, PROBLEM_JSON)
    assert "month" in bad_month.get_json()["errors"]


def test_reading_a_sheet_without_a_token_is_unauthorized(api, world):
    assert api.as_token(None).get(f"/sites/{world.sewing}/periods/2026-03/payroll.csv").status_code == 401
