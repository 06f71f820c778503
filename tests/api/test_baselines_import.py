"""A county office's baseline file, CSV or XLSX, UTF-8 or GBK, Chinese or English headers: recorded all rows or
none, every bad row and column named, and the same file again changes nothing."""
from __future__ import annotations

import io

from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHINESE = "区划代码,年份,外出务工人数,其中脱贫人口\r\n360702,2025,1180,310\r\n360702101201,2025,95,\r\n"


def send(api, data: bytes, content_type: str = "text/csv"):
    return api.client.post("/api/v1/labour-baselines/import", data=data, content_type=content_type,
                           headers=api._headers())


def baselines(api, region: str) -> list[tuple]:
    return [(b["year"], b["migrant_workers"], b["poor_migrant_workers"], b["source"], b["recorded_at"])
            for b in api.get("/labour-baselines", region=region).get_json()]


def test_a_gbk_file_with_chinese_headers_is_recorded_and_the_same_file_again_changes_nothing(api, world):
    response = send(api, CHINESE.encode("gbk"))

    assert (response.status_code, response.get_json()) == (200, {"rows": 2, "recorded": 2, "unchanged": 0})
    county, village = baselines(api, world.county), baselines(api, world.village)
    assert [row[:4] for row in county + village] == [(2025, 1180, 310, "import"), (2025, 95, None, "import")]

    again = send(api, CHINESE.encode("gbk"))

    assert again.get_json() == {"rows": 2, "recorded": 0, "unchanged": 2}
    assert (baselines(api, world.county), baselines(api, world.village)) == (county, village)


def test_an_xlsx_file_with_english_headers_in_another_order_corrects_a_baseline(api, world):
    send(api, CHINESE.encode("utf-8-sig"))
    book = Workbook()
    book.active.append(["Year", "migrant_workforce", "region_code"])
    book.active.append([2025, 1200, 360702])  # a code kept as a number
    sheet = io.BytesIO()
    book.save(sheet)

    response = send(api, sheet.getvalue(), XLSX)

    assert response.get_json() == {"rows": 1, "recorded": 1, "unchanged": 0}
    assert [row[:3] for row in baselines(api, world.county)] == [(2025, 1200, None)]


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_recorded(api, world):
    text = "区划代码,年份,外出务工人数,其中脱贫人口\n360702,2025,1180,310\n36070X,二〇二五,-3,\n360702,2025,90,95\n"

    response = send(api, text.encode("gbk"))

    assert (response.status_code, response.content_type) == (422, "application/problem+json")
    assert response.get_json()["errors"] == {
        "row 3": {"区划代码": ["a region's code is its digits"], "年份": ["not a whole number: 二〇二五"],
                  "外出务工人数": ["not a whole number of people: -3"]},
        "row 4": {"其中脱贫人口": ["more than the migrant workforce"]}}
    assert baselines(api, world.county) == []


def test_an_unknown_region_a_repeated_row_or_an_unknown_column_takes_nothing(api, world):
    unknown = send(api, b"region_code,year,migrant_workforce\n360702,2025,10\n441900,2025,5\n")
    repeated = send(api, b"region_code,year,migrant_workforce\n360702,2025,10\n360702,2025,11\n")
    column = send(api, b"region_code,year,migrants\n360702,2025,10\n")

    assert unknown.get_json()["errors"] == {"row 3": {"region_code": ["unknown region 441900"]}}
    assert repeated.get_json()["errors"] == {"row 3": {"region_code": [
        "region 360702 and year 2025 already given in an earlier row"]}}
    assert column.get_json()["errors"] == {"header": {
        "migrants": ["not a column of a baseline file"],
        "外出务工人数": ["missing: name it 外出务工人数 or migrant_workforce or migrant_workers"]}}
    assert {unknown.status_code, repeated.status_code, column.status_code} == {422}
    assert baselines(api, world.county) == []


def test_a_file_that_is_neither_csv_nor_xlsx_is_a_bad_request(api, world):
    latin = send(api, b"\x81\x30\x81")  # not UTF-8, and cut short in GB18030
    broken = send(api, b"PK\x03\x04 not a workbook", XLSX)
    kind = send(api, b"{}", "application/json")

    assert (latin.status_code, broken.status_code, kind.status_code) == (400, 400, 415)
    assert latin.content_type == broken.content_type == "application/problem+json"


def test_the_cli_records_a_file_and_names_every_bad_row(app, api, world, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_bytes(CHINESE.encode("gb18030"))
    bad.write_bytes("区划代码,年份,外出务工人数\n360702,1999,10\n".encode("gb18030"))

    first = app.test_cli_runner().invoke(args=["import-baselines", str(good)])
    again = app.test_cli_runner().invoke(args=["import-baselines", str(good)])
    refused = app.test_cli_runner().invoke(args=["import-baselines", str(bad)])

    assert (first.exit_code, first.output) == (0, "2 rows: 2 recorded, 0 unchanged\n")
    assert again.output == "2 rows: 0 recorded, 2 unchanged\n"
    assert refused.exit_code == 1 and "row 2, 年份: not a year from 2000 to 2100: 1999" in refused.output
    assert [row[:3] for row in baselines(api, world.county)] == [(2025, 1180, 310)]
