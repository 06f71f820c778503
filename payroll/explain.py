"""A wage line in words: the figures each scheme multiplied to reach the line's amount.

Each part of an explanation is a quantity (hours, days or pieces) at a rate, times a factor (overtime's
multiplier, a grade's share, a stipend's share per required day). A piece line rounds each product and grade
on its own, as the piece rule does; the other schemes round the sum of their parts once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from payroll.attendance import day_credit
from payroll.errors import MissingMinutes
from payroll.money import round_half_up
from payroll.piece import OutputLine, check_output
from payroll.schemes import DailyScheme, HourlyScheme, MonthlyScheme, PieceScheme, WageScheme

HOURS, OVERTIME, DAYS, PIECES, STIPEND_DAYS = "hours", "overtime", "days", "pieces", "stipend_days"


@dataclass(frozen=True)
class Part:
    """`quantity` (of `unit`) at `rate_fen` each, times `factor`; `product` and `grade` for pieces."""

    unit: str  # one of HOURS, OVERTIME, DAYS, PIECES, STIPEND_DAYS
    quantity: Fraction
    rate_fen: int
    factor: Fraction = Fraction(1)
    product: str | None = None
    grade: str | None = None
    of_days: int | None = None  # a stipend's required days

    @property
    def exact_fen(self) -> Fraction:
        return self.quantity * self.rate_fen * self.factor


@dataclass(frozen=True)
class Explanation:
    parts: tuple[Part, ...]
    rounded_per_part: bool = False  # pieces: each product and grade is rounded before the sum

    @property
    def amount_fen(self) -> int:
        """The amount the parts multiply out to, rounded as the scheme rounds."""
        if self.rounded_per_part:
            return sum(round_half_up(part.exact_fen) for part in self.parts)
        return round_half_up(sum((part.exact_fen for part in self.parts), Fraction(0)))


def explain_hourly(scheme: HourlyScheme, status: str, minutes: int | None) -> Explanation:
    """The hours at the rate and the overtime hours at the multiplier. Raises MissingMinutes for a day present
    without minutes, InvalidWorkRecord for an unknown status."""
    credit = day_credit(status)
    if credit == 0:
        return Explanation(())
    if minutes is None:
        if status == "present":
            raise MissingMinutes()
        worked = Fraction(scheme.standard_minutes, 2)
    else:
        worked = Fraction(minutes)
    standard = Fraction(min(worked, scheme.standard_minutes))
    overtime = worked - standard
    parts = [Part(HOURS, standard / 60, scheme.rate_fen)]
    if overtime > 0:
        parts.append(Part(OVERTIME, overtime / 60, scheme.rate_fen, Fraction(scheme.overtime_multiplier)))
    return Explanation(tuple(parts))


def explain_daily(scheme: DailyScheme, status: str) -> Explanation:
    """The day (or half day) at the day rate; none for an absence. Raises InvalidWorkRecord for an unknown status."""
    credit = day_credit(status)
    return Explanation((Part(DAYS, credit, scheme.day_rate_fen),) if credit else ())


def explain_piece(scheme: PieceScheme, outputs: Iterable[OutputLine]) -> Explanation:
    """Each product and grade's pieces at its rate, times the grade's share. Raises UnknownProduct, UnknownGrade."""
    totals: dict[tuple[str, str], int] = {}
    for line in outputs:
        check_output(scheme, line.product, line.grade)
        totals[(line.product, line.grade)] = totals.get((line.product, line.grade), 0) + line.quantity
    return Explanation(tuple(
        Part(PIECES, Fraction(quantity), scheme.rates[product], Fraction(scheme.grades[grade], 100), product, grade)
        for (product, grade), quantity in sorted(totals.items())), rounded_per_part=True)


def explain_monthly(scheme: MonthlyScheme, credits: Fraction) -> Explanation:
    """The days credited (at most the required days) as their share of the stipend."""
    counted = min(credits, scheme.required_days)
    return Explanation((Part(STIPEND_DAYS, counted, scheme.stipend_fen, Fraction(1, scheme.required_days),
                             of_days=scheme.required_days),))


def explain_line(scheme: WageScheme, facts: Mapping) -> Explanation:
    """The explanation of a stored wage line from its scheme and the facts it came from (as the ledger keeps
    them). Raises KeyError for facts another scheme wrote."""
    if isinstance(scheme, HourlyScheme):
        return explain_hourly(scheme, facts["status"], facts.get("minutes"))
    if isinstance(scheme, DailyScheme):
        return explain_daily(scheme, facts["status"])
    if isinstance(scheme, PieceScheme):
        return explain_piece(scheme, [OutputLine(o["product"], o["grade"], o["quantity"]) for o in facts["outputs"]])
    return explain_monthly(scheme, Fraction(Decimal(facts["credits"])))
