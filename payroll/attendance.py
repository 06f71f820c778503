"""Attendance-based pay: hourly and daily days, monthly stipends by day credits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from payroll.errors import InvalidWorkRecord, MissingMinutes
from payroll.money import round_ratio_half_up
from payroll.schemes import STATUSES, DailyScheme, HourlyScheme, MonthlyScheme

_CREDITS = {"present": Fraction(1), "half_day": Fraction(1, 2), "absent": Fraction(0), "leave": Fraction(0)}
_HALF_DAYS = {status: int(2 * credit) for status, credit in _CREDITS.items()}  # the credits, counted in halves
_MINUTES_PER_DAY = 24 * 60
_MICROSECONDS_PER_MINUTE = 60 * 1_000_000


def _check_status(status: Any) -> str:
    if not isinstance(status, str) or status not in STATUSES:
        raise InvalidWorkRecord(f"status must be one of {', '.join(STATUSES)}, got {status!r}", field="status")
    return status


def _microseconds(t: datetime.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def minutes_between(check_in: datetime.time, check_out: datetime.time) -> int:
    """Whole minutes from check-in to check-out on the same day; a started minute is not paid.

    Raises InvalidWorkRecord if either is not a local (naive) ``datetime.time`` or if
    check_out is before check_in (there are no overnight shifts).
    """
    for name, t in (("check_in", check_in), ("check_out", check_out)):
        if not isinstance(t, datetime.time) or t.tzinfo is not None:
            raise InvalidWorkRecord(f"{name} must be a local time without time zone, got {t!r}", field=name)
    start, end = _microseconds(check_in), _microseconds(check_out)
    if end < start:
        raise InvalidWorkRecord(f"check_out {check_out} is before check_in {check_in}", field="check_out")
    return (end - start) // _MICROSECONDS_PER_MINUTE


def stated_minutes(status: str, minutes: int | None, check_in: datetime.time | None,
                   check_out: datetime.time | None) -> int:
    """The minutes of work an attendance record states: its minutes, else check-out minus check-in; none for
    an absence or leave, nor for a day recorded without either (a daily or monthly day states no hours).

    Raises InvalidWorkRecord as `minutes_between` does.
    """
    if _CREDITS[_check_status(status)] == 0:
        return 0
    if minutes is not None:
        return minutes
    return minutes_between(check_in, check_out) if check_in is not None and check_out is not None else 0


def longer_than_a_day(minutes: Iterable[int]) -> bool:
    """Whether minutes of work recorded for one person on one day (at all their sites) exceed 24 hours."""
    return sum(minutes) > _MINUTES_PER_DAY


def hourly_day_pay(scheme: HourlyScheme, status: str, minutes: int | None) -> int:
    """One day's pay in fen under an hourly scheme.

    ``round_half_up(rate_fen * (min(m, std) + multiplier * max(m - std, 0)) / 60)``.
    absent/leave pay 0 whatever ``minutes`` says; half_day without minutes counts exactly
    ``standard_minutes / 2``; given minutes are always paid as worked.
    Raises MissingMinutes for 'present' without minutes, InvalidWorkRecord for an unknown
    status or minutes that are not an int in 0..1440.
    """
    if _check_status(status) in ("absent", "leave"):
        return 0
    # In half minutes, so that half a standard day is whole; the multiplier as num / den. Exact integers
    # throughout: the same result as Fractions at a fraction of their cost (the rule runs for every hourly event).
    if minutes is None:
        if status == "present":
            raise MissingMinutes()
        worked = scheme.standard_minutes
    elif isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= _MINUTES_PER_DAY:
        raise InvalidWorkRecord(f"minutes must be an integer from 0 to {_MINUTES_PER_DAY}, got {minutes!r}",
                                field="minutes")
    else:
        worked = 2 * minutes
    standard = 2 * scheme.standard_minutes
    num, den = scheme.overtime_multiplier.as_integer_ratio()
    paid = min(worked, standard) * den + num * max(worked - standard, 0)  # half minutes, times den
    return round_ratio_half_up(scheme.rate_fen * paid, 2 * den * 60)


def daily_day_pay(scheme: DailyScheme, status: str) -> int:
    """One day's pay in fen under a daily scheme: present the day rate, half_day half of it
    (rounded half up), absent/leave 0. Raises InvalidWorkRecord for an unknown status."""
    credit = day_credit(status)
    return round_ratio_half_up(scheme.day_rate_fen * credit.numerator, credit.denominator)


def day_credit(status: str) -> Fraction:
    """The day credit of a status: present 1, half_day 1/2, absent/leave 0.
    Raises InvalidWorkRecord for an unknown status."""
    return _CREDITS[_check_status(status)]


def monthly_pay(scheme: MonthlyScheme, statuses: Iterable[str]) -> int:
    """A month's stipend in fen from the statuses of its days (one per recorded day).

    With D the sum of day credits: ``round_half_up(stipend * min(D, required_days) / required_days)``.
    Over the days so far of an open month this is the accrued amount.
    Raises InvalidWorkRecord for an unknown status, TypeError if given one string.
    """
    required = 2 * scheme.required_days  # in half days, like the credits
    return round_ratio_half_up(scheme.stipend_fen * min(_half_days(statuses, "monthly_pay"), required), required)


def day_credits(statuses: Iterable[str]) -> Fraction:
    """The sum of the day credits of `statuses`. Raises InvalidWorkRecord for an unknown status, TypeError if
    given one string."""
    return Fraction(_half_days(statuses, "day_credits"), 2)


def _half_days(statuses: Iterable[str], caller: str) -> int:
    """The day credits of `statuses`, counted in halves: a whole number, because a month recomputes for every
    event of its days and Fraction sums would cost each of them."""
    if isinstance(statuses, str):
        raise TypeError(f"{caller} takes an iterable of statuses, not a single string")
    return sum(_HALF_DAYS[_check_status(status)] for status in statuses)
