"""Piece-rate pay: output by product and grade."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from payroll.errors import InvalidWorkRecord, UnknownGrade, UnknownProduct
from payroll.money import round_ratio_half_up
from payroll.schemes import PieceScheme


@dataclass(frozen=True)
class OutputLine:
    """One output record of a day: ``quantity`` units of ``product`` at ``grade``."""

    product: str
    grade: str
    quantity: int


def check_output(scheme: PieceScheme, product: str, grade: str) -> None:
    """Check that a single output record can be paid under ``scheme`` before it is stored.

    Raises UnknownProduct if the product has no rate (checked first), UnknownGrade if the
    grade is not one of the scheme's grades (codes are case-sensitive).
    """
    if product not in scheme.rates:
        raise UnknownProduct(product)
    if grade not in scheme.grades:
        raise UnknownGrade(grade)


def piece_day_pay(scheme: PieceScheme, outputs: Iterable[OutputLine]) -> int:
    """One worker-day's pay in fen under a piece scheme.

    Quantities are summed per (product, grade) first; each group pays
    ``round_half_up(total_quantity * rate_fen * percent / 100)``; the day pays the sum.
    Raises UnknownProduct, UnknownGrade, or InvalidWorkRecord for a quantity that is
    not an integer >= 0.
    """
    totals: dict[tuple[str, str], int] = {}
    for line in outputs:
        check_output(scheme, line.product, line.grade)
        quantity = line.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidWorkRecord(f"quantity must be an integer >= 0, got {quantity!r}", field="quantity")
        key = (line.product, line.grade)
        totals[key] = totals.get(key, 0) + quantity
    # rounding per group, not per record: the domain rounds the day's total of a product and grade
    return sum(
        round_ratio_half_up(quantity * scheme.rates[product] * scheme.grades[grade], 100)
        for (product, grade), quantity in totals.items()
    )
