"""Tables as offices keep them, read into rows of text cells: CSV in UTF-8 (with or without a byte-order mark)
or in GB18030 (which holds GBK and GB2312: what Excel writes as CSV on a Chinese Windows), or the first sheet
of an XLSX workbook. Each row keeps its number as a spreadsheet shows it (the header is row 1)."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time

from openpyxl import load_workbook

HEADER_ROW = 1
XLSX_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip archive
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetUnreadable(ValueError):
    """Neither UTF-8 nor GB18030 text, not CSV, or not a workbook that opens."""


def decode_text(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (a byte-order mark dropped) when it is that, GB18030 otherwise."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as error:
            raise SheetUnreadable(f"the file is neither UTF-8 nor GB18030 (GBK) text (byte {error.start})") from None
    if "\x00" in text:  # no text file holds NUL, and PostgreSQL text cannot
        raise SheetUnreadable("the file holds a NUL character: it is not a text file")
    return text


def is_workbook(content: bytes) -> bool:
    return content.startswith(XLSX_MAGIC)


def read_table(content: bytes) -> Iterator[tuple[int, list[str]]]:
    """(row number, stripped cells) of every row, the header first: a workbook's first sheet, or CSV text."""
    return _workbook_rows(content) if is_workbook(content) else csv_rows(decode_text(content))


def csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    # A record, not a physical line, is a spreadsheet row: a quoted cell may span lines.
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row, cells in enumerate(records, start=HEADER_ROW):
            yield row, [cell.strip() for cell in cells]
    except csv.Error as error:
        raise SheetUnreadable(f"not a readable CSV file: {error}") from None


def _workbook_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise SheetUnreadable(f"not a readable XLSX workbook: {error}") from None
    try:
        for row, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=HEADER_ROW):
            yield row, [_cell_text(value) for value in values]
    except (KeyError, OSError, ValueError, SyntaxError) as error:  # SyntaxError: XML that does not parse
        raise SheetUnreadable(f"not a readable XLSX workbook: {error}") from None
    finally:
        book.close()


def _cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold: whole numbers without '.0', days as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
