"""Registry sheets for the import tests: rows as a county office writes them, national ids with a valid check digit,
written as CSV (any encoding, English or Chinese headers) or XLSX, and uploaded to POST /imports/registry."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from stdnum.cn import ric

from app.registry.sheet import COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENGLISH = ["household_number", "village_code", "household_size", "household_status", "name", "national_id", "phone",
           "bank_account", "site_id", "start_date", "end_date", "scheme", "rate_yuan", "required_days"]
CHINESE = {name: COLUMNS[name][0] for name in ENGLISH}
CHINESE_WORDS = {"poor": "脱贫户", "monitored": "监测户", "other": "一般农户", "hourly": "计时工资", "daily": "日工资",
                 "monthly": "月补贴"}


def national_id(n: int, county: str = "360702") -> str:
    """A national id of someone born in the 1980s, distinct for each `n` below 1000 a birthday."""
    body = f"{county}{1980 + n % 10}{1 + n % 12:02d}{1 + n % 28:02d}{n // 10 % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum reads past the check digit's place


def person(n: int, household: str, village: str, size: int = 3, status: str = "poor", **fields) -> dict:
    """A row of a worker and its household (the household's columns as given), without a site unless given."""
    return {"household_number": household, "village_code": village, "household_size": str(size),
            "household_status": status, "name": f"Worker {n}", "national_id": national_id(n),
            "phone": f"1380000{n:04d}", "bank_account": "", **fields}


def employed(row: dict, site: str, start: str = "2026-03-01", scheme: str = "daily", rate: str = "120.00",
             **fields) -> dict:
    return {**row, "site_id": site, "start_date": start, "scheme": scheme, "rate_yuan": rate, **fields}


def sheet(rows: list[dict], chinese: bool = False, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    headers = [CHINESE[name] for name in ENGLISH] if chinese else ENGLISH
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_word(row.get(name, ""), chinese) for name in ENGLISH])
    return out.getvalue().encode(encoding)


def workbook(rows: list[dict], chinese: bool = True) -> bytes:
    book = Workbook()
    page = book.active
    page.append([CHINESE[name] for name in ENGLISH] if chinese else ENGLISH)
    for row in rows:
        page.append([_word(row.get(name, ""), chinese) or None for name in ENGLISH])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(api, content: bytes, content_type: str = "text/csv"):
    headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
    return api.client.post("/api/v1/imports/registry", data=content, content_type=content_type, headers=headers)


def registered(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def counts(answer: dict) -> dict:
    return {name: (answer[name]["added"], answer[name]["unchanged"]) for name in ("households", "workers",
                                                                                  "assignments")}


def _word(value: str, chinese: bool) -> str:
    return CHINESE_WORDS.get(value, value) if chinese else value
