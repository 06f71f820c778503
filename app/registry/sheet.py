"""The registry sheet a county office keeps: one row per worker, the household's columns repeated on each of its
workers' rows, and optionally the site the worker is employed at (a worker employed at two sites has two rows).
Read into households, workers and assignments checked as the API checks them (its schemas, the identity checks),
every error kept by spreadsheet row and by the column's header as the file writes it.

Headers are English or Chinese (`COLUMNS`), in any order; household statuses and wage schemes are English or
Chinese words (`STATUS_WORDS`, `SCHEME_WORDS`). A household is named by its village and its number in the
village: its id is `<village code>-<household number>`."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import marshmallow as ma

import payroll
from app.registry.workers import WorkerRefused, check_worker_numbers
from app.sheets import HEADER_ROW, read_table

# English header -> its Chinese headers (the glossary's words)
COLUMNS: dict[str, tuple[str, ...]] = {
    "household_number": ("户编号", "户号"),
    "village_code": ("村代码", "村编码"),
    "household_size": ("家庭人口",),
    "household_status": ("户类型",),
    "worker_id": ("人员编号", "工号"),
    "name": ("姓名",),
    "national_id": ("身份证号", "身份证号码"),
    "phone": ("手机号",),
    "bank_account": ("银行卡号",),
    "site_id": ("站点", "站点编号"),
    "start_date": ("开始日期",),
    "end_date": ("结束日期",),
    "scheme": ("工资方式",),
    "rate_yuan": ("工资标准(元)", "工资标准（元）", "工资标准"),
    "required_days": ("应出勤天数",),
}
REQUIRED = ("household_number", "village_code", "household_size", "household_status", "name", "national_id")
ASSIGNMENT_COLUMNS = ("site_id", "start_date", "end_date", "scheme", "rate_yuan", "required_days")
STATUS_WORDS = {"脱贫户": "poor", "监测户": "monitored", "防止返贫监测对象": "monitored", "一般农户": "other"}
SCHEME_WORDS = {"计时工资": "hourly", "计时": "hourly", "日工资": "daily", "月补贴": "monthly", "计件工资": "piece"}
RATE_FIELD = {"hourly": "rate_fen", "daily": "day_rate_fen", "monthly": "stipend_fen"}
HOUSEHOLD_NUMBER = re.compile(r"[A-Za-z0-9_.-]{1,31}")  # with the village code, an id of at most 64 characters
_WHOLE = re.compile(r"[+-]?\d{1,9}")
_HEADERS = {word: name for name, words in COLUMNS.items() for word in (name, *words)}
_CHUNK = 500  # rows read between two progress reports

Errors = dict[str, list[str]]
Progress = Callable[[int], None]


class SheetRejected(ValueError):
    """The sheet cannot be read as a registry; `errors` maps "row N" to {column: [messages]}."""

    def __init__(self, errors: dict[str, Errors]):
        super().__init__(f"{len(errors)} invalid row(s)")
        self.errors = errors


class SheetTooLarge(ValueError):
    """More rows than an upload may hold."""


@dataclass
class SheetRow:
    row: int
    household: dict[str, Any]
    worker: dict[str, Any]
    assignment: dict[str, Any] | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class Sheet:
    """The rows that read well, the header each column has in the file, and every error by row and column."""

    rows: list[SheetRow]
    headers: dict[str, str]
    errors: dict[int, Errors] = field(default_factory=dict)
    schemas: dict[str, ma.Schema] = field(default_factory=dict, repr=False)
    checked: dict[tuple, dict | None] = field(default_factory=dict, repr=False)  # cells read already -> their value

    def refuse(self, row: int, column: str, message: str) -> None:
        self.errors.setdefault(row, {}).setdefault(self.headers.get(column, column), []).append(message)

    def rejected(self) -> SheetRejected:
        return SheetRejected({f"row {row}": self.errors[row] for row in sorted(self.errors)})


def sheet_rows(content: bytes, max_rows: int | None = None) -> list[tuple[int, list[str]]]:
    """The header and the non-empty rows of a CSV file or workbook (app.sheets), each with its row number;
    SheetTooLarge for more than `max_rows` rows below the header."""
    rows = [(row, cells) for row, cells in read_table(content) if row == HEADER_ROW or any(cells)]
    if max_rows is not None and len(rows) > max_rows + 1:
        raise SheetTooLarge(f"at most {max_rows} rows per upload: split the sheet, or import it with the command line")
    return rows


def read_sheet(rows: list[tuple[int, list[str]]], today: date, progress: Progress | None = None) -> Sheet:
    """The rows of `sheet_rows` checked one by one (SheetRejected for a header that is not right); the errors of
    the rows that did not read well are in `Sheet.errors`."""
    # The API's own schemas, so that a row is checked as a POST of it would be; imported here, as the API's
    # package imports this module's callers.
    from app.api.schemas.registry import AssignmentIn, HouseholdIn, WorkerIn

    names = rows[0][1] if rows else []
    columns = _read_header(names)
    sheet = Sheet([], {column: name for column, name in zip(columns, names) if column},
                  schemas={"household": HouseholdIn(), "worker": WorkerIn(), "assignment": AssignmentIn()})
    count = 0
    for row, cells in rows[1:]:
        count += 1
        if len(cells) > len(columns) and any(cells[len(columns):]):
            sheet.refuse(row, "_row", f"{len(cells)} cells, but the header names {len(columns)}")
        else:
            _read_row(sheet, row, dict(zip(columns, cells)), today)
        if progress is not None and count % _CHUNK == 0:
            progress(_CHUNK)
    if progress is not None:
        progress(count % _CHUNK)
    if count == 0:
        raise SheetRejected({f"row {HEADER_ROW + 1}": {"_row": ["the sheet has no rows below its header"]}})
    return sheet


def _read_header(names: list[str]) -> list[str]:
    columns = [_HEADERS.get(name, _HEADERS.get(name.lower(), "")) for name in names]
    problems: Errors = {}
    for position, (name, column) in enumerate(zip(names, columns), start=1):
        if not name:
            if position < len(names) and any(names[position:]):
                problems[f"column {position}"] = ["a column without a name"]
        elif not column:
            problems[name] = [f"unknown column; the columns are {', '.join(COLUMNS)} or their Chinese names"]
        elif columns.count(column) > 1:
            problems[name] = ["this column appears more than once"]
    for column in REQUIRED:
        if column not in columns:
            problems[column] = [f"missing column ({' / '.join(COLUMNS[column])})"]
    if problems:
        raise SheetRejected({f"row {HEADER_ROW}": problems})
    return columns


def _read_row(sheet: Sheet, row: int, cells: dict[str, str], today: date) -> None:
    before = len(sheet.errors)
    household = _household(sheet, row, cells)
    worker = _load(sheet, row, sheet.schemas["worker"], {
        "household_id": household["id"] if household else "-", "name": cells["name"],
        "national_id": cells["national_id"] or None, "phone": cells.get("phone") or None,
        "bank_account": cells.get("bank_account") or None, **({"id": w} if (w := cells.get("worker_id")) else {})},
        {"household_id": "household_number", "id": "worker_id"})
    warnings: list[str] = []
    if worker is not None:
        if worker["national_id"] is None:
            sheet.refuse(row, "national_id", "a worker is registered by national id: it names them on a re-import")
        try:
            warnings = check_worker_numbers(worker, today)
        except WorkerRefused as refused:
            for column, messages in refused.errors.items():
                for message in messages:
                    sheet.refuse(row, column, message)
    assignment = _assignment(sheet, row, cells) if any(cells.get(name) for name in ASSIGNMENT_COLUMNS) else None
    if len(sheet.errors) == before:
        sheet.rows.append(SheetRow(row, household, worker, assignment, warnings))


def _household(sheet: Sheet, row: int, cells: dict[str, str]) -> dict | None:
    """A household's columns, checked once for all the rows of its workers that repeat them alike."""
    key = ("household", *(cells[name] for name in REQUIRED[:4]))
    if key not in sheet.checked:
        sheet.checked[key] = _check_household(sheet, row, cells)
    elif sheet.checked[key] is None:  # its errors are told on the first row that wrote these cells
        _check_household(sheet, row, cells)
    return sheet.checked[key]


def _check_household(sheet: Sheet, row: int, cells: dict[str, str]) -> dict | None:
    number, village = cells["household_number"], cells["village_code"]
    if not HOUSEHOLD_NUMBER.fullmatch(number):
        sheet.refuse(row, "household_number", "1-31 letters, digits, '_', '.' or '-'")
        return None
    size = cells["household_size"]
    return _load(sheet, row, sheet.schemas["household"], {
        "id": f"{village}-{number}", "region_code": village, "size": int(size) if _WHOLE.fullmatch(size) else size,
        "status": STATUS_WORDS.get(cells["household_status"], cells["household_status"])},
        {"id": "household_number", "region_code": "village_code", "size": "household_size",
         "status": "household_status"})


def _assignment(sheet: Sheet, row: int, cells: dict[str, str]) -> dict | None:
    """The terms of an employment, checked once for all the rows that write them alike (a site's workers)."""
    key = ("assignment", *(cells.get(name, "") for name in ASSIGNMENT_COLUMNS))
    if key not in sheet.checked:
        sheet.checked[key] = _check_assignment(sheet, row, cells)
    elif sheet.checked[key] is None:
        _check_assignment(sheet, row, cells)
    return None if sheet.checked[key] is None else dict(sheet.checked[key])


def _check_assignment(sheet: Sheet, row: int, cells: dict[str, str]) -> dict | None:
    kind = SCHEME_WORDS.get(cells.get("scheme", ""), cells.get("scheme", ""))
    if kind == "piece":
        sheet.refuse(row, "scheme", "a piece rate names its products and their rates: employ such a worker through "
                                    "the API or the pages")
        return None
    if kind not in RATE_FIELD:
        sheet.refuse(row, "scheme", f"one of {', '.join(RATE_FIELD)} ({', '.join(SCHEME_WORDS)})")
        return None
    scheme: dict[str, Any] = {"kind": kind}
    rate = _fen(sheet, row, cells.get("rate_yuan", ""))
    if rate is not None:
        scheme[RATE_FIELD[kind]] = rate
    if kind == "monthly":
        days = cells.get("required_days", "")
        if not _WHOLE.fullmatch(days):
            sheet.refuse(row, "required_days", "a monthly stipend needs the days a month requires (a whole number)")
            return None
        scheme["required_days"] = int(days)
    assignment = _load(sheet, row, sheet.schemas["assignment"], {
        "worker_id": "-", "site_id": cells.get("site_id", ""), "start_date": cells.get("start_date", ""),
        "end_date": cells.get("end_date") or None, "scheme": scheme}, {})
    if assignment is None or rate is None:
        return None
    try:
        assignment["scheme"] = payroll.scheme_to_dict(payroll.scheme_from_dict(assignment["scheme"]))
    except payroll.InvalidScheme as error:
        sheet.refuse(row, "rate_yuan" if error.field in RATE_FIELD.values() else "scheme", str(error))
        return None
    if assignment["end_date"] is not None and assignment["end_date"] < assignment["start_date"]:
        sheet.refuse(row, "end_date", "before start_date")
        return None
    return assignment


def _fen(sheet: Sheet, row: int, text: str) -> int | None:
    try:
        yuan = Decimal(text.replace(",", "").removeprefix("¥"))
    except InvalidOperation:
        yuan = None
    if yuan is None or not yuan.is_finite() or yuan < 0 or yuan != yuan.quantize(Decimal("0.01")):
        sheet.refuse(row, "rate_yuan", "the rate in yuan, with at most two decimals (18.50)")
        return None
    return int(yuan * 100)


def _load(sheet: Sheet, row: int, schema: ma.Schema, data: dict, columns: dict[str, str]) -> dict | None:
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        for name, messages in error.normalized_messages().items():
            for message in _texts(messages):
                sheet.refuse(row, columns.get(name, name), message)
        return None


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}: {text}" for key, inner in value.items() for text in _texts(inner)]
    if isinstance(value, list):
        return [str(text) for text in value]
    return [str(value)]
