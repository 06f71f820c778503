"""Return-to-work figures as a workbook: a row a day (or week), a column a figure, headed in the caller's words."""
from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from app.jobs.stats import Figures
from app.pay.spreadsheets import neutralise

# The figures, in the order of the columns after the day; rates are shares, shown as percentages.
COLUMNS = ("day", "baseline", "returned_to_work", "return_rate", "willing_to_go_out", "working_local",
           "working_away", "workshops", "resumed", "resumption_rate", "absorbed", "absorbed_poor", "referrals",
           "hires", "median_days_to_hire")
RATES = frozenset({"return_rate", "resumption_rate"})


def render_xlsx(title: str, rows: Sequence[Figures], labels: Sequence[str] = COLUMNS) -> bytes:
    """One worksheet: `title` (the region and the dates) on the first line, then the labels of COLUMNS, then a
    row of figures each; an unknown figure (no baseline, no hires) is an empty cell. Raises ValueError unless
    there is one label a column."""
    if len(labels) != len(COLUMNS):
        raise ValueError(f"{len(labels)} labels for {len(COLUMNS)} columns")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "return to work"
    heading = sheet.cell(row=1, column=1, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", title)))
    heading.data_type, heading.font = "s", Font(bold=True)
    for column, label in enumerate(labels, start=1):
        cell = sheet.cell(row=2, column=column, value=neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", label)))
        cell.data_type, cell.font = "s", Font(bold=True)
    for number, figures in enumerate(rows, start=3):
        for column, name in enumerate(COLUMNS, start=1):
            value = getattr(figures, name)
            cell = sheet.cell(row=number, column=column, value=None if value is None else (
                float(value) if name in RATES or name == "median_days_to_hire" else value))
            cell.number_format = "yyyy-mm-dd" if name == "day" else "0.00%" if name in RATES else (
                "0.0" if name == "median_days_to_hire" else "0")
    sheet.column_dimensions["A"].width = 12
    sheet.freeze_panes = "B3"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
