"""Income-stability alert rules: pure functions saying whether a household or a worker needs help.

Each rule takes its facts and an AlertThresholds and returns a Finding (the numbers a person
needs to check the alert by hand) or None. Money is integer fen; comparisons are exact
(Fraction), never float, and "below" is always strictly below. Dates are arguments.

RULES (kind: raised when ...)
- income_drop: a household had income (> 0) in each of the 3 months before ``month`` and its
  income in ``month`` is below (1 - drop_ratio) x their average (default drop_ratio 0.3).
- below_line: a poor or monitored household's income over the 12 months ending with ``month``
  (missing months are 0), per person, is below the monitoring line of ``month``'s year
  (per person per year; default 6,000 yuan).
- no_work: a worker had no day of work (a present/half_day record, or output) on any of the
  last N days that had a record (attendance or output) at the site for any worker, up to
  ``as_of`` (default N = 10). Whether the worker's assignment is active is the caller's to check.
- wage_arrears: approved wages are still unpaid D days after approval (default D = 15).
- projected_below_line: a poor or monitored household's income of the year so far, plus the
  average of its last ``projection_months`` months (fewer in a younger year) for each month
  left, is below the line x size (default 3 months).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Mapping

from payroll.money import round_half_up

Month = str  # "YYYY-MM"
KINDS = ("income_drop", "below_line", "no_work", "wage_arrears", "projected_below_line")
HOUSEHOLD_STATUSES = ("poor", "monitored", "other")
_WATCHED = ("poor", "monitored")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# A ratio is a setting such as "0.3"; the cap on decimals also keeps "1e-999999999" from exploding a Fraction.
_RATIO_PLACES = Decimal("0.000001")


class InvalidThresholds(ValueError):
    """Alert thresholds that make no sense; ``.field`` names the offending one."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _check_count(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f">= {low}"
        raise InvalidThresholds(f"{name} must be an integer {bounds}, got {value!r}", field=name)
    return value


def _parse_ratio(value: Any) -> Decimal:
    message = f"drop_ratio must be a decimal such as \"0.3\" (floats are inexact), above 0 and below 1, got {value!r}"
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise InvalidThresholds(message, field="drop_ratio")
    try:
        ratio = Decimal(value)
    except InvalidOperation:
        raise InvalidThresholds(message, field="drop_ratio") from None
    if not ratio.is_finite() or not 0 < ratio < 1 or ratio != ratio.quantize(_RATIO_PLACES):
        raise InvalidThresholds(f"{message} (at most 6 decimals)", field="drop_ratio")
    return ratio


def _freeze_lines(value: Any) -> Mapping[int, int]:
    if not isinstance(value, Mapping):
        raise InvalidThresholds(f"monitoring_lines must map year to fen, got {value!r}", field="monitoring_lines")
    for year, line in value.items():
        if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
            raise InvalidThresholds(f"monitoring_lines has an invalid year {year!r}", field="monitoring_lines")
        _check_count(f"monitoring_lines.{year}", line, 1)
    # a private read-only copy: thresholds never change under a running evaluation
    return MappingProxyType(dict(value))


@dataclass(frozen=True)
class AlertThresholds:
    """The configurable thresholds of the rules; monitoring lines are fen per person per year.

    Raises InvalidThresholds (a ValueError with ``.field``) unless 0 < drop_ratio < 1 (a
    Decimal, int or str, at most 6 decimals), every line > 0, no_work_days >= 1,
    arrears_days >= 0 and 1 <= projection_months <= 12.
    """

    drop_ratio: Decimal = Decimal("0.3")
    monitoring_lines: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))
    default_monitoring_line_fen: int = 600_000
    no_work_days: int = 10
    arrears_days: int = 15
    projection_months: int = 3

    def __post_init__(self) -> None:
        object.__setattr__(self, "drop_ratio", _parse_ratio(self.drop_ratio))
        object.__setattr__(self, "monitoring_lines", _freeze_lines(self.monitoring_lines))
        _check_count("default_monitoring_line_fen", self.default_monitoring_line_fen, 1)
        _check_count("no_work_days", self.no_work_days, 1)
        _check_count("arrears_days", self.arrears_days, 0)
        _check_count("projection_months", self.projection_months, 1, 12)

    def __hash__(self) -> int:  # a read-only mapping is not hashable itself
        return hash((self.drop_ratio, frozenset(self.monitoring_lines.items()), self.default_monitoring_line_fen,
                     self.no_work_days, self.arrears_days, self.projection_months))

    def monitoring_line_fen(self, year: int) -> int:
        """The monitoring line of ``year`` in fen per person per year (the default if it has no entry)."""
        return self.monitoring_lines.get(year, self.default_monitoring_line_fen)


@dataclass(frozen=True)
class Finding:
    """Why an alert is raised: its kind, its month, and JSON-safe numbers (fen as int, ratios as str)."""

    kind: str
    month: Month
    detail: Mapping[str, Any]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        _month_index(self.month)


def _month_index(month: Month) -> int:
    match = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if match is None or int(match[1]) < 1 or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"a month must be \"YYYY-MM\" (0001-01 to 9999-12), got {month!r}")
    return 12 * int(match[1]) + int(match[2]) - 1


def _month_at(index: int) -> Month:
    year, month0 = divmod(index, 12)
    if year < 1:
        raise ValueError("there is no month before 0001-01")
    return f"{year:04d}-{month0 + 1:02d}"


def previous_months(month: Month, count: int) -> list[Month]:
    """The ``count`` months before ``month``, oldest first: ("2026-03", 3) -> ["2025-12", "2026-01", "2026-02"].

    Raises ValueError for a month that is not "YYYY-MM", a negative count, or months before 0001-01.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be an integer >= 0, got {count!r}")
    end = _month_index(month)
    return [_month_at(index) for index in range(end - count, end)]


def months_of_year_until(month: Month) -> list[Month]:
    """January of ``month``'s year up to and including ``month``. Raises ValueError for a malformed month."""
    end = _month_index(month)
    return [_month_at(index) for index in range(end - end % 12, end + 1)]


def _incomes(income: Mapping[Month, int], months: list[Month]) -> dict[Month, int]:
    """Each month's income, 0 when missing; TypeError unless int fen, ValueError if negative."""
    found = {}
    for month in months:
        value = income.get(month, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"income of {month} must be integer fen, got {value!r}")
        if value < 0:
            raise ValueError(f"income of {month} cannot be negative, got {value}")
        found[month] = value
    return found


def _is_watched(status: str, size: int) -> bool:
    """Whether the line rules apply; ValueError for an unknown status or a size that is not an int >= 1."""
    if not isinstance(status, str) or status not in HOUSEHOLD_STATUSES:
        raise ValueError(f"status must be one of {', '.join(HOUSEHOLD_STATUSES)}, got {status!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be an integer >= 1, got {size!r}")
    return status in _WATCHED


def _check_date(name: str, value: Any) -> date:
    # a datetime is a date too, but comparing one with a date raises: the rules work on days
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a date (not a datetime), got {value!r}")
    return value


def income_drop(income: Mapping[Month, int], month: Month, t: AlertThresholds) -> Finding | None:
    """The income_drop finding of a household for ``month``, or None.

    ``threshold_fen`` is the exact threshold rounded up to the fen, so for whole fen
    "income_fen < threshold_fen" is exactly the rule; ``baseline_fen`` is rounded half-up for reading.
    Raises ValueError for a malformed month or a negative income, TypeError for income that is not int fen.
    """
    previous = _incomes(income, previous_months(month, 3))
    this = _incomes(income, [month])[month]
    if min(previous.values()) <= 0:
        return None
    baseline = Fraction(sum(previous.values()), 3)
    threshold = (1 - Fraction(t.drop_ratio)) * baseline
    if this >= threshold:
        return None
    return Finding("income_drop", month, {
        "income_fen": this, "previous_fen": previous, "baseline_fen": round_half_up(baseline),
        "drop_ratio": str(t.drop_ratio), "threshold_fen": math.ceil(threshold),
    })


def below_line(status: str, size: int, income: Mapping[Month, int], month: Month,
               t: AlertThresholds) -> Finding | None:
    """The below_line finding of a household for ``month``, or None (always None for status "other").

    Per capita below the line is tested as the household's 12-month income_fen < line_fen (line x size).
    Raises ValueError for a malformed month, an unknown status, a size < 1 or a negative income,
    TypeError for income that is not int fen.
    """
    months = previous_months(month, 11) + [month]
    if not _is_watched(status, size):
        return None
    incomes = _incomes(income, months)
    total = sum(incomes.values())
    per_person = t.monitoring_line_fen(_month_index(month) // 12)
    if total >= per_person * size:
        return None
    return Finding("below_line", month, {
        "income_fen": total, "months_fen": incomes, "size": size,
        "line_per_person_fen": per_person, "line_fen": per_person * size,
    })


def projected_below_line(status: str, size: int, income: Mapping[Month, int], month: Month,
                         t: AlertThresholds) -> Finding | None:
    """The projected_below_line finding of a household for ``month``, or None (always None for "other").

    projected = ytd + average(last projection_months months of the year up to ``month``) x months left;
    in December nothing is left and projected = ytd. The test is exact; ``projected_fen`` is rounded
    half-up, so at a half fen it can read equal to ``line_fen`` and still be below it.
    Raises ValueError for a malformed month, an unknown status, a size < 1 or a negative income,
    TypeError for income that is not int fen.
    """
    months = months_of_year_until(month)
    if not _is_watched(status, size):
        return None
    incomes = _incomes(income, months)
    ytd = sum(incomes.values())
    recent = months[-t.projection_months:]
    average = Fraction(sum(incomes[m] for m in recent), len(recent))
    months_left = 12 - len(months)
    projected = ytd + average * months_left
    per_person = t.monitoring_line_fen(_month_index(month) // 12)
    if projected >= per_person * size:
        return None
    return Finding("projected_below_line", month, {
        "ytd_fen": ytd, "months_fen": incomes, "months_averaged": len(recent),
        "average_recent_fen": round_half_up(average), "months_left": months_left,
        "projected_fen": round_half_up(projected), "size": size,
        "line_per_person_fen": per_person, "line_fen": per_person * size,
    })


def no_work(worker_days: Iterable[date], site_days: Iterable[date], as_of: date,
            t: AlertThresholds) -> Finding | None:
    """The no_work finding of a worker at a site as of ``as_of`` (its month is as_of's), or None.

    ``worker_days``: the worker's days of work at the site (present/half_day, or with output);
    ``site_days``: days with any attendance or output recorded there (a worker's day counts as one
    too). Days after as_of are ignored; with fewer than N recorded days there is not enough
    evidence and no finding. Raises TypeError for a non-date.
    """
    _check_date("as_of", as_of)
    worked = {day for day in worker_days if _check_date("worker_days", day) <= as_of}
    recorded = sorted({day for day in site_days if _check_date("site_days", day) <= as_of} | worked)
    if len(recorded) < t.no_work_days:
        return None
    considered = recorded[-t.no_work_days:]
    if worked.intersection(considered):
        return None
    return Finding("no_work", f"{as_of.year:04d}-{as_of.month:02d}", {
        "days": [day.isoformat() for day in considered],
        "last_worked_on": max(worked).isoformat() if worked else None,
    })


def wage_arrears(approved_on: date, unpaid_fen: int, as_of: date, t: AlertThresholds,
                 month: Month) -> Finding | None:
    """The wage_arrears finding of an approved period of ``month``, or None.

    Raised when unpaid_fen > 0 and as_of is at least arrears_days after approved_on.
    Raises ValueError for a malformed month, TypeError for a non-date or unpaid_fen that is not int.
    """
    _month_index(month)
    _check_date("approved_on", approved_on)
    _check_date("as_of", as_of)
    if isinstance(unpaid_fen, bool) or not isinstance(unpaid_fen, int):
        raise TypeError(f"unpaid_fen must be integer fen, got {unpaid_fen!r}")
    # days between, rather than approved_on + D: a large D cannot overflow the calendar
    waited = (as_of - approved_on).days
    if unpaid_fen <= 0 or waited < t.arrears_days:
        return None
    return Finding("wage_arrears", month, {
        "approved_on": approved_on.isoformat(), "unpaid_fen": unpaid_fen,
        "days_since_approval": waited, "arrears_days": t.arrears_days,
    })
