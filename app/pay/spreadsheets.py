"""Text that goes into a spreadsheet (CSV or XLSX) must never run as a formula."""
from __future__ import annotations

# A cell starting with one of these is taken as a formula by spreadsheet programs (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """`=HYPERLINK(...)` -> `'=HYPERLINK(...)`: shown as the text it is."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
