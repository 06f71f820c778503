"""An assignment's terms over time: which term pays a day, and how a change of scheme or site from a day splits a
term in two, so that the days before it keep their scheme and the days from it take the new one."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Term:
    """Days `start` to `end` (both inclusive; None: no end yet) paid by `scheme`, at `site`."""

    start: date
    end: date | None
    scheme: Any
    site: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def term_on(terms: Iterable[Term], day: date) -> Term | None:
    """The term that pays `day`, or None. Raises ValueError when two of `terms` cover it (terms never overlap)."""
    covering = [term for term in terms if term.covers(day)]
    if len(covering) > 1:
        raise ValueError(f"{len(covering)} terms cover {day}")
    return covering[0] if covering else None


def change_refusal(term: Term, day: date, *, monthly: bool = False, keeps_first_day: bool = False) -> str | None:
    """Why `term` cannot change from `day`, or None. A change takes effect on a day of the term; a monthly stipend
    changes from the first of a month (a month's days are paid together, by one scheme); a transfer leaves the
    days before it where they were (`keeps_first_day`: not from the term's first day)."""
    if day < term.start or (keeps_first_day and day == term.start):
        return f"must be after the assignment's first day {term.start}" if keeps_first_day else (
            f"is before the assignment's first day {term.start}")
    if term.end is not None and day > term.end:
        return f"is after the assignment's last day {term.end}"
    if monthly and day.day != 1:
        return "a monthly stipend changes from the first day of a month"
    return None


def change_from(term: Term, day: date, scheme: Any, site: str | None = None) -> tuple[Term | None, Term]:
    """`term` split at `day`: the days before it as they were (None when `day` is its first day) and the days from
    it paid by `scheme` (at `site`, for a transfer). Raises ValueError when `day` is outside the term."""
    if not term.covers(day):
        raise ValueError(f"{day} is outside the term {term.start} to {term.end}")
    before = None if day == term.start else replace(term, end=day - ONE_DAY)
    return before, replace(term, start=day, scheme=scheme, site=term.site if site is None else site)
