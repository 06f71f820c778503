"""`bin/bench --only import [--import-rows N]`: a county's registry sheet of N rows (a worker a row, four workers a
household, seven in ten employed at a site; GB18030 with Chinese headers, as an office's Excel writes it) imported
as `flask import-registry` does it (app.registry.imports: read, check, encrypt, write, commit), on the embedded
default (SQLite) and on PostgreSQL; then the same sheet again (which changes nothing). Beside each, the floor
measured in the same run: the same rows written bare into a fresh database of the same schema, executemany on
SQLite and COPY on PostgreSQL, nothing checked or encrypted."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from datetime import UTC, date, datetime, timedelta

import psycopg
from stdnum import luhn
from stdnum.cn import ric

from app.db.models.types import new_id
from app.migrate import upgrade_database
from app.runtime import build_runtime
from app.settings import Settings
from bench.load import copy_rows, libpq
from bench.services import DATA_KEY, VAR

COUNTY = "360702"
VILLAGES = 100
SITES = 40  # workshops; every tenth site is a public-welfare post
HEADERS = ("户编号", "村代码", "家庭人口", "户类型", "姓名", "身份证号", "手机号", "银行卡号", "站点", "开始日期",
           "工资方式", "工资标准(元)", "应出勤天数")
STATUSES = {"脱贫户": "poor", "监测户": "monitored", "一般农户": "other"}
TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def run_registry_import(services, rows: int) -> dict:
    content, table = sheet(rows)
    out: dict = {"rows": rows, "bytes": len(content), "sqlite": {}, "postgresql": {}}
    VAR.mkdir(parents=True, exist_ok=True)
    for name, url in (("sqlite", _sqlite_url("import")), ("postgresql", services.postgres.create_database("bi"))):
        out[name] = measure_import(url, content)
    for name, url in (("sqlite", _sqlite_url("floor")), ("postgresql", services.postgres.create_database("bi_floor"))):
        out[name]["floor_s"] = measure_floor(url, table)
    for database in ("bi", "bi_floor"):
        services.postgres.drop_database(database)
    return out


def sheet(rows: int) -> tuple[bytes, dict[str, list[dict]]]:
    """The sheet's bytes, and the rows of each table it makes (for the floor)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    table: dict[str, list[dict]] = {"households": [], "workers": [], "assignments": []}
    for i in range(rows):
        village, number = f"{COUNTY}{i // 4 % VILLAGES:06d}", f"{i // 4 // VILLAGES:05d}"
        household, size, status = f"{village}-{number}", 4 + i // 4 % 3, list(STATUSES)[i // 4 % 3]
        national_id, phone, account = _national_id(i), f"139{i:08d}", _account(i)
        site = f"site-{i % SITES:02d}" if i % 10 < 7 else ""
        post = i % SITES % 10 == 0
        scheme = ("月补贴", "800", "22") if post else ("日工资", "120.00", "")
        writer.writerow([number, village, size, status, f"务工人员{i}", national_id, phone, account, site,
                         "2026-03-01" if site else "", *(scheme if site else ("", "", ""))])
        if i % 4 == 0:
            table["households"].append({"id": household, "region_code": village, "size": size,
                                        "status": STATUSES[status], "created_at": NOW})
        worker = new_id()
        table["workers"].append({"id": worker, "household_id": household, "name": f"务工人员{i}",
                                 "national_id_encrypted": national_id, "national_id_hash": national_id,
                                 "phone_encrypted": phone, "bank_account_encrypted": account, "created_at": NOW})
        if site:
            table["assignments"].append({"id": new_id(), "worker_id": worker, "site_id": site,
                                         "start_date": date(2026, 3, 1), "end_date": None,
                                         "scheme": {"kind": "daily", "day_rate_fen": 12000}, "created_at": NOW})
    return out.getvalue().encode("gb18030"), table


def measure_import(url: str, content: bytes) -> dict:
    """The import of `content`, twice, into the county of `url` (migrated, villages and sites registered)."""
    from app.registry.imports import NATIONWIDE, import_registry, read_sheet
    from app.registry.sheet import sheet_rows

    _prepare(url)
    runtime = build_runtime(Settings(database_url=url, bus="embedded", log_level="WARNING", data_keys=DATA_KEY,
                                     fixed_today=TODAY))
    out: dict = {}
    try:
        for run in ("first", "again"):
            started = time.perf_counter()
            parsed = read_sheet(sheet_rows(content), TODAY)
            checked = time.perf_counter()
            with runtime.sessions.begin() as session:
                result = import_registry(session, parsed, NATIONWIDE)
            done = time.perf_counter()
            out[run] = {"seconds": round(done - started, 2), "read_s": round(checked - started, 2),
                        "check_and_write_s": round(done - checked, 2), "changed": result.changed,
                        "workers_added": result.workers.added, "assignments_added": result.assignments.added}
    finally:
        runtime.close()
    return out


def measure_floor(url: str, table: dict[str, list[dict]]) -> float:
    """The same rows written bare: executemany (SQLite) or COPY (PostgreSQL), one transaction."""
    _prepare(url)
    started = time.perf_counter()
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1])
        for name, rows in table.items():
            columns = list(rows[0])
            conn.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                             [tuple(_sqlite(row[c]) for c in columns) for row in rows])
        conn.commit()
        conn.close()
    else:
        with psycopg.connect(libpq(url)) as conn:
            for name, rows in table.items():
                copy_rows(conn, name, tuple(rows[0]), rows)
            conn.commit()
    return round(time.perf_counter() - started, 2)


def _prepare(url: str) -> None:
    """Migrated, with the county, its villages and its sites."""
    upgrade_database(url)
    regions = [(COUNTY, "县", "county", None, f"/{COUNTY}/")] + [
        (f"{COUNTY}{v:06d}", f"村{v}", "village", COUNTY, f"/{COUNTY}/{COUNTY}{v:06d}/") for v in range(VILLAGES)]
    sites = [(f"site-{s:02d}", "post" if s % 10 == 0 else "workshop", f"站点{s}", f"{COUNTY}{s % VILLAGES:06d}")
             for s in range(SITES)]
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.split("///", 1)[1])
        conn.executemany("INSERT INTO regions (code, name, level, parent_code, path) VALUES (?,?,?,?,?)", regions)
        conn.executemany("INSERT INTO sites (id, kind, name, region_code, created_at) VALUES (?,?,?,?,?)",
                         [(*site, _sqlite(NOW)) for site in sites])
        conn.commit()
        conn.close()
        return
    with psycopg.connect(libpq(url)) as conn:
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO regions (code, name, level, parent_code, path) VALUES (%s,%s,%s,%s,%s)",
                               regions)
            cursor.executemany("INSERT INTO sites (id, kind, name, region_code, created_at) VALUES (%s,%s,%s,%s,%s)",
                               [(*site, NOW) for site in sites])
        conn.commit()


def _national_id(i: int) -> str:
    body = f"{COUNTY}{(date(1970, 1, 1) + timedelta(days=i % 10000)):%Y%m%d}{i // 10000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _account(i: int) -> str:
    body = f"621700{i:012d}"
    return body + luhn.calc_check_digit(body)


def _sqlite_url(tag: str) -> str:
    path = VAR / f"registry-import-{tag}.db"
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _sqlite(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value)
    return value
