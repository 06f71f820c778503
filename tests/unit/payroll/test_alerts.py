"""The alert rules' calendar (months, the previous ones, the year so far), their thresholds, and the kinds of
finding."""
from decimal import Decimal

import pytest

from payroll import (
    KINDS,
    AlertThresholds,
    Finding,
    InvalidThresholds,
    months_of_year_until,
    previous_months,
)

DEFAULT = AlertThresholds()


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
