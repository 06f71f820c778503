from fractions import Fraction

import pytest

from payroll import DailyScheme, InvalidWorkRecord, MonthlyScheme, daily_day_pay, day_credit, monthly_pay


def test_present_pays_the_day_rate():
    assert daily_day_pay(DailyScheme(9000), "present") == 9000


def test_half_day_of_an_even_rate_is_exact():
    assert daily_day_pay(DailyScheme(9000), "half_day") == 4500


def test_half_day_of_an_odd_rate_rounds_half_up():
    assert daily_day_pay(DailyScheme(8001), "half_day") == 4001  # 8001 / 2 = 4000.5 -> 4001
    assert daily_day_pay(DailyScheme(1), "half_day") == 1  # 0.5 -> 1


@pytest.mark.parametrize("status", ["absent", "leave"])
def test_absent_and_leave_pay_no_day_rate(status):
    assert daily_day_pay(DailyScheme(9000), status) == 0


def test_a_zero_day_rate_pays_nothing():
    assert daily_day_pay(DailyScheme(0), "present") == 0


@pytest.mark.parametrize("status", ["late", "", "half", None])
def test_an_unknown_status_is_an_invalid_daily_record(status):
    with pytest.raises(InvalidWorkRecord):
        daily_day_pay(DailyScheme(9000), status)


def test_day_credits():
    assert day_credit("present") == 1
    assert day_credit("half_day") == Fraction(1, 2)
    assert day_credit("absent") == 0
    assert day_credit("leave") == 0
    assert isinstance(day_credit("half_day"), Fraction)


def test_an_unknown_status_has_no_credit():
    with pytest.raises(InvalidWorkRecord):
        day_credit("sick")


# 800 yuan for 22 days
POST = MonthlyScheme(stipend_fen=80000, required_days=22)


def test_an_empty_month_pays_nothing():
    assert monthly_pay(POST, []) == 0


def test_exactly_the_required_days_pay_the_whole_stipend():
    assert monthly_pay(POST, ["present"] * 22) == 80000


def test_days_beyond_the_required_days_are_capped_at_the_stipend():
    assert monthly_pay(POST, ["present"] * 25) == 80000  # min(25, 22) = 22


def test_half_the_required_days_pay_half_the_stipend():
    assert monthly_pay(POST, ["present"] * 11) == 40000  # 80000 * 11 / 22


def test_fewer_days_pay_a_rounded_share():
    assert monthly_pay(POST, ["present"] * 5) == 18182  # 80000 * 5 / 22 = 18181.82 -> 18182
    assert monthly_pay(POST, ["present"] * 3) == 10909  # 80000 * 3 / 22 = 10909.09 -> 10909


def test_half_days_count_half_a_day():
    # D = 10 + 0.5 = 10.5: 80000 * 10.5 / 22 = 38181.82 -> 38182
    assert monthly_pay(POST, ["present"] * 10 + ["half_day"]) == 38182


def test_half_days_alone_can_reach_the_required_days():
    assert monthly_pay(POST, ["half_day"] * 44) == 80000  # 44 * 0.5 = 22
    assert monthly_pay(POST, ["present"] * 21 + ["half_day"] * 2) == 80000  # 21 + 1 = 22


def test_absent_and_leave_days_earn_no_credit():
    statuses = ["present"] * 5 + ["absent"] * 3 + ["leave"] * 2
    assert monthly_pay(POST, statuses) == 18182  # D = 5: 80000 * 5 / 22 = 18181.82 -> 18182


def test_a_month_of_only_absences_pays_nothing():
    assert monthly_pay(POST, ["absent"] * 20 + ["leave"] * 10) == 0


def test_an_exact_half_fen_of_stipend_rounds_up():
    assert monthly_pay(MonthlyScheme(75001, 2), ["present"]) == 37501  # 75001 * 1 / 2 = 37500.5 -> 37501


def test_a_half_day_share_just_under_half_a_fen_rounds_down():
    # D = 0.5: 7 * 0.5 / 3 = 1.1667 -> 1; D = 1.5: 7 * 1.5 / 3 = 3.5 -> 4
    assert monthly_pay(MonthlyScheme(7, 3), ["half_day"]) == 1
    assert monthly_pay(MonthlyScheme(7, 3), ["present", "half_day"]) == 4


def test_the_accrued_amount_of_an_open_month_uses_the_days_so_far():
    days_so_far = ["present", "present", "half_day", "absent", "present"]  # D = 3.5
    assert monthly_pay(POST, days_so_far) == 12727  # 80000 * 3.5 / 22 = 12727.27 -> 12727


def test_statuses_may_be_any_iterable():
    assert monthly_pay(POST, (s for s in ["present"] * 11)) == 40000


def test_an_unknown_status_in_a_month_is_an_invalid_record():
    with pytest.raises(InvalidWorkRecord):
        monthly_pay(POST, ["present", "holiday"])


def test_a_single_string_is_not_a_month_of_statuses():
    with pytest.raises(TypeError):
        monthly_pay(POST, "present")
