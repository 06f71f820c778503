import dataclasses
import json
import pickle
from decimal import Decimal

import pytest

from payroll import (
    STATUSES,
    DailyScheme,
    HourlyScheme,
    InvalidScheme,
    InvalidWorkRecord,
    MissingMinutes,
    MonthlyScheme,
    PieceScheme,
    UnknownGrade,
    UnknownProduct,
    scheme_from_dict,
    scheme_to_dict,
)


def test_the_four_statuses_are_the_domain_ones():
    assert STATUSES == ("present", "half_day", "absent", "leave")


def test_each_scheme_names_its_kind():
    assert HourlyScheme.kind == "hourly"
    assert DailyScheme.kind == "daily"
    assert PieceScheme.kind == "piece"
    assert MonthlyScheme.kind == "monthly"


def test_hourly_defaults_are_eight_hours_and_time_and_a_half():
    scheme = HourlyScheme(rate_fen=1500)
    assert scheme.standard_minutes == 480
    assert scheme.overtime_multiplier == Decimal("1.5")
    assert isinstance(scheme.overtime_multiplier, Decimal)


def test_piece_default_grades_are_a_full_b_eighty_c_nothing():
    assert dict(PieceScheme(rates={"bag": 35}).grades) == {"A": 100, "B": 80, "C": 0}


def test_hourly_from_dict_takes_defaults_for_missing_optional_fields():
    assert scheme_from_dict({"kind": "hourly", "rate_fen": 1500}) == HourlyScheme(1500, 480, Decimal("1.5"))


def test_hourly_from_dict_reads_every_field():
    d = {"kind": "hourly", "rate_fen": 1800, "standard_minutes": 420, "overtime_multiplier": "2"}
    assert scheme_from_dict(d) == HourlyScheme(1800, 420, Decimal(2))


@pytest.mark.parametrize("given", ["1.25", 2, Decimal("1.25"), " 1.25 "])
def test_overtime_multiplier_is_read_from_a_string_an_int_or_a_decimal(given):
    scheme = scheme_from_dict({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": given})
    assert scheme.overtime_multiplier == Decimal(given)
    assert isinstance(scheme.overtime_multiplier, Decimal)


def test_daily_monthly_and_piece_from_dict():
    assert scheme_from_dict({"kind": "daily", "day_rate_fen": 9000}) == DailyScheme(9000)
    assert scheme_from_dict({"kind": "monthly", "stipend_fen": 80000, "required_days": 22}) == MonthlyScheme(80000, 22)
    piece = scheme_from_dict({"kind": "piece", "rates": {"bag": 35}, "grades": {"good": 100, "poor": 50}})
    assert piece == PieceScheme(rates={"bag": 35}, grades={"good": 100, "poor": 50})


def test_piece_from_dict_without_grades_uses_the_default_grades():
    assert dict(scheme_from_dict({"kind": "piece", "rates": {"bag": 35}}).grades) == {"A": 100, "B": 80, "C": 0}


def test_bounds_are_inclusive():
    assert HourlyScheme(0, standard_minutes=1, overtime_multiplier=1).standard_minutes == 1
    assert HourlyScheme(0, standard_minutes=1440, overtime_multiplier="10").standard_minutes == 1440
    assert MonthlyScheme(0, required_days=1).required_days == 1
    assert MonthlyScheme(0, required_days=31).required_days == 31
    assert dict(PieceScheme(rates={"bag": 0}, grades={"A": 0, "S": 100}).grades) == {"A": 0, "S": 100}


@pytest.mark.parametrize(
    ("d", "field"),
    [
        ({"rate_fen": 1500}, "kind"),
        ({"kind": "weekly", "rate_fen": 1500}, "kind"),
        ({"kind": None}, "kind"),
        ({"kind": "hourly"}, "rate_fen"),
        ({"kind": "hourly", "rate_fen": 1500, "rate": 1}, "rate"),
        ({"kind": "hourly", "rate_fen": -1}, "rate_fen"),
        ({"kind": "hourly", "rate_fen": 15.0}, "rate_fen"),
        ({"kind": "hourly", "rate_fen": "1500"}, "rate_fen"),
        ({"kind": "hourly", "rate_fen": True}, "rate_fen"),
        ({"kind": "hourly", "rate_fen": 1500, "standard_minutes": 0}, "standard_minutes"),
        ({"kind": "hourly", "rate_fen": 1500, "standard_minutes": 1441}, "standard_minutes"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "0.99"}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "10.01"}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "1e999999999"}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "abc"}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": ""}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "NaN"}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": "Infinity"}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": 1.5}, "overtime_multiplier"),
        ({"kind": "hourly", "rate_fen": 1500, "overtime_multiplier": True}, "overtime_multiplier"),
        ({"kind": "daily", "day_rate_fen": -100}, "day_rate_fen"),
        ({"kind": "daily"}, "day_rate_fen"),
        ({"kind": "monthly", "stipend_fen": 80000}, "required_days"),
        ({"kind": "monthly", "stipend_fen": -1, "required_days": 22}, "stipend_fen"),
        ({"kind": "monthly", "stipend_fen": 80000, "required_days": 0}, "required_days"),
        ({"kind": "monthly", "stipend_fen": 80000, "required_days": 32}, "required_days"),
        ({"kind": "piece"}, "rates"),
        ({"kind": "piece", "rates": {}}, "rates"),
        ({"kind": "piece", "rates": [["bag", 35]]}, "rates"),
        ({"kind": "piece", "rates": {"": 35}}, "rates"),
        ({"kind": "piece", "rates": {" bag": 35}}, "rates"),
        ({"kind": "piece", "rates": {1: 35}}, "rates"),
        ({"kind": "piece", "rates": {"bag": -1}}, "rates.bag"),
        ({"kind": "piece", "rates": {"bag": 3.5}}, "rates.bag"),
        ({"kind": "piece", "rates": {"bag": 35}, "grades": {}}, "grades"),
        ({"kind": "piece", "rates": {"bag": 35}, "grades": {"": 100}}, "grades"),
        ({"kind": "piece", "rates": {"bag": 35}, "grades": {"A": 101}}, "grades.A"),
        ({"kind": "piece", "rates": {"bag": 35}, "grades": {"A": -1}}, "grades.A"),
        ({"kind": "piece", "rates": {"bag": 35}, "grades": {"A": "100"}}, "grades.A"),
    ],
)
def test_invalid_scheme_names_the_offending_field(d, field):
    with pytest.raises(InvalidScheme) as raised:
        scheme_from_dict(d)
    assert raised.value.field == field
    assert field in str(raised.value)


@pytest.mark.parametrize("not_a_mapping", [None, [], "hourly", 1500])
def test_a_scheme_must_be_a_mapping(not_a_mapping):
    with pytest.raises(InvalidScheme):
        scheme_from_dict(not_a_mapping)


def test_constructing_a_scheme_directly_validates_too():
    with pytest.raises(InvalidScheme):
        HourlyScheme(rate_fen=-1)
    with pytest.raises(InvalidScheme):
        PieceScheme(rates={"bag": 35}, grades={"A": 120})


def test_invalid_scheme_is_a_value_error():
    assert issubclass(InvalidScheme, ValueError)


@pytest.mark.parametrize(
    ("scheme", "expected"),
    [
        (HourlyScheme(1500),
         {"kind": "hourly", "rate_fen": 1500, "standard_minutes": 480, "overtime_multiplier": "1.5"}),
        (HourlyScheme(1500, 420, Decimal("1.25")),
         {"kind": "hourly", "rate_fen": 1500, "standard_minutes": 420, "overtime_multiplier": "1.25"}),
        (DailyScheme(9000), {"kind": "daily", "day_rate_fen": 9000}),
        (PieceScheme({"bag": 35, "hat": 120}),
         {"kind": "piece", "rates": {"bag": 35, "hat": 120}, "grades": {"A": 100, "B": 80, "C": 0}}),
        (PieceScheme({"bag": 35}, {"good": 100, "poor": 40}),
         {"kind": "piece", "rates": {"bag": 35}, "grades": {"good": 100, "poor": 40}}),
        (MonthlyScheme(80000, 22), {"kind": "monthly", "stipend_fen": 80000, "required_days": 22}),
    ],
)
def test_scheme_to_dict_is_json_safe_and_round_trips(scheme, expected):
    d = scheme_to_dict(scheme)
    assert d == expected
    assert json.loads(json.dumps(d)) == expected
    assert scheme_from_dict(json.loads(json.dumps(d))) == scheme


def test_schemes_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        HourlyScheme(1500).rate_fen = 1  # type: ignore[misc]
    piece = PieceScheme({"bag": 35})
    with pytest.raises(TypeError):
        piece.rates["bag"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        piece.grades["A"] = 1  # type: ignore[index]


def test_changing_the_callers_dict_does_not_change_the_scheme():
    rates = {"bag": 35}
    piece = PieceScheme(rates)
    rates["bag"] = 1
    rates["hat"] = 2
    assert dict(piece.rates) == {"bag": 35}


def test_equal_schemes_hash_equal():
    assert hash(PieceScheme({"bag": 35, "hat": 1})) == hash(PieceScheme({"hat": 1, "bag": 35}))
    assert hash(HourlyScheme(1500, overtime_multiplier="1.50")) == hash(HourlyScheme(1500))
    assert len({DailyScheme(1), DailyScheme(1), MonthlyScheme(1, 2)}) == 2


def test_work_record_errors_form_one_family_with_their_field():
    cases = [(UnknownProduct("bag"), "product"), (UnknownGrade("D"), "grade"), (MissingMinutes(), "minutes")]
    for error, field in cases:
        assert isinstance(error, InvalidWorkRecord)
        assert isinstance(error, ValueError)
        assert error.field == field
    assert UnknownProduct("bag").product == "bag"
    assert UnknownGrade("D").grade == "D"


def test_work_record_errors_survive_pickling():
    product = pickle.loads(pickle.dumps(UnknownProduct("bag")))
    grade = pickle.loads(pickle.dumps(UnknownGrade("D")))
    scheme_error = pickle.loads(pickle.dumps(InvalidScheme("bad", field="rate_fen")))
    assert (product.product, str(product)) == ("bag", str(UnknownProduct("bag")))
    assert (grade.grade, grade.field) == ("D", "grade")
    assert scheme_error.field == "rate_fen"


@pytest.mark.parametrize("scheme", [
    {"kind": "hourly", "rate_fen": 10_000_001},
    {"kind": "daily", "day_rate_fen": 10**30},
    {"kind": "piece", "rates": {"bear": 10_000_001}},
    {"kind": "monthly", "stipend_fen": 10_000_001, "required_days": 22},
])
def test_amounts_beyond_100000_yuan_are_refused(scheme):
    with pytest.raises(InvalidScheme):
        scheme_from_dict(scheme)


def test_an_amount_of_exactly_100000_yuan_is_accepted():
    assert scheme_from_dict({"kind": "daily", "day_rate_fen": 10_000_000}).day_rate_fen == 10_000_000
