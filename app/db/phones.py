"""Phone numbers as a worker signs in with them: one form for every way of writing the same mainland mobile."""
from __future__ import annotations

import re

from app.db.crypto import KeyRing

_SEPARATORS = re.compile(r"[\s\-().（）]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def mobile_number(text: str | None) -> str | None:
    """A mainland mobile number as 11 digits ("138 0013-8000", "+86 13800138000" -> "13800138000"), or None."""
    if text is None:
        return None
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None


def phone_lookup_value(number: str) -> str:
    """What a phone's lookup hash is made of: labelled, so it never equals another number's hash."""
    return f"mobile:{number}"


def phone_hash(ring: KeyRing, text: str | None) -> str | None:
    """The keyed lookup hash of a phone written any way, None unless it is a mainland mobile number."""
    number = mobile_number(text)
    return None if number is None else ring.lookup_hash(phone_lookup_value(number))
