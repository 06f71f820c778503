"""An attendance register (CSV, one row per worker and day) taken in as `attendance.recorded` events.

The rows go through the same door as POST /events (`parse_all`, then `accept_events`): all rows or
none, and every error is told back by spreadsheet row (the header is row 1) and column. The file may be
UTF-8 or GB18030 (app.sheets), its headers and status words English or Chinese (`HEADER_WORDS`, `STATUS_WORDS`).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.ledger.intake import EventsRejected, accept_events, parse_all
from app.sheets import HEADER_ROW, SheetUnreadable, csv_rows, decode_text
from events import ATTENDANCE_RECORDED, WorkEvent
from events.bus import Bus
from events.envelope import SPEC_VERSION, format_time, new_event_id

SOURCE = "imports/attendance"
MAX_ROWS = 20_000
REQUIRED = ("worker_id", "site_id", "date", "status")
OPTIONAL = ("check_in", "check_out", "minutes", "id", "time")
DATA_COLUMNS = ("worker_id", "site_id", "date", "status", "check_in", "check_out", "minutes")
# The headers of Chinese offices' registers (words of the project's glossary), and their status words.
HEADER_WORDS = {"人员编号": "worker_id", "工号": "worker_id", "站点": "site_id", "站点编号": "site_id",
                "日期": "date", "出勤状态": "status", "签到": "check_in", "签到时间": "check_in",
                "签退": "check_out", "签退时间": "check_out", "工时(分钟)": "minutes", "分钟": "minutes",
                "事件编号": "id", "记录时间": "time"}
STATUS_WORDS = {"出勤": "present", "半天": "half_day", "缺勤": "absent", "请假": "leave"}
_CHUNK = 500  # rows parsed between two progress reports
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_SHORT_HOUR = re.compile(r"\d:\d\d(:\d\d)?")  # spreadsheet programs write 8:00 for 08:00

Progress = Callable[[int], None]


class RegisterUnreadable(ValueError):
    """The upload is neither UTF-8 nor GB18030 text, or not CSV at all."""


class RegisterTooLarge(ValueError):
    """More data rows than MAX_ROWS."""


class RegisterRejected(ValueError):
    """Some rows are invalid and none was taken; `errors` maps "row N" to {column: [messages]}."""

    def __init__(self, errors: dict[str, dict[str, list[str]]]):
        super().__init__(f"{len(errors)} invalid row(s)")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    rows: int
    accepted: int
    duplicates: int


@dataclass
class Register:
    """One raw CloudEvent per data row (None where the row could not be read), each row's number as a
    spreadsheet shows it, and the errors of the unreadable rows by index."""

    events: list[dict[str, Any] | None] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    unreadable: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    def add(self, row: int, event: dict[str, Any] | None, errors: dict[str, list[str]] | None = None) -> None:
        if errors is not None:
            self.unreadable[len(self.events)] = errors
        self.events.append(event)
        self.rows.append(row)


def read_register(content: bytes, uploaded_at: datetime) -> Register:
    """Turn CSV bytes into one raw attendance CloudEvent per non-empty row.

    Rows without `time` are stamped `uploaded_at`; rows without `id` get a fresh UUID.
    Raises RegisterUnreadable (neither UTF-8 nor GB18030, not CSV), RegisterTooLarge, or RegisterRejected
    for a missing, repeated or unknown column.
    """
    try:
        records = csv_rows(decode_text(content))
        columns = _read_header(next(records, (HEADER_ROW, []))[1])
        register = Register()
        for row, cells in records:
            if not any(cells):
                continue  # spreadsheets leave empty rows behind; they say nothing
            if len(register.events) == MAX_ROWS:
                raise RegisterTooLarge(f"at most {MAX_ROWS} rows per register")
            if len(cells) > len(columns):
                register.add(row, None, {"_row": [f"{len(cells)} cells, but the header names {len(columns)}"]})
            else:
                register.add(row, _event(dict(zip(columns, cells)), uploaded_at))
    except SheetUnreadable as error:
        raise RegisterUnreadable(str(error)) from None
    if not register.events:
        raise RegisterRejected({f"row {HEADER_ROW + 1}": {"_row": ["the register has no rows below its header"]}})
    return register


def parse_register(register: Register, progress: Progress | None = None) -> tuple[dict[int, WorkEvent], dict]:
    """`parse_all` over the rows (in chunks, to report progress), plus the one rule of registers:
    one row per worker, site and day. Returns the events and the errors by index of `register.events`."""
    events: dict[int, WorkEvent] = {}
    errors: dict[str, Any] = {str(index): messages for index, messages in register.unreadable.items()}
    for start in range(0, len(register.events), _CHUNK):
        chunk = [(index, raw) for index, raw in enumerate(register.events[start:start + _CHUNK], start)
                 if raw is not None]
        parsed, failed = parse_all([raw for _, raw in chunk])
        events.update((chunk[position][0], event) for position, event in parsed.items())
        errors.update((str(chunk[int(position)][0]), messages) for position, messages in failed.items())
        if progress is not None:
            progress(min(_CHUNK, len(register.events) - start))
    first_row: dict[tuple, int] = {}
    for index, event in sorted(events.items()):
        key = (event.worker_id, event.site_id, event.data["date"])
        if key in first_row:
            errors[str(index)] = {"data": {"date": [
                f"row {first_row[key]} already records {event.worker_id} at {event.site_id} on this date"]}}
        else:
            first_row[key] = register.rows[index]
    return {index: event for index, event in events.items() if str(index) not in errors}, errors


def take_register(session: Session, bus: Bus, topic: str, register: Register, events: dict[int, WorkEvent],
                  errors: dict[str, Any], today: date) -> ImportResult:
    """Accept every row's event or none (through `accept_events`, the door of POST /events, as of `today`);
    raise RegisterRejected naming every bad row and column."""
    try:
        receipts = accept_events(session, bus, topic, events, errors, today)
    except EventsRejected as rejected:
        raise RegisterRejected(row_errors(register, rejected.errors)) from None
    accepted = sum(receipt.status == "accepted" for receipt in receipts)
    return ImportResult(rows=len(register.events), accepted=accepted, duplicates=len(receipts) - accepted)


def row_errors(register: Register, event_errors: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Errors by event index -> errors by spreadsheet row and column, in row order."""
    by_row = {register.rows[int(index)]: _by_column(messages) for index, messages in event_errors.items()}
    return {f"row {row}": by_row[row] for row in sorted(by_row)}


def _read_header(names: list[str]) -> list[str]:
    columns = [HEADER_WORDS.get(name.strip(), name.strip().lower()) for name in names]
    problems: dict[str, list[str]] = {}
    for position, name in enumerate(columns, start=1):
        if not name:
            problems[f"column {position}"] = ["a column without a name"]
        elif name not in REQUIRED + OPTIONAL:
            problems[name] = [f"unknown column; the columns are {', '.join(REQUIRED + OPTIONAL)}"]
        elif columns.count(name) > 1:
            problems[name] = ["this column appears more than once"]
    for name in REQUIRED:
        if name not in columns:
            problems[name] = ["missing column"]
    if problems:
        raise RegisterRejected({f"row {HEADER_ROW}": problems})
    return columns


def _event(cells: dict[str, str], uploaded_at: datetime) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in DATA_COLUMNS:
        value = cells.get(name, "")
        if not value:
            continue  # an empty cell is an absent value
        if name == "minutes" and _INTEGER.fullmatch(value):
            value = int(value)
        elif name in ("check_in", "check_out") and _SHORT_HOUR.fullmatch(value):
            value = "0" + value
        elif name == "status":
            value = STATUS_WORDS.get(value, value)
        data[name] = value
    return {
        "specversion": SPEC_VERSION,
        "id": cells.get("id") or new_event_id(),
        "type": ATTENDANCE_RECORDED,
        "source": SOURCE,
        "time": cells.get("time") or format_time(uploaded_at),
        "datacontenttype": "application/json",
        "data": data,
    }


def _by_column(messages: dict[str, Any]) -> dict[str, list[str]]:
    """{"data": {"date": [...]}} -> {"date": [...]}; envelope fields (id, time) keep their names."""
    columns: dict[str, list[str]] = {}
    for name, value in messages.items():
        for column, texts in (value.items() if name == "data" and isinstance(value, dict) else [(name, value)]):
            columns.setdefault(column, []).extend(_texts(texts))
    return columns


def _texts(value: Any) -> list[str]:
    if isinstance(value, dict):  # a nested field's messages: flatten, keeping the sub-field's name
        return [f"{key}: {text}" for key, inner in value.items() for text in _texts(inner)]
    if isinstance(value, list):
        return [str(text) for text in value]
    return [str(value)]
