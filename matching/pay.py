"""What a vacancy's wage scheme pays in a usual month, for weighing pay against a household's need."""
from __future__ import annotations

from collections.abc import Mapping

import payroll

WORKING_DAYS = 22  # a usual month of work


def monthly_pay_fen(scheme: Mapping) -> int:
    """A usual month's pay of a full-time post under the scheme (its dict form); 0 for piece rates, whose pay
    depends on output. Raises payroll.InvalidScheme for a scheme that is not one."""
    terms = payroll.scheme_from_dict(scheme)
    if isinstance(terms, payroll.MonthlyScheme):
        return terms.stipend_fen
    if isinstance(terms, payroll.DailyScheme):
        return terms.day_rate_fen * WORKING_DAYS
    if isinstance(terms, payroll.HourlyScheme):
        return terms.rate_fen * terms.standard_minutes * WORKING_DAYS // 60
    return 0
