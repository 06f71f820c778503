import dataclasses
import json
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from payroll import (
    AlertThresholds,
    below_line,
    income_drop,
    months_of_year_until,
    no_work,
    previous_months,
    projected_below_line,
)

months = st.builds(lambda year, m: f"{year:04d}-{m:02d}", st.integers(2000, 2100), st.integers(1, 12))
fen = st.integers(0, 5_000_000)
ratios = st.decimals(min_value="0.000001", max_value="0.999999", places=6)
thresholds = st.builds(
    AlertThresholds,
    drop_ratio=ratios,
    monitoring_lines=st.dictionaries(st.integers(2000, 2100), st.integers(1, 2_000_000), max_size=3),
    default_monitoring_line_fen=st.integers(1, 2_000_000),
    projection_months=st.integers(1, 12),
)
watched = st.sampled_from(["poor", "monitored"])
sizes = st.integers(1, 12)


@st.composite
def incomes_around(draw, month):
    """Some income in the 24 months ending with ``month`` (many months left without a record)."""
    window = previous_months(month, 23) + [month]
    return draw(st.dictionaries(st.sampled_from(window), fen, max_size=24))


@st.composite
def household_months(draw):
    month = draw(months)
    return month, draw(incomes_around(month))


@given(months, st.lists(st.integers(1, 5_000_000), min_size=3, max_size=3), st.integers(0, 5_000_000), thresholds)
def test_no_income_drop_when_this_month_reaches_the_average(month, previous, extra, t):
    average = Fraction(sum(previous), 3)
    income = dict(zip(previous_months(month, 3), previous))
    income[month] = -(-average.numerator // average.denominator) + extra  # ceil(average) + extra
    assert income_drop(income, month, t) is None


@given(months, st.lists(fen, min_size=4, max_size=4), ratios, ratios)
def test_a_larger_drop_ratio_never_raises_a_drop_a_smaller_one_did_not(month, amounts, r1, r2):
    income = dict(zip(previous_months(month, 3) + [month], amounts))
    low, high = sorted((r1, r2))
    if income_drop(income, month, AlertThresholds(drop_ratio=high)) is not None:
        assert income_drop(income, month, AlertThresholds(drop_ratio=low)) is not None


@given(household_months(), st.integers(0, 23), st.integers(1, 5_000_000), watched, sizes, thresholds)
def test_more_income_never_puts_a_household_below_the_line(case, back, extra, status, size, t):
    month, income = case
    other = (previous_months(month, back) + [month])[0]  # ``back`` months before ``month``
    more = {**income, other: income.get(other, 0) + extra}
    if below_line(status, size, income, month, t) is None:
        assert below_line(status, size, more, month, t) is None


@given(household_months(), watched, sizes, thresholds)
def test_below_line_is_the_twelve_month_income_against_line_times_size(case, status, size, t):
    month, income = case
    total = sum(income.get(m, 0) for m in previous_months(month, 11) + [month])
    expected = total < t.monitoring_line_fen(int(month[:4])) * size
    finding = below_line(status, size, income, month, t)
    assert (finding is not None) == expected
    if finding:
        json.dumps(dataclasses.asdict(finding))


@given(household_months(), st.sampled_from(range(12)), st.integers(0, 1_000_000), watched, sizes, thresholds)
def test_no_projected_finding_when_the_year_so_far_reaches_the_line(case, back, extra, status, size, t):
    month, income = case
    year = months_of_year_until(month)
    ytd = sum(income.get(m, 0) for m in year)
    shortfall = max(t.monitoring_line_fen(int(month[:4])) * size - ytd, 0)
    topped_up = year[max(len(year) - 1 - back, 0)]  # any month of the year so far takes the rest
    income = {**income, topped_up: income.get(topped_up, 0) + shortfall + extra}
    assert projected_below_line(status, size, income, month, t) is None


@given(household_months(), watched, sizes, thresholds)
def test_the_projection_is_never_below_the_year_so_far(case, status, size, t):
    month, income = case
    finding = projected_below_line(status, size, income, month, t)
    if finding:
        assert finding.detail["projected_fen"] >= finding.detail["ytd_fen"]
        assert finding.detail["projected_fen"] <= finding.detail["line_fen"]  # below it, up to rounding


@given(household_months(), st.integers(1, 5_000_000), watched, sizes, thresholds)
def test_more_income_this_month_never_raises_a_projection(case, extra, status, size, t):
    month, income = case
    if projected_below_line(status, size, income, month, t) is None:
        more = {**income, month: income.get(month, 0) + extra}
        assert projected_below_line(status, size, more, month, t) is None


days = st.sets(st.integers(0, 60), max_size=40)


@given(days, days, st.integers(0, 60), st.integers(1, 15))
def test_no_work_is_never_raised_when_the_worker_worked_the_latest_site_day(site, worked, as_of, n):
    start = date(2026, 5, 1)
    site_days = [start + timedelta(days=d) for d in site]
    recorded = [d for d in site_days if d <= start + timedelta(days=as_of)]
    assume(recorded)
    worker_days = [start + timedelta(days=d) for d in worked] + [max(recorded)]
    assert no_work(worker_days, site_days, start + timedelta(days=as_of), AlertThresholds(no_work_days=n)) is None


@given(days, days, st.integers(0, 60), st.integers(1, 15))
def test_no_work_looks_at_exactly_n_days_none_of_them_worked(site, worked, as_of, n):
    start = date(2026, 5, 1)
    finding = no_work([start + timedelta(days=d) for d in worked], [start + timedelta(days=d) for d in site],
                      start + timedelta(days=as_of), AlertThresholds(no_work_days=n))
    if finding:
        considered = finding.detail["days"]
        assert len(considered) == n and considered == sorted(considered)
        assert not {(start + timedelta(days=d)).isoformat() for d in worked} & set(considered)
        assert considered[-1] <= (start + timedelta(days=as_of)).isoformat()
