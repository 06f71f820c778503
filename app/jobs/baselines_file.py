"""A county office's file of last year's migrant workforce per region (the baseline of the return-to-work rate),
CSV or XLSX as offices keep it: UTF-8 (a byte-order mark is fine) or GB18030 (which GBK is part of), headers in
Chinese or English, in any order. Read whole, every bad row and column named, and recorded all or none; a row equal
to what is recorded changes nothing, so the same file imported again changes nothing."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import LabourBaseline, Region

MAX_ROWS = 20_000
# a field -> the headers that may name it (English ones in any case)
HEADERS = {
    "region_code": ("区划代码", "region_code"),
    "year": ("年份", "year"),
    "migrant_workers": ("外出务工人数", "migrant_workforce", "migrant_workers"),
    "poor_migrant_workers": ("其中脱贫人口", "其中贫困人口", "贫困外出务工人数", "poor_migrant_workforce",
                             "poor_migrant_workers"),
}
REQUIRED = ("region_code", "year", "migrant_workers")
_FIELD_OF = {header.lower(): field for field, headers in HEADERS.items() for header in headers}


class BaselinesRefused(Exception):
    """The file cannot be taken: `errors` by row ("row 3", counted as a spreadsheet counts them, the header being
    row 1) or "header", then by column as the file names it."""

    def __init__(self, message: str, errors: dict[str, dict[str, list[str]]] | None = None):
        super().__init__(message)
        self.errors = errors or {}


@dataclass(frozen=True)
class BaselineRow:
    row: int
    region_code: str
    year: int
    migrant_workers: int
    poor_migrant_workers: int | None


@dataclass(frozen=True)
class Taken:
    rows: int
    recorded: int  # new or changed
    unchanged: int


def read_baselines(data: bytes) -> list[BaselineRow]:
    """The rows of a CSV or XLSX file. Raises BaselinesRefused for a file that is neither, an unknown or missing
    column, more than MAX_ROWS rows, or any bad cell (all of them, by row and column)."""
    table = _sheet(data) if data.startswith(b"PK\x03\x04") else _csv(data)  # an XLSX file is a zip
    table = [row for row in table if any(_text(cell) for cell in row)]
    if not table:
        raise BaselinesRefused("the file is empty")
    header, body = [_text(cell) for cell in table[0]], table[1:]
    if len(body) > MAX_ROWS:
        raise BaselinesRefused(f"{len(body)} rows; at most {MAX_ROWS} a file")
    columns = _columns(header)
    rows, errors = [], {}
    for number, cells in enumerate(body, start=2):
        found, problems = _row(number, {field: cells[k] if k < len(cells) else None
                                        for field, k in columns.items()})
        if problems:
            errors[f"row {number}"] = {header[columns[field]]: messages for field, messages in problems.items()}
        else:
            rows.append(found)
    for number, region, year in _repeated(rows):
        errors.setdefault(f"row {number}", {})[header[columns["region_code"]]] = [
            f"region {region} and year {year} already given in an earlier row"]
    if errors:
        raise BaselinesRefused("invalid rows; none was taken", dict(sorted(errors.items(), key=_row_order)))
    return rows


def take_baselines(session: Session, rows: list[BaselineRow], recorded_by: str | None,
                   may_record: Callable[[str], bool] = lambda path: True) -> Taken:
    """Record the rows (source "import"), all or none. Raises BaselinesRefused naming the rows of unknown
    regions, and PermissionError naming the regions `may_record` (given a region's path) refuses."""
    paths = dict(session.execute(select(Region.code, Region.path)
                                 .where(Region.code.in_({row.region_code for row in rows}))).all())
    unknown = {f"row {row.row}": {"region_code": [f"unknown region {row.region_code}"]}
               for row in rows if row.region_code not in paths}
    if unknown:
        raise BaselinesRefused("unknown regions; none was taken", unknown)
    refused = sorted(code for code, path in paths.items() if not may_record(path))
    if refused:
        raise PermissionError(f"outside your region: {', '.join(refused)}")
    recorded = 0
    for row in rows:
        baseline = session.get(LabourBaseline, (row.region_code, row.year))
        if baseline is not None and (baseline.migrant_workers, baseline.poor_migrant_workers) == (
                row.migrant_workers, row.poor_migrant_workers):
            continue
        baseline = baseline or LabourBaseline(region_code=row.region_code, year=row.year)
        baseline.migrant_workers, baseline.poor_migrant_workers = row.migrant_workers, row.poor_migrant_workers
        baseline.source, baseline.recorded_by = "import", recorded_by
        session.add(baseline)
        recorded += 1
    session.flush()
    return Taken(len(rows), recorded, len(rows) - recorded)


def _csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")  # what Excel saves a Chinese CSV in
        except UnicodeDecodeError:
            raise BaselinesRefused("neither an XLSX file nor a CSV in UTF-8 or GB18030") from None
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise BaselinesRefused(f"not a CSV file: {error}") from None


def _sheet(data: bytes) -> list[tuple]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds for a file that is not a workbook)
        raise BaselinesRefused("not an XLSX file that can be read") from None
    try:
        return list(book.worksheets[0].iter_rows(values_only=True)) if book.worksheets else []
    finally:
        book.close()


def _columns(header: list[str]) -> dict[str, int]:
    """field -> its column; BaselinesRefused for an unknown, repeated or missing column."""
    columns, errors = {}, {}
    for k, name in enumerate(header):
        field = _FIELD_OF.get(name.lower())
        if field is None or field in columns:
            errors[name or f"column {k + 1}"] = ["not a column of a baseline file" if field is None else "repeated"]
        else:
            columns[field] = k
    for field in REQUIRED:
        if field not in columns:
            errors[HEADERS[field][0]] = [f"missing: name it {' or '.join(HEADERS[field])}"]
    if errors:
        raise BaselinesRefused("the header is not right; no row was taken", {"header": errors})
    return columns


def _row(number: int, cells: dict) -> tuple[BaselineRow | None, dict[str, list[str]]]:
    problems: dict[str, list[str]] = {}
    region = _text(cells["region_code"])
    if not region.isdigit():
        problems["region_code"] = ["a region's code is its digits"]
    year = _count(cells["year"], "year", problems, required=True)
    if year is not None and not 2000 <= year <= 2100:
        problems["year"] = [f"not a year from 2000 to 2100: {year}"]
    migrants = _count(cells["migrant_workers"], "migrant_workers", problems, required=True)
    poor = _count(cells.get("poor_migrant_workers"), "poor_migrant_workers", problems, required=False)
    if migrants is not None and poor is not None and poor > migrants:
        problems["poor_migrant_workers"] = ["more than the migrant workforce"]
    if problems:
        return None, problems
    return BaselineRow(number, region, year, migrants, poor), {}


def _count(cell, field: str, problems: dict, required: bool) -> int | None:
    text = _text(cell).replace(",", "")
    if not text:
        if required:
            problems[field] = ["missing"]
        return None
    try:
        number = float(text) if "." in text else int(text)
    except ValueError:
        problems[field] = [f"not a whole number: {text}"]
        return None
    if number != int(number) or not 0 <= number <= 100_000_000:
        problems[field] = [f"not a whole number of people: {text}"]
        return None
    return int(number)


def _text(cell) -> str:
    """A cell as text: a number a spreadsheet holds as 360702.0 reads 360702."""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "" if cell is None else str(cell).strip()


def _repeated(rows: list[BaselineRow]) -> list[tuple[int, str, int]]:
    seen, repeated = set(), []
    for row in rows:
        if (row.region_code, row.year) in seen:
            repeated.append((row.row, row.region_code, row.year))
        seen.add((row.region_code, row.year))
    return repeated


def _row_order(item: tuple[str, dict]) -> int:
    return int(item[0].removeprefix("row "))
