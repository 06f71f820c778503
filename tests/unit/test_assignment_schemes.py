"""An assignment's wage scheme is parsed once per distinct scheme, across batches, and never confused."""
import pytest

import payroll
from app.db.models import Assignment, registry


@pytest.fixture(autouse=True)
def no_remembered_schemes(monkeypatch):
    monkeypatch.setattr(registry, "_SCHEMES", {})


def assignment(scheme: dict) -> Assignment:
    return Assignment(worker_id="w", site_id="s", scheme=scheme)


def test_equal_schemes_of_different_rows_share_one_parse(monkeypatch):
    parses, parse = [], payroll.scheme_from_dict
    monkeypatch.setattr(payroll, "scheme_from_dict", lambda d: parses.append(d) or parse(d))
    first = assignment({"kind": "daily", "day_rate_fen": 8000}).wage_scheme
    second = assignment({"kind": "daily", "day_rate_fen": 8000}).wage_scheme  # as the next batch loads it
    assert first is second
    assert len(parses) == 1


def test_schemes_that_differ_only_in_a_json_type_are_parsed_apart():
    assert assignment({"kind": "daily", "day_rate_fen": 1}).wage_scheme == payroll.DailyScheme(1)
    with pytest.raises(payroll.InvalidScheme, match="must be an integer"):
        assignment({"kind": "daily", "day_rate_fen": True}).wage_scheme  # equal to 1 in Python, not in JSON
    hourly = assignment({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "2"}).wage_scheme
    assert hourly.overtime_multiplier == 2
    assert assignment({"kind": "hourly", "rate_fen": 1500}).wage_scheme.overtime_multiplier == payroll.HourlyScheme(
        1500).overtime_multiplier


def test_a_bad_scheme_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(payroll.InvalidScheme):
            assignment({"kind": "daily", "day_rate_fen": -1}).wage_scheme
    assert registry._SCHEMES == {}


def test_a_replaced_scheme_is_parsed_anew():
    row = assignment({"kind": "daily", "day_rate_fen": 8000})
    assert row.wage_scheme.day_rate_fen == 8000
    row.scheme = {"kind": "daily", "day_rate_fen": 9000}
    assert row.wage_scheme.day_rate_fen == 9000


def test_the_schemes_remembered_are_bounded(monkeypatch):
    monkeypatch.setattr(registry, "_SCHEMES_KEPT", 3)
    for rate in range(10):
        assert assignment({"kind": "daily", "day_rate_fen": rate}).wage_scheme.day_rate_fen == rate
        assert len(registry._SCHEMES) <= 3
