"""The checks a worker's national id and bank account pass: a real id passes, any one mistyped character
fails it; a bank account of one repeated digit is refused, a card number failing Luhn is only a warning."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn
from stdnum.cn import ric

from app.registry.identity import LUHN_WARNING, NotAnIdentity, check_bank_account, check_national_id

TODAY = date(2026, 12, 7)
ADDRESSES = st.sampled_from(["360702", "360731", "110105", "440305", "510104"])
BIRTHS = st.dates(date(1907, 1, 1), date(2010, 12, 7))


def national_id(address: str, born: date, sequence: int) -> str:
    body = f"{address}{born:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")


@settings(max_examples=200, deadline=None)
@given(ADDRESSES, BIRTHS, st.integers(0, 999))
def test_an_id_written_with_its_check_digit_passes(address, born, sequence):
    number = national_id(address, born, sequence)
    assert check_national_id(number.lower(), TODAY) == number


@settings(max_examples=300, deadline=None)
@given(ADDRESSES, BIRTHS, st.integers(0, 999), st.integers(0, 17), st.integers(1, 10))
def test_any_one_character_changed_fails(address, born, sequence, position, shift):
    number = national_id(address, born, sequence)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    changed = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    if changed == number[position]:
        return  # a shift of the whole alphabet changes nothing
    with pytest.raises(NotAnIdentity):
        check_national_id(number[:position] + changed + number[position + 1:], TODAY)


@pytest.mark.parametrize("number, reason", [
    ("110105194912310021", "check digit"),
    ("999999999999999999", "check digit"),
    ("3607021990", "18 characters"),
    ("36070219900101123A", "17 digits"),
    (national_id("360702", date(2012, 1, 1), 1), "working age"),  # a child
    (national_id("360702", date(1899, 12, 31), 1), "working age"),
])
def test_refusals_say_why(number, reason):
    with pytest.raises(NotAnIdentity, match=reason):
        check_national_id(number, TODAY)


def test_a_birth_date_that_is_no_day_is_refused():
    body = "36070219900230123"  # 30 February
    with pytest.raises(NotAnIdentity, match="date of birth"):
        check_national_id(body + ric.calc_check_digit(body + "0"), TODAY)


def test_sixteen_today_is_old_enough_and_a_day_less_is_not():
    assert check_national_id(national_id("360702", date(2010, 12, 7), 5), TODAY)
    with pytest.raises(NotAnIdentity):
        check_national_id(national_id("360702", date(2010, 12, 7) + timedelta(days=1), 5), TODAY)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from("0123456789"), st.integers(8, 32))
def test_one_digit_repeated_is_refused(digit, length):
    with pytest.raises(NotAnIdentity, match="repeated"):
        check_bank_account(digit * length)


@settings(max_examples=200, deadline=None)
@given(st.text("0123456789", min_size=15, max_size=18))
def test_a_card_number_with_its_luhn_digit_has_no_warning_and_without_it_one(body):
    card = body + luhn.calc_check_digit(body)
    if len(set(card)) == 1:
        return
    assert check_bank_account(card) == []
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    if len(set(wrong)) > 1:
        assert check_bank_account(wrong) == [LUHN_WARNING]


@settings(max_examples=100, deadline=None)
@given(st.text("0123456789", min_size=8, max_size=32).filter(lambda v: len(set(v)) > 1 and not 16 <= len(v) <= 19))
def test_accounts_that_are_not_card_numbers_are_not_held_to_luhn(account):
    assert check_bank_account(account) == []


@pytest.mark.parametrize("account, reason", [
    ("6217-0036", "digits only"), ("６２１７００３６００", "digits only"),
    ("1234567", "8 to 32"), ("1" * 33, "8 to 32")])
def test_a_bank_account_that_is_not_digits_of_a_bank_length_is_refused(account, reason):
    with pytest.raises(NotAnIdentity, match=reason):
        check_bank_account(account)
