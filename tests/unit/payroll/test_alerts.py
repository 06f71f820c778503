import dataclasses
import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from payroll import (
    KINDS,
    AlertThresholds,
    Finding,
    InvalidThresholds,
    below_line,
    income_drop,
    months_of_year_until,
    no_work,
    previous_months,
    projected_below_line,
    wage_arrears,
)

DEFAULT = AlertThresholds()


def year_of(monthly_fen, year=2026, **overrides):
    """The same income in every month of ``year``, with some months overridden ("MM": fen)."""
    income = {f"{year}-{m:02d}": monthly_fen for m in range(1, 13)}
    income.update({f"{year}-{m}": fen for m, fen in overrides.items()})
    return income


# --- months ---------------------------------------------------------------------------------------------------

def test_previous_months_cross_the_year_boundary_oldest_first():
    assert previous_months("2026-03", 3) == ["2025-12", "2026-01", "2026-02"]
    assert previous_months("2026-01", 1) == ["2025-12"]
    assert previous_months("2026-03", 15) == ["2024-12"] + [f"2025-{m:02d}" for m in range(1, 13)] + [
        "2026-01", "2026-02"]


def test_no_previous_months_is_an_empty_list():
    assert previous_months("2026-03", 0) == []


def test_months_of_year_until_starts_in_january_and_includes_the_month():
    assert months_of_year_until("2026-03") == ["2026-01", "2026-02", "2026-03"]
    assert months_of_year_until("2026-01") == ["2026-01"]
    assert months_of_year_until("2026-12") == [f"2026-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "2026-3", "26-03", "2026/03", "2026-03-01", " 2026-03",
                                   "0000-05", "\uff12\uff10\uff12\uff16-03", 202603, None])
def test_a_malformed_month_is_a_value_error(month):
    with pytest.raises(ValueError, match="YYYY-MM"):
        previous_months(month, 1)
    with pytest.raises(ValueError, match="YYYY-MM"):
        months_of_year_until(month)


def test_there_are_no_months_before_year_one():
    with pytest.raises(ValueError):
        previous_months("0001-01", 1)


@pytest.mark.parametrize("count", [-1, True, 1.0, "3"])
def test_previous_months_needs_a_count_of_zero_or_more(count):
    with pytest.raises(ValueError):
        previous_months("2026-03", count)


# --- thresholds -----------------------------------------------------------------------------------------------

def test_the_default_thresholds_are_the_domain_ones():
    assert DEFAULT.drop_ratio == Decimal("0.3")
    assert isinstance(DEFAULT.drop_ratio, Decimal)
    assert DEFAULT.monitoring_line_fen(2026) == 600_000  # 6,000 yuan per person per year
    assert (DEFAULT.no_work_days, DEFAULT.arrears_days, DEFAULT.projection_months) == (10, 15, 3)


def test_a_year_with_a_line_of_its_own_uses_it_and_others_use_the_default():
    t = AlertThresholds(monitoring_lines={2027: 650_000}, default_monitoring_line_fen=620_000)
    assert t.monitoring_line_fen(2027) == 650_000
    assert t.monitoring_line_fen(2026) == 620_000


def test_a_ratio_given_as_a_string_is_an_exact_decimal():
    assert AlertThresholds(drop_ratio="0.25").drop_ratio == Decimal("0.25")


def test_thresholds_keep_a_private_read_only_copy_of_the_lines():
    lines = {2026: 600_000}
    t = AlertThresholds(monitoring_lines=lines)
    lines[2026] = 1
    assert t.monitoring_line_fen(2026) == 600_000
    with pytest.raises(TypeError):
        t.monitoring_lines[2026] = 1


def test_equal_thresholds_are_equal_and_hash_alike():
    a, b = AlertThresholds(monitoring_lines={2026: 600_000}), AlertThresholds(monitoring_lines={2026: 600_000})
    assert a == b and hash(a) == hash(b)
    assert a != AlertThresholds(monitoring_lines={2026: 600_001})


@pytest.mark.parametrize("field, value", [
    ("drop_ratio", 0.3), ("drop_ratio", Decimal(0)), ("drop_ratio", 1), ("drop_ratio", "-0.1"),
    ("drop_ratio", "abc"), ("drop_ratio", "NaN"), ("drop_ratio", "Infinity"), ("drop_ratio", True),
    ("drop_ratio", "1e-999999999"), ("drop_ratio", "0.0000001"),
    ("monitoring_lines", [(2026, 600_000)]), ("monitoring_lines", {"2026": 600_000}),
    ("monitoring_lines", {True: 600_000}), ("monitoring_lines", {0: 600_000}),
    ("default_monitoring_line_fen", 0), ("default_monitoring_line_fen", 600_000.0),
    ("no_work_days", 0), ("no_work_days", True), ("arrears_days", -1),
    ("projection_months", 0), ("projection_months", 13),
])
def test_nonsense_thresholds_are_value_errors_naming_the_field(field, value):
    with pytest.raises(InvalidThresholds) as raised:
        AlertThresholds(**{field: value})
    assert isinstance(raised.value, ValueError)
    assert raised.value.field == field
    assert field in str(raised.value)


@pytest.mark.parametrize("line", [0, -1, 600_000.0, None])
def test_a_bad_line_of_a_year_names_the_year(line):
    with pytest.raises(InvalidThresholds) as raised:
        AlertThresholds(monitoring_lines={2026: line})
    assert raised.value.field == "monitoring_lines.2026"


def test_the_edges_of_the_thresholds_are_allowed():
    t = AlertThresholds(drop_ratio="0.000001", no_work_days=1, arrears_days=0, projection_months=12)
    assert (t.no_work_days, t.arrears_days, t.projection_months) == (1, 0, 12)
    assert AlertThresholds(drop_ratio="0.999999", projection_months=1).projection_months == 1


# --- findings -------------------------------------------------------------------------------------------------

def test_a_finding_has_one_of_the_five_kinds():
    assert KINDS == ("income_drop", "below_line", "no_work", "wage_arrears", "projected_below_line")
    with pytest.raises(ValueError):
        Finding("income_rise", "2026-04", {})
    with pytest.raises(ValueError):
        Finding("income_drop", "April", {})


# --- income_drop ----------------------------------------------------------------------------------------------

# average (300,000 + 310,000 + 290,000) / 3 = 300,000; threshold (1 - 0.3) x 300,000 = 210,000
STEADY = {"2026-01": 300_000, "2026-02": 310_000, "2026-03": 290_000}


def test_income_well_below_the_threshold_is_an_income_drop():
    finding = income_drop({**STEADY, "2026-04": 190_000}, "2026-04", DEFAULT)
    assert finding == Finding("income_drop", "2026-04", {
        "income_fen": 190_000, "previous_fen": STEADY, "baseline_fen": 300_000,
        "drop_ratio": "0.3", "threshold_fen": 210_000,
    })


def test_income_above_the_threshold_is_no_drop():
    assert income_drop({**STEADY, "2026-04": 220_000}, "2026-04", DEFAULT) is None


def test_income_exactly_at_the_threshold_is_no_drop():
    assert income_drop({**STEADY, "2026-04": 210_000}, "2026-04", DEFAULT) is None


def test_one_fen_below_the_threshold_is_a_drop():
    assert income_drop({**STEADY, "2026-04": 209_999}, "2026-04", DEFAULT).detail["income_fen"] == 209_999


def test_no_income_this_month_is_a_drop():
    assert income_drop(STEADY, "2026-04", DEFAULT).detail["income_fen"] == 0


@pytest.mark.parametrize("gap", ["2026-01", "2026-02", "2026-03"])
def test_a_month_without_income_among_the_previous_three_means_no_drop(gap):
    assert income_drop({**STEADY, gap: 0, "2026-04": 0}, "2026-04", DEFAULT) is None
    missing = {month: fen for month, fen in STEADY.items() if month != gap}
    assert income_drop({**missing, "2026-04": 0}, "2026-04", DEFAULT) is None


def test_a_larger_drop_ratio_lowers_the_threshold():
    # (1 - 0.5) x 300,000 = 150,000, and 190,000 is not below it
    assert income_drop({**STEADY, "2026-04": 190_000}, "2026-04", AlertThresholds(drop_ratio="0.5")) is None
    assert income_drop({**STEADY, "2026-04": 149_999}, "2026-04", AlertThresholds(drop_ratio="0.5")) is not None


def test_the_threshold_is_not_rounded_before_comparing():
    # average 300,001 / 3; threshold 0.7 x 300,001 / 3 = 70,000.2333...: 70,000 is below it, 70,001 is not
    income = {"2026-01": 100_000, "2026-02": 100_000, "2026-03": 100_001}
    finding = income_drop({**income, "2026-04": 70_000}, "2026-04", DEFAULT)
    assert finding.detail["threshold_fen"] == 70_001  # rounded up: whole-fen incomes below it are the drops
    assert finding.detail["baseline_fen"] == 100_000  # 100,000.333... half-up, for reading
    assert income_drop({**income, "2026-04": 70_001}, "2026-04", DEFAULT) is None


def test_the_previous_three_months_of_january_are_last_years_last_three():
    income = {"2025-10": 300_000, "2025-11": 300_000, "2025-12": 300_000, "2026-01": 100_000}
    assert list(income_drop(income, "2026-01", DEFAULT).detail["previous_fen"]) == ["2025-10", "2025-11", "2025-12"]


def test_months_outside_the_window_do_not_matter():
    income = {**STEADY, "2025-12": 0, "2026-04": 190_000, "2026-05": 0}
    assert income_drop(income, "2026-04", DEFAULT) is not None


def test_income_drop_detail_is_json_safe():
    finding = income_drop({**STEADY, "2026-04": 190_000}, "2026-04", DEFAULT)
    assert json.loads(json.dumps(dataclasses.asdict(finding)))["detail"]["threshold_fen"] == 210_000


@pytest.mark.parametrize("fen, error", [(190_000.0, TypeError), (Decimal(190_000), TypeError), (True, TypeError),
                                        ("190000", TypeError), (-1, ValueError)])
def test_income_must_be_whole_non_negative_fen(fen, error):
    with pytest.raises(error):
        income_drop({**STEADY, "2026-04": fen}, "2026-04", DEFAULT)


# --- below_line -----------------------------------------------------------------------------------------------

# size 4 at 600,000 fen per person per year: 2,400,000 fen over 12 months; 12 x 200,000 = 2,400,000


def test_a_household_exactly_at_the_line_is_not_below_it():
    assert below_line("poor", 4, year_of(200_000), "2026-12", DEFAULT) is None


def test_one_fen_below_the_line_is_below_it():
    income = year_of(200_000, **{"06": 199_999})  # 2,399,999 / 4 = 599,999.75 per person
    assert below_line("poor", 4, income, "2026-12", DEFAULT) == Finding("below_line", "2026-12", {
        "income_fen": 2_399_999, "months_fen": income, "size": 4,
        "line_per_person_fen": 600_000, "line_fen": 2_400_000,
    })


def test_one_fen_above_the_line_is_not_below_it():
    assert below_line("poor", 4, year_of(200_000, **{"06": 200_001}), "2026-12", DEFAULT) is None


def test_a_monitored_household_is_watched_too():
    assert below_line("monitored", 4, year_of(200_000, **{"06": 199_999}), "2026-12", DEFAULT) is not None


def test_a_household_of_status_other_is_never_below_the_line():
    assert below_line("other", 4, {}, "2026-12", DEFAULT) is None


def test_months_without_a_record_count_as_zero():
    assert below_line("poor", 4, {"2026-12": 2_399_999}, "2026-12", DEFAULT).detail["months_fen"]["2026-01"] == 0
    assert below_line("poor", 4, {"2026-12": 2_400_000}, "2026-12", DEFAULT) is None  # one month may carry it all


def test_the_twelve_months_end_with_the_month():
    income = {"2025-12": 2_400_000}
    assert below_line("poor", 4, income, "2026-11", DEFAULT) is None  # 2025-12 .. 2026-11
    assert below_line("poor", 4, income, "2026-12", DEFAULT).detail["income_fen"] == 0  # 2026-01 .. 2026-12


def test_the_line_of_the_months_year_is_used():
    t = AlertThresholds(monitoring_lines={2027: 650_000})
    income = {"2026-12": 640_000}  # one person: 640,000 is above 600,000 (2026) and below 650,000 (2027)
    assert below_line("poor", 1, income, "2026-12", t) is None
    finding = below_line("poor", 1, income, "2027-03", t)  # 2026-04 .. 2027-03
    assert finding.detail["line_fen"] == 650_000 and finding.detail["income_fen"] == 640_000


@pytest.mark.parametrize("status, size", [("Poor", 4), ("", 4), (None, 4), ("poor", 0), ("poor", True), ("poor", 2.0)])
def test_an_unknown_status_or_a_bad_size_is_a_value_error(status, size):
    with pytest.raises(ValueError):
        below_line(status, size, {}, "2026-12", DEFAULT)


# --- projected_below_line -------------------------------------------------------------------------------------

# size 2 at 600,000: line 1,200,000. Six months of 100,000 through June: ytd 600,000, recent average
# (Apr + May + Jun) / 3 = 100,000, projected 600,000 + 100,000 x 6 = 1,200,000: exactly at the line
HALF_YEAR = {f"2026-{m:02d}": 100_000 for m in range(1, 7)}


def test_a_projection_exactly_at_the_line_is_not_below_it():
    assert projected_below_line("poor", 2, HALF_YEAR, "2026-06", DEFAULT) is None


def test_a_projection_one_fen_below_the_line_is_below_it():
    income = {**HALF_YEAR, "2026-01": 99_999}  # ytd 599,999; average still 100,000: projected 1,199,999
    assert projected_below_line("monitored", 2, income, "2026-06", DEFAULT) == Finding(
        "projected_below_line", "2026-06", {
            "ytd_fen": 599_999, "months_fen": income, "months_averaged": 3, "average_recent_fen": 100_000,
            "months_left": 6, "projected_fen": 1_199_999, "size": 2,
            "line_per_person_fen": 600_000, "line_fen": 1_200_000,
        })


def test_a_projection_one_fen_above_the_line_is_not_below_it():
    assert projected_below_line("poor", 2, {**HALF_YEAR, "2026-01": 100_001}, "2026-06", DEFAULT) is None


def test_the_projection_averages_the_recent_months_only():
    # a poor June: ytd 500,000; average (100,000 + 100,000 + 0) / 3 = 66,666.67; projected 900,000 (exact)
    finding = projected_below_line("poor", 2, {**HALF_YEAR, "2026-06": 0}, "2026-06", DEFAULT)
    assert (finding.detail["ytd_fen"], finding.detail["projected_fen"]) == (500_000, 900_000)
    assert finding.detail["average_recent_fen"] == 66_667


def test_in_december_the_projection_is_the_years_income():
    # size 1: line 600,000; twelve months of 50,000 = 600,000, nothing left to project
    assert projected_below_line("poor", 1, year_of(50_000), "2026-12", DEFAULT) is None
    finding = projected_below_line("poor", 1, year_of(50_000, **{"12": 49_999}), "2026-12", DEFAULT)
    assert (finding.detail["months_left"], finding.detail["projected_fen"]) == (0, 599_999)


def test_a_young_year_averages_fewer_months_and_ignores_last_year():
    # February: average (0 + 60,000) / 2 = 30,000; projected 60,000 + 30,000 x 10 = 360,000 < 600,000.
    # Counting last December would average 1,020,000 and raise nothing.
    income = {"2025-12": 3_000_000, "2026-01": 0, "2026-02": 60_000}
    finding = projected_below_line("poor", 1, income, "2026-02", DEFAULT)
    assert finding.detail["months_averaged"] == 2 and finding.detail["projected_fen"] == 360_000
    assert list(finding.detail["months_fen"]) == ["2026-01", "2026-02"]


def test_a_young_year_divides_by_the_months_it_has():
    # average 90,000 / 2 = 45,000; projected 90,000 + 45,000 x 10 = 540,000, above a 500,000 line
    # (dividing by 3 would give 390,000 and a finding)
    t = AlertThresholds(monitoring_lines={2026: 500_000})
    assert projected_below_line("poor", 1, {"2026-02": 90_000}, "2026-02", t) is None


def test_january_projects_its_own_income():
    # 40,000 + 40,000 x 11 = 480,000 < 600,000
    assert projected_below_line("poor", 1, {"2026-01": 40_000}, "2026-01", DEFAULT).detail["projected_fen"] == 480_000


def test_the_projected_amount_is_rounded_half_up_for_reading():
    # projection over 2 months in November: ytd 1, average (0 + 1) / 2, projected 1 + 1/2 x 1 = 1.5 -> 2
    finding = projected_below_line("poor", 1, {"2026-11": 1}, "2026-11", AlertThresholds(projection_months=2))
    assert finding.detail["projected_fen"] == 2


def test_a_household_of_status_other_is_never_projected_below_the_line():
    assert projected_below_line("other", 2, {}, "2026-06", DEFAULT) is None


def test_projected_below_line_rejects_an_unknown_status():
    with pytest.raises(ValueError):
        projected_below_line("rich", 2, {}, "2026-06", DEFAULT)


# --- no_work --------------------------------------------------------------------------------------------------

THREE = AlertThresholds(no_work_days=3)
# site records on June 1, 2, 3 and 5 (nobody on the 4th): the last 3 recorded days up to June 5 are 2, 3, 5
SITE = [date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 5)]


def test_no_work_on_the_last_n_recorded_site_days_is_no_work():
    assert no_work([date(2026, 6, 1)], SITE, date(2026, 6, 5), THREE) == Finding("no_work", "2026-06", {
        "days": ["2026-06-02", "2026-06-03", "2026-06-05"], "last_worked_on": "2026-06-01",
    })


def test_work_on_the_oldest_of_the_n_days_is_enough():
    assert no_work([date(2026, 6, 2)], SITE, date(2026, 6, 5), THREE) is None


def test_a_site_with_fewer_than_n_recorded_days_is_not_enough_evidence():
    assert no_work([], SITE[:2], date(2026, 6, 5), THREE) is None
    assert no_work([], SITE[:3], date(2026, 6, 5), THREE) is not None


def test_days_after_as_of_are_ignored():
    later = [date(2026, 6, 6), date(2026, 6, 7)]
    finding = no_work([date(2026, 6, 6)], SITE + later, date(2026, 6, 5), THREE)
    assert finding.detail == {"days": ["2026-06-02", "2026-06-03", "2026-06-05"], "last_worked_on": None}


def test_the_default_looks_at_ten_recorded_days():
    site = [date(2026, 6, 1) + timedelta(days=i) for i in range(10)]
    assert no_work([], site, date(2026, 6, 10), DEFAULT).detail["days"][0] == "2026-06-01"
    assert no_work([], site[1:], date(2026, 6, 10), DEFAULT) is None


def test_a_workers_own_day_is_a_recorded_day_of_the_site():
    # a worker day the site list missed still counts: June 4 joins the last three (3, 4, 5)
    assert no_work([date(2026, 6, 4)], SITE, date(2026, 6, 5), THREE) is None


def test_no_work_takes_days_not_datetimes():
    with pytest.raises(TypeError):
        no_work([], SITE, datetime(2026, 6, 5, 12), THREE)
    with pytest.raises(TypeError):
        no_work(["2026-06-02"], SITE, date(2026, 6, 5), THREE)


# --- wage_arrears ---------------------------------------------------------------------------------------------

APPROVED = date(2026, 5, 1)


def test_wages_unpaid_fifteen_days_after_approval_are_arrears():
    # May 1 + 15 days = May 16
    assert wage_arrears(APPROVED, 1, date(2026, 5, 16), DEFAULT, "2026-04") == Finding("wage_arrears", "2026-04", {
        "approved_on": "2026-05-01", "unpaid_fen": 1, "days_since_approval": 15, "arrears_days": 15,
    })


def test_fourteen_days_after_approval_is_not_yet_arrears():
    assert wage_arrears(APPROVED, 80_000, date(2026, 5, 15), DEFAULT, "2026-04") is None


def test_paid_wages_are_no_arrears():
    assert wage_arrears(APPROVED, 0, date(2026, 6, 30), DEFAULT, "2026-04") is None


def test_with_zero_days_allowed_unpaid_wages_are_arrears_the_same_day():
    t = AlertThresholds(arrears_days=0)
    assert wage_arrears(APPROVED, 80_000, APPROVED, t, "2026-04").detail["days_since_approval"] == 0
    assert wage_arrears(APPROVED, 80_000, APPROVED - timedelta(days=1), t, "2026-04") is None


def test_wage_arrears_checks_its_arguments():
    with pytest.raises(TypeError):
        wage_arrears(APPROVED, 80_000.0, date(2026, 5, 16), DEFAULT, "2026-04")
    with pytest.raises(TypeError):
        wage_arrears(datetime(2026, 5, 1), 80_000, date(2026, 5, 16), DEFAULT, "2026-04")
    with pytest.raises(ValueError):
        wage_arrears(APPROVED, 80_000, date(2026, 5, 16), DEFAULT, "2026-4")


def test_a_huge_allowance_does_not_overflow_the_calendar():
    t = AlertThresholds(arrears_days=10**9)
    assert wage_arrears(date(9999, 12, 1), 1, date(9999, 12, 31), t, "9999-11") is None
