"""A wage line's explanation (payroll.explain) in the catalog's words: "8 hours at ¥18.50", one part a phrase."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import gettext as _

from app.web.i18n import money
from payroll.explain import DAYS, HOURS, OVERTIME, PIECES, Explanation, Part


def explanation_words(explanation: Explanation | None) -> list[str]:
    """One phrase per part; none for a line the rule cannot say (the amount is shown all the same)."""
    return [] if explanation is None else [_part(part) for part in explanation.parts]


def _part(part: Part) -> str:
    quantity, rate = number(part.quantity), money(part.rate_fen)
    if part.unit == HOURS:
        return _("%(hours)s hours at %(rate)s an hour", hours=quantity, rate=rate)
    if part.unit == OVERTIME:
        return _("%(hours)s hours overtime at %(rate)s × %(multiplier)s", hours=quantity, rate=rate,
                 multiplier=number(part.factor))
    if part.unit == DAYS:
        return _("%(days)s days at %(rate)s a day", days=quantity, rate=rate)
    if part.unit == PIECES:
        return _("%(quantity)s pieces of %(product)s, grade %(grade)s, at %(rate)s a piece, %(percent)s%% paid",
                 quantity=quantity, product=part.product, grade=part.grade, rate=rate,
                 percent=number(part.factor * 100))
    return _("%(days)s of %(required)s days of the monthly stipend of %(stipend)s", days=quantity,
             required=part.of_days, stipend=rate)


def hours(minutes: int) -> str:
    return number(Fraction(minutes, 60))


def number(value: Fraction) -> str:
    """An exact quantity as people write it: 8, 1.5, 0.33 (at most two decimals, as hours are read)."""
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return f"{shown.normalize():f}"
