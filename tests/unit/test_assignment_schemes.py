"""An assignment's wage scheme is parsed once per distinct stored text, across batches, and never confused."""
import json
from datetime import date

import pytest

import payroll
from app.ledger import terms
from app.ledger.terms import AssignmentTerms


@pytest.fixture(autouse=True)
def no_remembered_schemes(monkeypatch):
    monkeypatch.setattr(terms, "_SCHEMES", {})


def assignment(scheme: dict | str, start=date(2026, 3, 1), end=None) -> AssignmentTerms:
    text = scheme if isinstance(scheme, str) else json.dumps(scheme)
    return AssignmentTerms("a", "w", "s", start, end, text)


def test_equal_schemes_of_different_rows_share_one_parse(monkeypatch):
    parses, parse = [], payroll.scheme_from_dict
    monkeypatch.setattr(payroll, "scheme_from_dict", lambda d: parses.append(d) or parse(d))
    first = assignment({"kind": "daily", "day_rate_fen": 8000}).wage_scheme
    second = assignment({"kind": "daily", "day_rate_fen": 8000}).wage_scheme  # as the next batch loads it
    assert first is second
    assert assignment({"kind": "daily", "day_rate_fen": 8000}).kind == "daily"
    assert len(parses) == 1


def test_schemes_that_differ_only_in_a_json_type_are_parsed_apart():
    assert assignment({"kind": "daily", "day_rate_fen": 1}).wage_scheme == payroll.DailyScheme(1)
    with pytest.raises(payroll.InvalidScheme, match="must be an integer"):
        assignment({"kind": "daily", "day_rate_fen": True}).wage_scheme  # equal to 1 in Python, not in JSON
    hourly = assignment({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "2"}).wage_scheme
    assert hourly.overtime_multiplier == 2
    assert assignment({"kind": "hourly", "rate_fen": 1500}).wage_scheme.overtime_multiplier == payroll.HourlyScheme(
        1500).overtime_multiplier


def test_texts_of_one_scheme_give_equal_schemes():
    spaced = assignment('{ "day_rate_fen" : 8000, "kind" : "daily" }').wage_scheme
    assert spaced == assignment({"kind": "daily", "day_rate_fen": 8000}).wage_scheme == payroll.DailyScheme(8000)


def test_a_bad_scheme_is_refused_every_time():
    for _ in range(2):
        with pytest.raises(payroll.InvalidScheme):
            assignment({"kind": "daily", "day_rate_fen": -1}).wage_scheme
    assert terms._SCHEMES == {}


def test_the_schemes_remembered_are_bounded(monkeypatch):
    monkeypatch.setattr(terms, "_SCHEMES_KEPT", 3)
    for rate in range(10):
        assert assignment({"kind": "daily", "day_rate_fen": rate}).wage_scheme.day_rate_fen == rate
        assert len(terms._SCHEMES) <= 3


@pytest.mark.parametrize(("day", "covered"), [
    (date(2026, 2, 28), False), (date(2026, 3, 1), True), (date(2026, 3, 31), True), (date(2026, 4, 1), False)])
def test_an_assignment_covers_its_days_inclusive(day, covered):
    assert assignment({"kind": "daily", "day_rate_fen": 1}, end=date(2026, 3, 31)).covers(day) is covered
    assert assignment({"kind": "daily", "day_rate_fen": 1}).covers(day) is (day >= date(2026, 3, 1))
