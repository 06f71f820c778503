"""Money is integer fen; this is the one rounding rule of Stablework."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def round_half_up(x: Fraction | Decimal | int) -> int:
    """Round an exact amount to the nearest whole fen; halves round away from zero.

    ``2.5 -> 3``, ``2.4999 -> 2``, ``-2.5 -> -3`` (pay is never negative, but
    adjustments can be, and a refund should mirror its charge).

    Raises TypeError for a float (or anything else that is not an exact number):
    binary floats cannot hold most fen amounts, so they must never reach here.
    """
    if isinstance(x, float) or not isinstance(x, (Fraction, Decimal, int)):
        raise TypeError(f"round_half_up needs an int, Fraction or Decimal, got {type(x).__name__}")
    if type(x) is int:
        return x
    exact = x if type(x) is Fraction else Fraction(x)  # Fraction(x) again would cost most of the call
    return round_ratio_half_up(exact.numerator, exact.denominator)


def round_ratio_half_up(numerator: int, denominator: int) -> int:
    """``round_half_up(Fraction(numerator, denominator))`` in integers only: pay rules that multiply and
    divide whole numbers use it, since Fraction arithmetic costs several times the whole rule."""
    if denominator <= 0:
        raise ValueError(f"the denominator must be positive, got {denominator}")
    magnitude = abs(numerator)
    rounded = (2 * magnitude + denominator) // (2 * denominator)  # floor(|x| + 1/2)
    return rounded if numerator >= 0 else -rounded
