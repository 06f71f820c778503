import json
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from payroll import (
    STATUSES,
    DailyScheme,
    HourlyScheme,
    MonthlyScheme,
    OutputLine,
    PieceScheme,
    daily_day_pay,
    day_credit,
    day_credits,
    hourly_day_pay,
    monthly_pay,
    piece_day_pay,
    round_half_up,
    scheme_from_dict,
    scheme_to_dict,
)
from payroll.money import round_ratio_half_up

multipliers = st.decimals(min_value=1, max_value=10, places=4, allow_nan=False, allow_infinity=False)
hourly_schemes = st.builds(
    HourlyScheme,
    rate_fen=st.integers(0, 100_000),
    standard_minutes=st.integers(1, 1440),
    overtime_multiplier=multipliers,
)
daily_schemes = st.builds(DailyScheme, day_rate_fen=st.integers(0, 1_000_000))
piece_schemes = st.builds(
    PieceScheme,
    rates=st.dictionaries(st.text("abcxyz", min_size=1, max_size=3), st.integers(0, 10_000), min_size=1, max_size=4),
    grades=st.dictionaries(st.text("ABCD", min_size=1, max_size=2), st.integers(0, 100), min_size=1, max_size=4),
)
monthly_schemes = st.builds(MonthlyScheme, stipend_fen=st.integers(0, 500_000), required_days=st.integers(1, 31))
any_scheme = st.one_of(hourly_schemes, daily_schemes, piece_schemes, monthly_schemes)
statuses = st.sampled_from(STATUSES)
months = st.lists(statuses, max_size=31)
minutes = st.integers(0, 1440)


@st.composite
def piece_days(draw):
    """A piece scheme and a day of output lines that it can pay."""
    scheme = draw(piece_schemes)
    line = st.builds(
        OutputLine,
        product=st.sampled_from(sorted(scheme.rates)),
        grade=st.sampled_from(sorted(scheme.grades)),
        quantity=st.integers(0, 10_000),
    )
    return scheme, draw(st.lists(line, max_size=12))


@given(hourly_schemes, statuses, minutes)
def test_hourly_pay_is_never_negative(scheme, status, m):
    assert hourly_day_pay(scheme, status, m) >= 0


@given(hourly_schemes, st.sampled_from(["half_day", "absent", "leave"]))
def test_hourly_pay_without_minutes_is_never_negative(scheme, status):
    assert hourly_day_pay(scheme, status, None) >= 0


@given(daily_schemes, statuses)
def test_daily_pay_is_never_negative_nor_above_the_day_rate(scheme, status):
    assert 0 <= daily_day_pay(scheme, status) <= scheme.day_rate_fen


@given(piece_days())
def test_piece_pay_is_never_negative(day):
    scheme, lines = day
    assert piece_day_pay(scheme, lines) >= 0


@given(monthly_schemes, months)
def test_monthly_pay_is_between_zero_and_the_stipend(scheme, month):
    assert 0 <= monthly_pay(scheme, month) <= scheme.stipend_fen


@given(monthly_schemes, months, statuses)
def test_another_day_never_lowers_monthly_pay(scheme, month, extra):
    assert monthly_pay(scheme, [*month, extra]) >= monthly_pay(scheme, month)


@given(monthly_schemes, months)
def test_another_present_day_never_lowers_monthly_pay(scheme, month):
    assert monthly_pay(scheme, [*month, "present"]) >= monthly_pay(scheme, month)


@given(monthly_schemes, st.integers(0, 10))
def test_reaching_the_required_days_pays_the_whole_stipend(scheme, extra_days):
    assert monthly_pay(scheme, ["present"] * (scheme.required_days + extra_days)) == scheme.stipend_fen


@given(monthly_schemes, months, st.data())
def test_order_of_days_never_changes_monthly_pay(scheme, month, data):
    shuffled = data.draw(st.permutations(month))
    assert monthly_pay(scheme, shuffled) == monthly_pay(scheme, month)


@given(piece_days(), st.data())
def test_order_of_output_records_never_changes_piece_pay(day, data):
    scheme, lines = day
    shuffled = data.draw(st.permutations(lines))
    assert piece_day_pay(scheme, shuffled) == piece_day_pay(scheme, lines)


@given(piece_days(), st.data())
def test_splitting_an_output_record_never_changes_piece_pay(day, data):
    scheme, lines = day
    line = data.draw(st.builds(
        OutputLine,
        product=st.sampled_from(sorted(scheme.rates)),
        grade=st.sampled_from(sorted(scheme.grades)),
        quantity=st.integers(0, 10_000),
    ))
    part = data.draw(st.integers(0, line.quantity))
    where = data.draw(st.integers(0, len(lines)))
    whole = [*lines[:where], line, *lines[where:]]
    split = [*lines[:where], OutputLine(line.product, line.grade, part), *lines[where:],
             OutputLine(line.product, line.grade, line.quantity - part)]
    assert piece_day_pay(scheme, split) == piece_day_pay(scheme, whole)


@given(piece_days())
def test_piece_pay_is_within_half_a_fen_per_group_of_the_exact_amount(day):
    scheme, lines = day
    exact = sum(Fraction(line.quantity * scheme.rates[line.product] * scheme.grades[line.grade], 100)
                for line in lines)
    groups = len({(line.product, line.grade) for line in lines})
    assert abs(piece_day_pay(scheme, lines) - exact) <= Fraction(groups, 2)


@given(hourly_schemes, st.sampled_from(["present", "half_day"]), minutes, minutes)
def test_more_minutes_never_pay_less(scheme, status, a, b):
    fewer, more = sorted((a, b))
    assert hourly_day_pay(scheme, status, fewer) <= hourly_day_pay(scheme, status, more)


@given(any_scheme)
def test_a_scheme_survives_a_trip_through_json(scheme):
    assert scheme_from_dict(json.loads(json.dumps(scheme_to_dict(scheme)))) == scheme


@given(st.fractions(max_denominator=10_000))
def test_rounding_moves_at_most_half_a_fen_and_halves_move_away_from_zero(x):
    rounded = round_half_up(x)
    assert abs(rounded - x) <= Fraction(1, 2)
    if abs(rounded - x) == Fraction(1, 2):
        assert abs(rounded) > abs(x)


# The rules compute in integers; these are their formulas in Fractions, as docs/domain.md states them.

@given(st.integers(-10**12, 10**12), st.integers(1, 10**6))
def test_an_integer_ratio_rounds_as_its_fraction_does(numerator, denominator):
    assert round_ratio_half_up(numerator, denominator) == round_half_up(Fraction(numerator, denominator))


@given(hourly_schemes, statuses, st.one_of(st.none(), minutes))
def test_hourly_pay_is_its_formula_in_fractions(scheme, status, m):
    if status in ("absent", "leave"):
        assert hourly_day_pay(scheme, status, m) == 0
        return
    if m is None and status == "present":
        return  # MissingMinutes, tested on its own
    worked = Fraction(scheme.standard_minutes, 2) if m is None else Fraction(m)
    standard = Fraction(scheme.standard_minutes)
    paid = min(worked, standard) + Fraction(scheme.overtime_multiplier) * max(worked - standard, Fraction(0))
    assert hourly_day_pay(scheme, status, m) == round_half_up(scheme.rate_fen * paid / 60)


@given(daily_schemes, statuses)
def test_daily_pay_is_its_formula_in_fractions(scheme, status):
    assert daily_day_pay(scheme, status) == round_half_up(scheme.day_rate_fen * day_credit(status))


@given(monthly_schemes, months)
def test_monthly_pay_is_its_formula_in_fractions(scheme, month):
    credits = sum((day_credit(status) for status in month), Fraction(0))
    assert day_credits(month) == credits
    expected = round_half_up(scheme.stipend_fen * min(credits, Fraction(scheme.required_days)) / scheme.required_days)
    assert monthly_pay(scheme, month) == expected


@given(piece_days())
def test_piece_pay_is_its_formula_in_fractions(day):
    scheme, outputs = day
    totals: dict = {}
    for line in outputs:
        totals[(line.product, line.grade)] = totals.get((line.product, line.grade), 0) + line.quantity
    expected = sum(round_half_up(Fraction(q * scheme.rates[p] * scheme.grades[g], 100)) for (p, g), q in totals.items())
    assert piece_day_pay(scheme, outputs) == expected
