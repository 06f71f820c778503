"""Recompute the wage lines of touched (assignment, day) keys from the stored work records."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Assignment, WageLine
from app.periods import frozen_periods
from consumers.adjustments import recompute_adjustment
from consumers.handlers import WageKey
from consumers.pay import compute_line, load_facts


def recompute_wage_lines(session: Session, keys: Iterable[WageKey]) -> None:
    """Recompute the touched lines; a line of an approved or paid month is left as approved, and
    the difference goes to an adjustment instead."""
    keys = set(keys)
    if not keys:
        return
    assignments = {
        a.id: a for a in session.scalars(select(Assignment).where(Assignment.id.in_({k[0] for k in keys})))
    }
    frozen = frozen_periods(session, {(assignments[a].site_id, _month(day)) for a, day in keys})
    late = {(assignments[a].site_id, assignments[a].worker_id, _month(day)) for a, day in keys
            if (assignments[a].site_id, _month(day)) in frozen}
    keys = {(a, day) for a, day in keys if (assignments[a].site_id, _month(day)) not in frozen}
    existing = {  # assignment IN (...) AND date IN (...), then the exact keys: cheaper than a row-value IN list
        (line.assignment_id, line.work_date): line
        for line in session.scalars(select(WageLine).where(
            WageLine.assignment_id.in_({a for a, _ in keys}), WageLine.work_date.in_({day for _, day in keys})))
        if (line.assignment_id, line.work_date) in keys
    }
    loaded = load_facts(session, [(assignments[a], day) for a, day in keys])  # a few queries, not one per key
    for assignment_id, day in sorted(keys):  # sorted: new lines get ids in date order, run after run
        assignment = assignments[assignment_id]
        computed = compute_line(session, assignment, day, loaded)
        line = existing.get((assignment_id, day))
        if computed is None:
            if line is not None:
                session.delete(line)
            continue
        amount, facts = computed
        if line is None:
            line = WageLine(
                assignment_id=assignment_id, worker_id=assignment.worker_id, site_id=assignment.site_id,
                period=day.strftime("%Y-%m"), work_date=day, scheme=assignment.scheme["kind"],
            )
            session.add(line)
        line.amount_fen = amount
        line.facts = facts
    session.flush()
    for site_id, worker_id, month in sorted(late):
        recompute_adjustment(session, site_id, worker_id, month)


def _month(day: date) -> str:
    return day.strftime("%Y-%m")
