"""What a second evaluation of a month need not derive again. A month's last complete evaluation by schedule
leaves a baseline: its watermark (app/db/stamps.py), its as-of date and its thresholds. The rules found all
there was in the rows stamped below the watermark, and an alert once raised stays raised, so an evaluation of
the month with the same thresholds need look only at the subjects with rows stamped since:
- the household rules read a household's income of the twelve months to the month, its status and its size:
  the households with such a row written since (the as-of date plays no part);
- no_work reads, as of its date, a site's work records of the year before it and who is assigned there:
  the sites with such a row written since, when the as-of date is the baseline's (days passing change all);
- wage_arrears reads a site's approvals, approved pay and confirmed payments, and the days since approval:
  the sites with such a row written since, when the as-of date is the baseline's.
The registry never moves a worker to another household, and these rows are never deleted but by a rebuild,
which removes the baselines (app/pay/income.py)."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Select, select, union
from sqlalchemy.orm import Session

import payroll
from app.alerts.changed import EVERYTHING, Changed
from app.alerts.findings import LOOKBACK
from app.db.models import (
    AlertBaseline,
    ApprovedPay,
    Assignment,
    AttendanceRecord,
    Household,
    OutputRecord,
    PaymentLine,
    PeriodTransition,
    Worker,
    WorkerMonthIncome,
)

RULES = 1  # the rules' version, part of a baseline: a baseline of rules changed since is not stood on
# beyond this many subjects changed, an evaluation reads all of them: a list that long bound to each chunk's
# statements costs more than the chunk's rows
MANY = 50_000


def thresholds_key(t: payroll.AlertThresholds) -> str:
    return json.dumps({"rules": RULES, "drop_ratio": str(t.drop_ratio), "lines": sorted(t.monitoring_lines.items()),
                       "line": t.default_monitoring_line_fen, "no_work_days": t.no_work_days,
                       "arrears_days": t.arrears_days, "projection_months": t.projection_months})


def changed_since_baseline(session: Session, month: str, as_of: date, t: payroll.AlertThresholds) -> Changed:
    """The subjects to evaluate `month` for, as of `as_of` with `t`: those changed since its baseline."""
    baseline = session.get(AlertBaseline, month)
    if baseline is None or baseline.thresholds != thresholds_key(t):
        return EVERYTHING
    households = _few(session, _households_written(month, baseline.stamp))
    if baseline.as_of != as_of.isoformat():
        return Changed(households=households)
    return Changed(households, _few(session, _work_sites_written(as_of, baseline.stamp)),
                   _few(session, _pay_sites_written(baseline.stamp)))


def record_baseline(session: Session, month: str, as_of: date, t: payroll.AlertThresholds, stamp: int) -> None:
    """Make the month's complete evaluation, of watermark `stamp`, its baseline."""
    baseline = session.get(AlertBaseline, month) or AlertBaseline(month=month)
    baseline.as_of, baseline.thresholds, baseline.stamp = as_of.isoformat(), thresholds_key(t), stamp
    session.add(baseline)


def _few(session: Session, query: Select) -> frozenset[str] | None:
    ids = session.scalars(query.limit(MANY + 1)).all()
    return frozenset(ids) if len(ids) <= MANY else None


def _households_written(month: str, stamp: int) -> Select:
    income = WorkerMonthIncome
    months = payroll.previous_months(month, 11) + [month]  # the year to date lies within them
    return union(select(Worker.household_id).join(income, income.worker_id == Worker.id)
                 .where(income.stamp >= stamp, income.month.in_(months)),
                 select(Household.id).where(Household.stamp >= stamp)).subquery().select()


def _work_sites_written(as_of: date, stamp: int) -> Select:
    since = as_of - LOOKBACK
    return union(*(select(record.site_id).where(record.stamp >= stamp, record.work_date.between(since, as_of))
                   for record in (AttendanceRecord, OutputRecord)),
                 select(Assignment.site_id).where(Assignment.stamp >= stamp)).subquery().select()


def _pay_sites_written(stamp: int) -> Select:
    return union(*(select(model.site_id).where(model.stamp >= stamp)
                   for model in (PeriodTransition, ApprovedPay, PaymentLine))).subquery().select()
