"""Stablework's wage and alert rules: pure functions over integer fen, no I/O, standard library only."""

from payroll.alerts import (
    HOUSEHOLD_STATUSES,
    KINDS,
    AlertThresholds,
    Finding,
    InvalidThresholds,
    Month,
    below_line,
    income_drop,
    months_of_year_until,
    no_work,
    previous_months,
    projected_below_line,
    wage_arrears,
)
from payroll.attendance import daily_day_pay, day_credit, hourly_day_pay, minutes_between, monthly_pay
from payroll.errors import InvalidScheme, InvalidWorkRecord, MissingMinutes, UnknownGrade, UnknownProduct
from payroll.money import round_half_up
from payroll.piece import OutputLine, check_output, piece_day_pay
from payroll.schemes import (
    STATUSES,
    DailyScheme,
    HourlyScheme,
    MonthlyScheme,
    PieceScheme,
    WageScheme,
    scheme_from_dict,
    scheme_to_dict,
)

__all__ = [
    "HOUSEHOLD_STATUSES",
    "KINDS",
    "STATUSES",
    "AlertThresholds",
    "DailyScheme",
    "Finding",
    "HourlyScheme",
    "InvalidScheme",
    "InvalidThresholds",
    "InvalidWorkRecord",
    "MissingMinutes",
    "Month",
    "MonthlyScheme",
    "OutputLine",
    "PieceScheme",
    "UnknownGrade",
    "UnknownProduct",
    "WageScheme",
    "below_line",
    "check_output",
    "daily_day_pay",
    "day_credit",
    "hourly_day_pay",
    "income_drop",
    "minutes_between",
    "monthly_pay",
    "months_of_year_until",
    "no_work",
    "piece_day_pay",
    "previous_months",
    "projected_below_line",
    "round_half_up",
    "scheme_from_dict",
    "scheme_to_dict",
    "wage_arrears",
]
