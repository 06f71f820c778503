import datetime
from decimal import Decimal

import pytest

from payroll import HourlyScheme, InvalidWorkRecord, MissingMinutes, hourly_day_pay, minutes_between

# 15 yuan an hour, 8-hour day, time and a half
SCHEME = HourlyScheme(rate_fen=1500)


def test_exactly_standard_minutes_pay_the_plain_rate():
    assert hourly_day_pay(SCHEME, "present", 480) == 12000  # 1500 * 480 / 60


def test_one_minute_under_standard_pays_the_plain_rate():
    assert hourly_day_pay(SCHEME, "present", 479) == 11975  # 1500 * 479 / 60


def test_one_minute_over_standard_is_paid_at_overtime_rate():
    # 1500 * (480 + 1.5 * 1) / 60 = 12037.5 -> 12038
    assert hourly_day_pay(SCHEME, "present", 481) == 12038


def test_two_hours_overtime_at_time_and_a_half():
    assert hourly_day_pay(SCHEME, "present", 600) == 16500  # 1500 * (480 + 1.5 * 120) / 60


def test_zero_minutes_pay_nothing():
    assert hourly_day_pay(SCHEME, "present", 0) == 0


def test_a_whole_day_of_minutes_is_still_payable():
    assert hourly_day_pay(SCHEME, "present", 1440) == 48000  # 1500 * (480 + 1.5 * 960) / 60


def test_a_double_time_multiplier():
    scheme = HourlyScheme(rate_fen=1500, overtime_multiplier=Decimal("2"))
    assert hourly_day_pay(scheme, "present", 540) == 15000  # 1500 * (480 + 2 * 60) / 60


def test_a_quarter_premium_multiplier():
    scheme = HourlyScheme(rate_fen=1500, overtime_multiplier=Decimal("1.25"))
    assert hourly_day_pay(scheme, "present", 600) == 15750  # 1500 * (480 + 1.25 * 120) / 60


def test_a_multiplier_of_one_pays_overtime_at_the_plain_rate():
    scheme = HourlyScheme(rate_fen=1500, overtime_multiplier=1)
    assert hourly_day_pay(scheme, "present", 600) == 15000  # 1500 * 600 / 60


def test_a_custom_standard_day():
    scheme = HourlyScheme(rate_fen=1200, standard_minutes=240)
    assert hourly_day_pay(scheme, "present", 300) == 6600  # 1200 * (240 + 1.5 * 60) / 60


def test_exactly_half_a_fen_rounds_up():
    assert hourly_day_pay(HourlyScheme(rate_fen=101), "present", 30) == 51  # 101 * 30 / 60 = 50.5 -> 51


def test_just_under_half_a_fen_rounds_down():
    assert hourly_day_pay(HourlyScheme(rate_fen=29), "present", 1) == 0  # 29 / 60 = 0.4833 -> 0
    assert hourly_day_pay(HourlyScheme(rate_fen=31), "present", 1) == 1  # 31 / 60 = 0.5167 -> 1


def test_overtime_that_lands_a_hair_under_half_a_fen_rounds_down():
    below = HourlyScheme(rate_fen=60, standard_minutes=1, overtime_multiplier=Decimal("1.4999"))
    at = HourlyScheme(rate_fen=60, standard_minutes=1, overtime_multiplier=Decimal("1.5"))
    assert hourly_day_pay(below, "present", 2) == 2  # 60 * (1 + 1.4999 * 1) / 60 = 2.4999 -> 2
    assert hourly_day_pay(at, "present", 2) == 3  # 60 * (1 + 1.5 * 1) / 60 = 2.5 -> 3


def test_the_multiplier_is_applied_exactly_not_in_floating_point():
    # 50 * (60 + 1.1 * 6) / 60 = 55.5 exactly -> 56; in floats it is 55.49999999999999 -> 55
    scheme = HourlyScheme(rate_fen=50, standard_minutes=60, overtime_multiplier=Decimal("1.1"))
    assert hourly_day_pay(scheme, "present", 66) == 56


def test_half_day_without_minutes_counts_half_the_standard_day():
    assert hourly_day_pay(SCHEME, "half_day", None) == 6000  # 1500 * 240 / 60


def test_half_day_of_an_odd_standard_day_keeps_the_half_minute():
    # 481 / 2 = 240.5 minutes: 120 * 240.5 / 60 = 481 (240 minutes would pay 480, 241 would pay 482)
    assert hourly_day_pay(HourlyScheme(rate_fen=120, standard_minutes=481), "half_day", None) == 481


def test_half_day_with_minutes_pays_the_minutes_worked():
    assert hourly_day_pay(SCHEME, "half_day", 300) == 7500  # 1500 * 300 / 60
    assert hourly_day_pay(SCHEME, "half_day", 0) == 0


def test_half_day_with_minutes_over_standard_still_earns_overtime():
    assert hourly_day_pay(SCHEME, "half_day", 500) == 12750  # 1500 * (480 + 1.5 * 20) / 60


def test_present_without_minutes_is_missing_minutes():
    with pytest.raises(MissingMinutes) as raised:
        hourly_day_pay(SCHEME, "present", None)
    assert isinstance(raised.value, InvalidWorkRecord)
    assert raised.value.field == "minutes"


@pytest.mark.parametrize("status", ["absent", "leave"])
@pytest.mark.parametrize("minutes", [None, 0, 480, 600, -5])
def test_absent_and_leave_pay_nothing_whatever_the_minutes_say(status, minutes):
    assert hourly_day_pay(SCHEME, status, minutes) == 0


@pytest.mark.parametrize("status", ["late", "", "Present", "PRESENT", None, 1])
def test_an_unknown_status_is_an_invalid_record(status):
    with pytest.raises(InvalidWorkRecord) as raised:
        hourly_day_pay(SCHEME, status, 480)
    assert raised.value.field == "status"


@pytest.mark.parametrize("minutes", [-1, 1441, 480.0, True, "480"])
def test_minutes_must_be_an_integer_within_one_day(minutes):
    with pytest.raises(InvalidWorkRecord) as raised:
        hourly_day_pay(SCHEME, "present", minutes)
    assert raised.value.field == "minutes"


def test_a_zero_rate_pays_nothing():
    assert hourly_day_pay(HourlyScheme(rate_fen=0), "present", 600) == 0


def test_minutes_between_check_in_and_check_out():
    assert minutes_between(datetime.time(8, 0), datetime.time(17, 30)) == 570  # 9 h 30 min


def test_checking_out_at_the_check_in_time_is_zero_minutes():
    assert minutes_between(datetime.time(8, 0), datetime.time(8, 0)) == 0


def test_the_whole_day_from_midnight():
    assert minutes_between(datetime.time(0, 0), datetime.time(23, 59)) == 1439


def test_a_started_minute_is_not_counted():
    assert minutes_between(datetime.time(8, 0, 30), datetime.time(8, 1, 0)) == 0  # 30 s
    assert minutes_between(datetime.time(8, 0, 0), datetime.time(8, 1, 59)) == 1  # 1 min 59 s
    assert minutes_between(datetime.time(8, 0, 0, 1), datetime.time(9, 0)) == 59  # 59 min 59.999999 s


def test_check_out_before_check_in_is_invalid():
    with pytest.raises(InvalidWorkRecord) as raised:
        minutes_between(datetime.time(8, 0), datetime.time(7, 59))
    assert raised.value.field == "check_out"


def test_check_out_a_second_before_check_in_is_invalid():
    with pytest.raises(InvalidWorkRecord):
        minutes_between(datetime.time(8, 0, 1), datetime.time(8, 0, 0))


def test_times_with_a_time_zone_are_refused():
    cst = datetime.timezone(datetime.timedelta(hours=8))
    with pytest.raises(InvalidWorkRecord) as raised:
        minutes_between(datetime.time(8, 0, tzinfo=cst), datetime.time(17, 0))
    assert raised.value.field == "check_in"


def test_times_must_be_times():
    with pytest.raises(InvalidWorkRecord) as raised:
        minutes_between(datetime.time(8, 0), "17:00")  # type: ignore[arg-type]
    assert raised.value.field == "check_out"


def test_check_times_feed_hourly_pay():
    minutes = minutes_between(datetime.time(7, 30), datetime.time(17, 0))  # 570
    assert hourly_day_pay(SCHEME, "present", minutes) == 15375  # 1500 * (480 + 1.5 * 90) / 60 = 1500 * 615 / 60
