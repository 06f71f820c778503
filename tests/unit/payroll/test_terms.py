"""Which term pays a day, and a change of scheme or site from a day: the days before it keep their term, the days
from it take the new one, and no day is covered twice or lost."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll.terms import Term, change_from, change_refusal, term_on

DAYS = st.dates(date(2025, 1, 1), date(2027, 12, 31))


@st.composite
def terms_and_days(draw):
    start = draw(DAYS)
    end = draw(st.one_of(st.none(), st.dates(start, date(2027, 12, 31))))
    term = Term(start, end, "old", "ws-a")
    day = draw(st.dates(start, end or date(2027, 12, 31)))
    return term, day, draw(DAYS)


@settings(max_examples=200)
@given(terms_and_days(), st.booleans())
def test_a_change_from_a_day_pays_the_new_scheme_from_that_day_on_and_covers_the_same_days(case, transfer):
    term, day, probe = case
    before, after = change_from(term, day, "new", "ws-b" if transfer else None)
    parts = [part for part in (before, after) if part is not None]
    paying = term_on(parts, probe)  # never two: term_on raises when terms overlap
    assert (paying is not None) == term.covers(probe)
    if paying is not None:
        assert paying.scheme == ("new" if probe >= day else "old")
        assert paying.site == ("ws-b" if transfer and probe >= day else "ws-a")
    assert after.end == term.end and after.start == day
    assert before is None or (before.start, before.end) == (term.start, day - timedelta(days=1))


@settings(max_examples=100)
@given(terms_and_days())
def test_a_change_is_refused_outside_the_term_and_taken_inside_it(case):
    term, _, day = case
    assert (change_refusal(term, day) is None) == term.covers(day)
    if not term.covers(day):
        with pytest.raises(ValueError):
            change_from(term, day, "new")


def test_a_stipend_changes_from_the_first_of_a_month_and_a_transfer_not_from_the_first_day():
    term = Term(date(2026, 3, 1), None, "old")
    assert change_refusal(term, date(2026, 10, 15), monthly=True) == (
        "a monthly stipend changes from the first day of a month")
    assert change_refusal(term, date(2026, 10, 1), monthly=True) is None
    assert change_refusal(term, date(2026, 3, 1), keeps_first_day=True) == (
        "must be after the assignment's first day 2026-03-01")
    assert change_refusal(term, date(2026, 3, 1)) is None


def test_two_terms_covering_one_day_are_a_mistake_said_aloud():
    with pytest.raises(ValueError):
        term_on([Term(date(2026, 3, 1), None, "a"), Term(date(2026, 4, 1), None, "b")], date(2026, 5, 1))
