"""The household income rules: income_drop, below_line and projected_below_line, at and around their edges."""
import dataclasses
import json
from decimal import Decimal

import pytest

from payroll import (
    AlertThresholds,
    Finding,
    below_line,
    income_drop,
    projected_below_line,
)

DEFAULT = AlertThresholds()


def year_of(monthly_fen, year=2026, **overrides):
    """The same income in every month of ``year``, with some months overridden ("MM": fen)."""
    income = {f"{year}-{m:02d}": monthly_fen for m in range(1, 13)}
    income.update({f"{year}-{m}": fen for m, fen in overrides.items()})
    return income


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
