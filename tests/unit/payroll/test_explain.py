"""Every wage line can be said in words: the figures of its explanation multiply out to the line's amount."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from payroll import (
    STATUSES,
    DailyScheme,
    HourlyScheme,
    MissingMinutes,
    MonthlyScheme,
    OutputLine,
    PieceScheme,
    daily_day_pay,
    hourly_day_pay,
    monthly_pay,
    piece_day_pay,
)
from payroll.explain import HOURS, OVERTIME, explain_daily, explain_hourly, explain_line, explain_monthly, explain_piece

hourly_schemes = st.builds(HourlyScheme, rate_fen=st.integers(0, 100_000), standard_minutes=st.integers(1, 1440),
                           overtime_multiplier=st.decimals(min_value=1, max_value=10, places=4))
daily_schemes = st.builds(DailyScheme, day_rate_fen=st.integers(0, 1_000_000))
monthly_schemes = st.builds(MonthlyScheme, stipend_fen=st.integers(0, 500_000), required_days=st.integers(1, 31))
statuses = st.sampled_from(STATUSES)
EXAMPLES = 60  # four properties over small inputs: enough to find a rounding that does not agree


@settings(max_examples=EXAMPLES)
@given(hourly_schemes, statuses, st.one_of(st.none(), st.integers(0, 1440)))
def test_an_hourly_lines_figures_multiply_out_to_its_amount(scheme, status, minutes):
    if status == "present" and minutes is None:
        return
    assert explain_hourly(scheme, status, minutes).amount_fen == hourly_day_pay(scheme, status, minutes)


@settings(max_examples=EXAMPLES)
@given(daily_schemes, statuses)
def test_a_daily_lines_figures_multiply_out_to_its_amount(scheme, status):
    assert explain_daily(scheme, status).amount_fen == daily_day_pay(scheme, status)


@st.composite
def piece_days(draw):
    """A piece scheme and a day of output it can pay."""
    scheme = draw(st.builds(PieceScheme, rates=st.dictionaries(st.text("abc", min_size=1, max_size=2),
                                                                st.integers(0, 10_000), min_size=1, max_size=3),
                            grades=st.dictionaries(st.text("ABC", min_size=1, max_size=1), st.integers(0, 100),
                                                   min_size=1, max_size=3)))
    line = st.builds(OutputLine, product=st.sampled_from(sorted(scheme.rates)),
                     grade=st.sampled_from(sorted(scheme.grades)), quantity=st.integers(0, 10_000))
    return scheme, draw(st.lists(line, max_size=8))


@settings(max_examples=EXAMPLES)
@given(piece_days())
def test_a_piece_lines_figures_multiply_out_to_its_amount(day):
    scheme, outputs = day
    assert explain_piece(scheme, outputs).amount_fen == piece_day_pay(scheme, outputs)


@settings(max_examples=EXAMPLES)
@given(monthly_schemes, st.lists(statuses, max_size=31))
def test_a_monthly_lines_figures_multiply_out_to_its_amount(scheme, days):
    credits = sum((Fraction({"present": 2, "half_day": 1}.get(status, 0), 2) for status in days), Fraction(0))
    assert explain_monthly(scheme, credits).amount_fen == monthly_pay(scheme, days)


def test_overtime_is_its_own_part_at_the_multiplier():
    parts = explain_hourly(HourlyScheme(rate_fen=1850), "present", 570).parts

    assert [(part.unit, part.quantity, part.rate_fen, part.factor) for part in parts] == [
        (HOURS, 8, 1850, 1), (OVERTIME, Fraction(3, 2), 1850, Fraction(3, 2))]


def test_a_day_present_without_minutes_cannot_be_explained_as_hours():
    with pytest.raises(MissingMinutes):
        explain_hourly(HourlyScheme(rate_fen=1850), "present", None)


def test_a_stored_lines_facts_are_read_as_the_ledger_wrote_them():
    piece = explain_line(PieceScheme(rates={"shirt": 120}), {"outputs": [
        {"event_id": "e1", "product": "shirt", "grade": "B", "quantity": 140}]})
    month = explain_line(MonthlyScheme(stipend_fen=150_000, required_days=22), {
        "days_recorded": 21, "credits": "20.5", "required_days": 22})

    assert (piece.amount_fen, month.amount_fen) == (13440, 139773)
