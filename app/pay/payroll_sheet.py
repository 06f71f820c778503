"""The payroll sheet of a site's month: one row per worker, then the totals, as CSV or XLSX.

A sheet is opened by people in spreadsheet programs, so every text cell is neutralised against
formula injection (OWASP: a leading apostrophe before = + - @ tab CR), in both formats.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Adjustment, Assignment, WageLine, Worker
from app.pay.spreadsheets import neutralise
from app.registry.identity import bank_account_warnings

COLUMNS = ("worker_id", "worker_name", "scheme", "days", "hours", "units", "amount_fen", "adjustments_fen",
           "adjusts", "total_fen", "total_yuan")
TOTAL_LABEL = "total"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

_CENT = Decimal("0.01")
_HALF_DAYS = Decimal("0.1")  # day credits are whole or half days: one decimal shows them exactly
_WORKED = {"present": Decimal(1), "half_day": Decimal("0.5")}
_NOT_BY_THE_DAY = ("piece", "monthly")  # schemes whose lines count output or a month's credits, not days


@dataclass
class SheetRow:
    worker_id: str
    worker_name: str = ""
    schemes: set[str] = field(default_factory=set)
    days: Decimal = Decimal(0)
    minutes: Decimal = Decimal(0)
    units: int = 0
    amount_fen: int = 0
    adjustments_fen: int = 0
    adjusted_months: set[str] = field(default_factory=set)
    bank_warnings: list[str] = field(default_factory=list)  # shown at the desk, not in the sheet's files

    @property
    def hours(self) -> Decimal:
        return (self.minutes / 60).quantize(_CENT, ROUND_HALF_UP)

    @property
    def total_fen(self) -> int:
        return self.amount_fen + self.adjustments_fen

    def cells(self) -> dict[str, Any]:
        return {
            "worker_id": self.worker_id, "worker_name": self.worker_name, "scheme": ", ".join(sorted(self.schemes)),
            "days": self.days.quantize(_HALF_DAYS), "hours": self.hours, "units": self.units,
            "amount_fen": self.amount_fen, "adjustments_fen": self.adjustments_fen,
            "adjusts": ", ".join(sorted(self.adjusted_months)),
            "total_fen": self.total_fen, "total_yuan": yuan(self.total_fen),
        }


@dataclass(frozen=True)
class Sheet:
    site_id: str
    month: str
    rows: list[SheetRow]

    @property
    def totals(self) -> dict[str, Any]:
        """The totals row: sums of the columns as shown (hours are summed after rounding each row)."""
        amount = sum(row.amount_fen for row in self.rows)
        adjustments = sum(row.adjustments_fen for row in self.rows)
        return {
            "worker_id": TOTAL_LABEL, "worker_name": "", "scheme": "", "adjusts": "",
            "days": sum((row.days for row in self.rows), Decimal(0)).quantize(_HALF_DAYS),
            "hours": sum((row.hours for row in self.rows), Decimal("0.00")),
            "units": sum(row.units for row in self.rows),
            "amount_fen": amount, "adjustments_fen": adjustments, "total_fen": amount + adjustments,
            "total_yuan": yuan(amount + adjustments),
        }

    def table(self) -> list[list[Any]]:
        """Header, one list per worker, and the totals, in COLUMNS order."""
        return [list(COLUMNS), *([cells[c] for c in COLUMNS] for cells in (row.cells() for row in self.rows)),
                [self.totals[c] for c in COLUMNS]]


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(_CENT)


def build_sheet(session: Session, site_id: str, month: str) -> Sheet:
    """The workers with a wage line in the site's month or an adjustment paid in it (`in_month`)."""
    rows: dict[str, SheetRow] = {}
    groups = _line_groups(session, site_id, month)
    by_the_day = [group for group in groups if group.scheme not in _NOT_BY_THE_DAY]
    _count_days(session, by_the_day, rows)
    if len(by_the_day) < len(groups):  # piece or monthly lines too: their facts are read line by line
        _count_units_and_credits(session, site_id, month, rows)
    for worker_id, amount_fen, adjusts_month in session.execute(
            select(Adjustment.worker_id, Adjustment.amount_fen, Adjustment.adjusts_month)
            .where(Adjustment.site_id == site_id, Adjustment.in_month == month)):
        row = rows.setdefault(worker_id, SheetRow(worker_id))
        row.adjustments_fen += amount_fen
        row.adjusted_months.add(adjusts_month)
    _describe_workers(session, site_id, rows)
    return Sheet(site_id, month, [rows[worker_id] for worker_id in sorted(rows)])


def _line_groups(session: Session, site_id: str, month: str) -> list[Row]:
    """The site's wage lines of the month counted in SQL by worker, assignment, scheme and the day's status (none
    for piece and monthly lines): a large site's month is a few rows a worker instead of one a day."""
    status, minutes = WageLine.facts["status"].as_string(), WageLine.facts["minutes"].as_integer()
    return list(session.execute(
        select(WageLine.worker_id, WageLine.assignment_id, WageLine.scheme, status.label("status"),
               func.count().label("lines"), func.sum(WageLine.amount_fen).label("amount_fen"),
               func.coalesce(func.sum(minutes), 0).label("minutes"), func.count(minutes).label("timed"))
        .where(WageLine.site_id == site_id, WageLine.period == month)
        .group_by(WageLine.worker_id, WageLine.assignment_id, WageLine.scheme, status)))


def _count_days(session: Session, groups: list[Row], rows: dict[str, SheetRow]) -> None:
    """The groups of lines paid by the day's attendance (daily and hourly): days, minutes and amounts."""
    # A half day without times counts half the standard day, as its pay does.
    untimed = [group for group in groups
               if group.scheme == "hourly" and group.status == "half_day" and group.lines > group.timed]
    standard = _standard_minutes(session, {group.assignment_id for group in untimed})
    for group in groups:
        row = rows.setdefault(group.worker_id, SheetRow(group.worker_id))
        row.schemes.add(group.scheme)
        row.amount_fen += int(group.amount_fen)
        row.days += _WORKED.get(group.status, Decimal(0)) * group.lines
        if group.scheme == "hourly" and group.status in _WORKED:
            row.minutes += Decimal(int(group.minutes))
    for group in untimed:
        rows[group.worker_id].minutes += Decimal(standard[group.assignment_id]) / 2 * (group.lines - group.timed)


def _count_units_and_credits(session: Session, site_id: str, month: str, rows: dict[str, SheetRow]) -> None:
    """Piece lines (their outputs' quantities) and monthly lines (one a worker: their day credits)."""
    for worker_id, scheme, amount_fen, facts in session.execute(
            select(WageLine.worker_id, WageLine.scheme, WageLine.amount_fen, WageLine.facts)
            .where(WageLine.site_id == site_id, WageLine.period == month, WageLine.scheme.in_(_NOT_BY_THE_DAY))):
        row = rows.setdefault(worker_id, SheetRow(worker_id))
        row.schemes.add(scheme)
        row.amount_fen += amount_fen
        if scheme == "monthly":
            row.days += Decimal(facts.get("credits", "0"))
        else:
            row.units += sum(output["quantity"] for output in facts.get("outputs", []))


def _standard_minutes(session: Session, assignment_ids: set[str]) -> dict[str, int]:
    if not assignment_ids:
        return {}
    return {assignment_id: payroll.scheme_from_dict(scheme).standard_minutes for assignment_id, scheme in
            session.execute(select(Assignment.id, Assignment.scheme).where(Assignment.id.in_(assignment_ids)))}


def _describe_workers(session: Session, site_id: str, rows: dict[str, SheetRow]) -> None:
    for worker in session.scalars(select(Worker).where(Worker.id.in_(rows))):
        rows[worker.id].worker_name = worker.name
        rows[worker.id].bank_warnings = bank_account_warnings(worker.bank_account)
    # A worker with only an adjustment this month shows the scheme(s) of their assignments at the site.
    adjusted_only = [row for row in rows.values() if not row.schemes]
    if adjusted_only:
        kinds = defaultdict(set)
        for worker_id, scheme in session.execute(select(Assignment.worker_id, Assignment.scheme).where(
                Assignment.site_id == site_id, Assignment.worker_id.in_([row.worker_id for row in adjusted_only]))):
            kinds[worker_id].add(scheme["kind"])
        for row in adjusted_only:
            row.schemes = kinds[row.worker_id]


def render_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheet programs then read Chinese names right), CRLF rows.

    Every cell is quoted, so a separator inside a text (a ';' where ';' separates cells) cannot
    start a new cell whose text was never neutralised.
    """
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for values in sheet.table():
        writer.writerow([neutralise(value) if isinstance(value, str) else str(value) for value in values])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_FORMATS = {"days": "0.0", "hours": "0.00", "total_yuan": "0.00"}
_WIDTHS = {"worker_id": 16, "worker_name": 24, "scheme": 12, "adjusts": 20}


def render_xlsx(sheet: Sheet) -> bytes:
    """One worksheet: the header, the workers and the totals; text cells stored as strings, numbers as numbers."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = f"payroll {sheet.month}"
    table = sheet.table()
    bold = Font(bold=True)
    for row_number, values in enumerate(table, start=1):
        for column_number, (name, value) in enumerate(zip(COLUMNS, values), start=1):
            cell = worksheet.cell(row=row_number, column=column_number)
            if isinstance(value, str):
                # openpyxl stores any str starting with "=" as a formula unless told it is a string.
                cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))
                cell.data_type = "s"
            else:
                cell.value = value
                cell.number_format = _FORMATS.get(name, "0")
            if row_number in (1, len(table)):
                cell.font = bold
    for column_number, name in enumerate(COLUMNS, start=1):
        letter = get_column_letter(column_number)
        worksheet.column_dimensions[letter].width = _WIDTHS.get(name, max(len(name) + 2, 10))
    worksheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
