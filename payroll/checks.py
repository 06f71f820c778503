"""Validation of wage-scheme parameters; every failure is an InvalidScheme naming its field."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Mapping

from payroll.errors import InvalidScheme

# Labour law knows 1.5, 2 and 3; the cap also keeps a hostile "1e999999999" from exploding exact arithmetic.
MAX_OVERTIME_MULTIPLIER = Decimal(10)
# 100,000 yuan an hour, a day, a piece or a month is far beyond any real rate, and keeps every
# sum of a month's pay well inside a 64-bit column.
MAX_AMOUNT_FEN = 10_000_000


def check_integer(name: str, value: Any, low: int, high: int | None = None) -> int:
    """Return ``value`` if it is an int within [low, high]; else raise InvalidScheme."""
    # bool is an int subclass, but True is never a rate
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidScheme(f"{name} must be an integer, got {value!r}", field=name)
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise InvalidScheme(f"{name} must be {bounds}, got {value}", field=name)
    return value


def parse_multiplier(value: Any) -> Decimal:
    """The multiplier as an exact Decimal from a Decimal, int or str, 1 to 10; else raise InvalidScheme."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise InvalidScheme(f"overtime_multiplier must be a decimal string such as \"1.5\" or an integer "
                            f"(floats are inexact), got {value!r}", field="overtime_multiplier")
    try:
        multiplier = Decimal(value)
    except InvalidOperation:
        raise InvalidScheme(f"overtime_multiplier is not a number: {value!r}", field="overtime_multiplier") from None
    if not multiplier.is_finite() or not 1 <= multiplier <= MAX_OVERTIME_MULTIPLIER:
        raise InvalidScheme(f"overtime_multiplier must be between 1 and {MAX_OVERTIME_MULTIPLIER}, got {value!r}",
                            field="overtime_multiplier")
    return multiplier


def freeze_table(name: str, value: Any, high: int | None) -> Mapping[str, int]:
    """A read-only copy of a non-empty {code: int 0..high}; else raise InvalidScheme."""
    if not isinstance(value, Mapping) or not value:
        raise InvalidScheme(f"{name} must be a non-empty mapping of code to integer, got {value!r}", field=name)
    for code, amount in value.items():
        if not isinstance(code, str) or not code or code != code.strip():
            raise InvalidScheme(f"{name} has an invalid code {code!r}: codes are non-empty strings "
                                f"without surrounding spaces", field=name)
        check_integer(f"{name}.{code}", amount, 0, high)
    # a private copy, read-only, so neither the caller nor anyone later can change a scheme
    return MappingProxyType(dict(value))
