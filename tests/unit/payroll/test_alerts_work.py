"""The worker rules: no_work over the site's recorded days, and wage_arrears after approval."""
from datetime import date, datetime, timedelta

import pytest

from payroll import (
    AlertThresholds,
    Finding,
    no_work,
    wage_arrears,
)

DEFAULT = AlertThresholds()


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
