"""The bank's results file, as a manager uploads it: a CSV with a header row naming `line_id` and `status`
(confirmed or failed), and optionally `bank_reference` and `reason`; other columns are ignored, so the bank
may answer on a copy of the file it was sent. Each row is checked by the API's own schema for a line
(`BankResultIn`), and every refusal is said by its row."""
from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from marshmallow import ValidationError

from app.api.schemas.pay import BankResultIn, BankResultsIn
from app.pay.payments import LineResult

COLUMNS = ("line_id", "status", "bank_reference", "reason")
REQUIRED = ("line_id", "status")
MAX_LINES = BankResultsIn().fields["lines"].validate.max  # as many as the API takes in one request
PROBLEMS = {  # a field the schema refused -> what the row needs, for a person
    "line_id": lazy_gettext("line_id must be the number of a line of this batch"),
    "status": lazy_gettext("status must be confirmed or failed"),
    "bank_reference": lazy_gettext("bank_reference may have at most 200 characters"),
    "reason": lazy_gettext("reason may have at most 1,000 characters"),
}


LINE_ANSWERS = {"confirmed": lazy_gettext("confirmed"), "failed": lazy_gettext("failed")}


class BankResultsRefused(ValueError):
    """The file cannot be taken as it is; `problems` says why, by row where a row is at fault."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_bank_results(content: bytes, answered: dict[int, str]) -> list[LineResult]:
    """The file's answers for the batch whose lines have the statuses `answered` (line id -> status), as
    `record_bank_results` takes them; BankResultsRefused, by row (the header is row 1), otherwise."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BankResultsRefused([_("The file is not a CSV file in UTF-8.")]) from None
    rows = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in rows.fieldnames or []]
    if not set(REQUIRED) <= set(header):
        raise BankResultsRefused([_("The first row of the file must name its columns, line_id and status "
                                    "among them.")])
    rows.fieldnames = header
    results, problems = [], []
    for number, row in enumerate(rows, start=2):
        try:
            results.append((number, LineResult(**BankResultIn().load(_line(row)))))
        except ValidationError as refused:
            problems += [_("Row %(row)d: %(problem)s.", row=number, problem=PROBLEMS[field])
                         for field in COLUMNS if field in refused.messages]
    problems += _against_the_batch(results, answered)
    if problems:
        raise BankResultsRefused(problems)
    if not results:
        raise BankResultsRefused([_("The file has no lines.")])
    if len(results) > MAX_LINES:
        raise BankResultsRefused([_("The file has more than %(n)d lines: split it.", n=MAX_LINES)])
    return [result for _row, result in results]


def _against_the_batch(results: list[tuple[int, LineResult]], answered: dict[int, str]) -> list[str]:
    """A line of another batch, or an answer that differs from one already recorded (it never changes)."""
    problems = []
    for row, result in results:
        if result.line_id not in answered:
            problems.append(_("Row %(row)d: line %(line)d is not a line of this batch.", row=row, line=result.line_id))
        elif answered[result.line_id] not in ("pending", result.status):
            problems.append(_("Row %(row)d: line %(line)d is already %(status)s; a recorded answer does not change.",
                              row=row, line=result.line_id, status=LINE_ANSWERS[answered[result.line_id]]))
    return problems


def _line(row: dict) -> dict:
    """The row's cells of a line, trimmed; an empty optional cell is none."""
    cells = {name: (row.get(name) or "").strip() for name in COLUMNS}
    return {name: value for name, value in cells.items() if value or name in REQUIRED}
