from decimal import Decimal
from fractions import Fraction

import pytest

from payroll import round_half_up
from payroll.money import round_ratio_half_up


def test_an_exact_half_fen_rounds_up():
    assert round_half_up(Fraction(5, 2)) == 3  # 2.5 -> 3 (banker's rounding would give 2)


def test_just_below_a_half_fen_rounds_down():
    assert round_half_up(Fraction(24999, 10000)) == 2  # 2.4999 -> 2


def test_just_above_a_half_fen_rounds_up():
    assert round_half_up(Fraction(25001, 10000)) == 3  # 2.5001 -> 3


def test_a_half_fen_rounds_up_to_one():
    assert round_half_up(Fraction(1, 2)) == 1


def test_whole_fen_are_unchanged():
    assert round_half_up(7) == 7
    assert round_half_up(0) == 0
    assert round_half_up(Fraction(14, 2)) == 7


def test_decimals_are_rounded_exactly():
    assert round_half_up(Decimal("0.5")) == 1
    assert round_half_up(Decimal("1.49999999999999999999999")) == 1  # more digits than a float holds
    assert round_half_up(Decimal("1.50000000000000000000000")) == 2


def test_negative_halves_round_away_from_zero():
    assert round_half_up(Fraction(-5, 2)) == -3  # -2.5 -> -3
    assert round_half_up(Fraction(-24999, 10000)) == -2  # -2.4999 -> -2
    assert round_half_up(Decimal("-0.5")) == -1


def test_huge_amounts_stay_exact():
    # (10**30 + 1) / 2 = 5 * 10**29 + 0.5 -> 5 * 10**29 + 1
    assert round_half_up(Fraction(10**30 + 1, 2)) == 5 * 10**29 + 1


def test_the_result_is_a_plain_int():
    assert type(round_half_up(Fraction(5, 2))) is int
    assert type(round_half_up(Decimal("2.5"))) is int


@pytest.mark.parametrize("inexact", [2.5, "2.5", None])
def test_floats_and_other_non_numbers_are_refused(inexact):
    with pytest.raises(TypeError):
        round_half_up(inexact)


def test_an_integer_ratio_rounds_half_away_from_zero():
    assert [round_ratio_half_up(n, 2) for n in (5, 3, -5, -3)] == [3, 2, -3, -2]
    assert round_ratio_half_up(24999, 10000) == 2 and round_ratio_half_up(25000, 10000) == 3


@pytest.mark.parametrize("denominator", [0, -2])
def test_an_integer_ratio_needs_a_positive_denominator(denominator):
    with pytest.raises(ValueError, match="denominator"):
        round_ratio_half_up(5, denominator)
