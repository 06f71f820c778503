"""An overtime multiplier sent as a JSON number: kept as the decimal it wrote when a binary float holds that
decimal exactly, refused otherwise; never rounded on the way in."""
from decimal import Decimal

import marshmallow as ma
from hypothesis import given
from hypothesis import strategies as st

from app.api.schemas.registry import AssignmentIn


def load(multiplier):
    body = {"worker_id": "w", "site_id": "s", "start_date": "2026-04-01",
            "scheme": {"kind": "hourly", "rate_fen": 1200, "overtime_multiplier": multiplier}}
    return AssignmentIn().load(body)["scheme"]["overtime_multiplier"]


@given(st.floats(min_value=1, max_value=10))
def test_a_json_number_is_kept_as_its_exact_decimal_or_refused(number):
    try:
        kept = load(number)
    except ma.ValidationError as refusal:
        assert Decimal(number) != Decimal(repr(number))
        assert repr(number) in refusal.messages["scheme"][0]
    else:
        assert kept == Decimal(number) == Decimal(repr(number))
        assert str(kept) == repr(number)


@given(st.integers(4, 40).map(lambda quarters: quarters / 4))
def test_every_quarter_is_exact_and_taken(number):
    assert load(number) == Decimal(number)


@given(st.one_of(st.integers(1, 10), st.decimals(1, 10, places=4).map(str)))
def test_integers_and_decimal_strings_pass_through_untouched(multiplier):
    assert load(multiplier) == multiplier
