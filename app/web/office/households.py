"""A household's page for its poverty office: who is in it, twelve months of per-capita income against the
monitoring line, and the alerts raised on it with what was done."""
from __future__ import annotations

from fractions import Fraction

from flask import abort, render_template, request
from sqlalchemy import select

import payroll
from app.alerts.evaluation import thresholds_from
from app.alerts.inbox import alert_names
from app.api.access import require_household
from app.api.context import reading, runtime
from app.db.models import Alert, Household, Region, Worker
from app.pay.income import household_income
from app.web.office.words import HOUSEHOLD_STATUSES, KINDS, STATUSES
from app.web.pages import authorize_page

MONTHS = 12


def household(household_id: str) -> str:
    with reading() as reader:
        principal = authorize_page(reader)
        found = reader.get(Household, household_id)
        if found is None:
            abort(404)
        require_household(principal, reader, found)
        today = runtime().settings.today()
        last = today.strftime("%Y-%m")
        months = [*payroll.previous_months(last, MONTHS - 1), last]
        income = household_income(reader, months, [household_id]).get(household_id, {})
        per_capita = [(month, payroll.round_half_up(Fraction(income.get(month, 0), found.size))) for month in months]
        line = payroll.round_half_up(Fraction(thresholds_from(runtime().settings).monitoring_line_fen(today.year), 12))
        alerts = list(reader.scalars(select(Alert).where(Alert.household_id == household_id)
                                     .order_by(Alert.month.desc(), Alert.created_at.desc(), Alert.id)))
        return render_template(
            "office/household.html", household=found, region=reader.get(Region, found.region_code),
            members=list(reader.scalars(select(Worker).where(Worker.household_id == household_id).order_by(Worker.id))),
            per_capita=per_capita, line_fen=line, alerts=alerts, names=alert_names(reader, alerts),
            kinds=KINDS, statuses=STATUSES, household_statuses=HOUSEHOLD_STATUSES, back=request.path)
