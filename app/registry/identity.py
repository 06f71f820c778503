"""Is this a national id or a bank account a person can have? Pure checks, shared by every way a worker is
registered (the API and bulk imports), each refusal a sentence the clerk can act on.

A national id (GB 11643) is checked with python-stdnum's `cn.ric`: 17 digits and a check digit (0-9 or X)
that is their checksum, and a birth date that is a real day of someone between 16 and 120 years old. Its
address code is not looked up in stdnum's table of divisions, which dates each code from a renaming and so
refuses real ids issued under a county's earlier name.

A bank account is 8 to 32 digits, not all one digit. A card number (16 to 19 digits) that fails the Luhn
check is a warning, not a refusal: most are typos, but passbook and old card numbers need not follow it.
"""
from __future__ import annotations

from datetime import date

from stdnum import luhn
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

WORKING_AGE = 16  # the Labour Law's minimum age of employment
OLDEST = 120
BANK_DIGITS = (8, 32)
CARD_DIGITS = (16, 19)  # bank card numbers, which carry a Luhn check digit
LUHN_WARNING = "bank_account fails the Luhn check of card numbers: check it against the worker's card"


class NotAnIdentity(ValueError):
    """The value cannot be what it claims to be; the message says why."""


def check_national_id(value: str, today: date) -> str:
    """The national id in its one written form (upper-case check letter); raises NotAnIdentity."""
    number = ric.compact(value)
    if len(number) != 18:
        raise NotAnIdentity(f"a national id has 18 characters, not {len(number)}")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise NotAnIdentity("a national id is 17 digits and a check digit (0-9 or X)")
    if number[17] != ric.calc_check_digit(number):
        raise NotAnIdentity("the check digit (the last character) does not match: a character is mistyped")
    try:
        born = ric.get_birth_date(number)
    except InvalidComponent:
        raise NotAnIdentity(f"characters 7-14 ({number[6:14]}) are not a date of birth") from None
    if not _years_before(today, OLDEST) <= born <= _years_before(today, WORKING_AGE):
        raise NotAnIdentity(f"born on {born}: not a person of working age ({WORKING_AGE} to {OLDEST})")
    return number


def check_bank_account(value: str) -> list[str]:
    """The warnings a bank account earns (none when all is well); raises NotAnIdentity for one refused."""
    low, high = BANK_DIGITS
    if not value.isascii() or not value.isdigit():
        raise NotAnIdentity("a bank account is digits only")
    if not low <= len(value) <= high:
        raise NotAnIdentity(f"a bank account has {low} to {high} digits, not {len(value)}")
    if len(set(value)) == 1:
        raise NotAnIdentity("a bank account is not one digit repeated")
    return bank_account_warnings(value)


def bank_account_warnings(value: str | None) -> list[str]:
    """What a manager should check about a stored bank account before paying into it."""
    if value is None or not CARD_DIGITS[0] <= len(value) <= CARD_DIGITS[1] or luhn.is_valid(value):
        return []
    return [LUHN_WARNING]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)
