"""Stablework's wage rules: pure functions over integer fen, no I/O, standard library only."""

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
    "STATUSES",
    "DailyScheme",
    "HourlyScheme",
    "InvalidScheme",
    "InvalidWorkRecord",
    "MissingMinutes",
    "MonthlyScheme",
    "OutputLine",
    "PieceScheme",
    "UnknownGrade",
    "UnknownProduct",
    "WageScheme",
    "check_output",
    "daily_day_pay",
    "day_credit",
    "hourly_day_pay",
    "minutes_between",
    "monthly_pay",
    "piece_day_pay",
    "round_half_up",
    "scheme_from_dict",
    "scheme_to_dict",
]
