"""Recompute the wage lines of touched (assignment, day) keys from the stored work records."""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import Text, cast, delete, select
from sqlalchemy.orm import Session

from app.db.models import Assignment, WageLine
from app.db.queries import among
from app.db.rows import Row, insert_rows, update_rows
from app.ledger.adjustments import recompute_adjustment
from app.ledger.checks import WorkContext
from app.ledger.facts import compute_line, load_facts
from app.ledger.records import AttendanceKey, WageKey
from app.ledger.terms import AssignmentTerms, assignment_terms
from app.pay.income import IncomeKey, add_income
from app.pay.periods import frozen_periods

_lines = WageLine.__table__


def recompute_wage_lines(session: Session, keys: Iterable[WageKey], context: WorkContext | None = None,
                         attendance: Mapping[AttendanceKey, Row] | None = None) -> None:
    """Recompute the touched lines; a line of an approved or paid month is left as approved, and
    the difference goes to an adjustment instead. Only lines whose pay or facts change are written.
    `attendance`: records known to be as stored now (the batch's, after its writes), not read again."""
    keys = set(keys)
    if not keys:
        return
    assignments = _assignments(session, {a for a, _ in keys}, context)
    month = {day: _month(day) for day in {day for _, day in keys}}  # a batch's keys share a few days
    frozen = frozen_periods(session, {(assignments[a].site_id, month[day]) for a, day in keys})
    late = set()
    if frozen:
        late = {(assignments[a].site_id, assignments[a].worker_id, month[day]) for a, day in keys
                if (assignments[a].site_id, month[day]) in frozen}
        keys = {(a, day) for a, day in keys if (assignments[a].site_id, month[day]) not in frozen}
    # assignment among (...) AND date among (...), then the exact keys: cheaper than a row-value IN list. The
    # facts come as text, parsed only where the pay is unchanged: most rows of the superset are never compared.
    existing = {
        (line.assignment_id, line.work_date): line
        for line in session.execute(select(_lines.c.id, _lines.c.assignment_id, _lines.c.worker_id, _lines.c.work_date,
                                           _lines.c.amount_fen, cast(_lines.c.facts, Text).label("facts")).where(
            among(session, _lines.c.assignment_id, {a for a, _ in keys}),
            among(session, _lines.c.work_date, {day for _, day in keys}),
            among(session, _lines.c.period, set(month.values()))))  # reads only those months' partitions
        if (line.assignment_id, line.work_date) in keys
    }
    # a few queries, not one per key
    loaded = load_facts(session, [(assignments[a], day) for a, day in keys], attendance)
    new, changed, gone = [], [], []
    income: dict[IncomeKey, int] = defaultdict(int)  # what the lines written add to each worker's month
    for assignment_id, day in sorted(keys):  # sorted: new lines get ids in date order, run after run
        assignment = assignments[assignment_id]
        computed = compute_line(session, assignment, day, loaded)
        line = existing.get((assignment_id, day))
        if computed is None:
            if line is not None:
                gone.append(line.id)
                income[(line.worker_id, month[day])] -= line.amount_fen
        elif line is None:
            new.append({"assignment_id": assignment_id, "worker_id": assignment.worker_id,
                        "site_id": assignment.site_id, "period": month[day], "work_date": day,
                        "scheme": assignment.kind, "amount_fen": computed[0], "facts": computed[1]})
            income[(assignment.worker_id, month[day])] += computed[0]
        elif line.amount_fen != computed[0] or json.loads(line.facts) != computed[1]:
            changed.append({"id": line.id, "amount_fen": computed[0], "facts": computed[1]})
            income[(line.worker_id, month[day])] += computed[0] - line.amount_fen
    _write_lines(session, new, changed, gone, set(month.values()))
    add_income(session, income)
    for site_id, worker_id, month in sorted(late):
        recompute_adjustment(session, site_id, worker_id, month)


def _assignments(session: Session, ids: set[str], context: WorkContext | None) -> dict[str, AssignmentTerms]:
    known = {i: context.assignments[i] for i in ids if i in context.assignments} if context is not None else {}
    missing = ids - set(known)
    if missing:
        known.update((a.id, a) for a in assignment_terms(session, Assignment.id.in_(missing)))
    return known


def _write_lines(session: Session, new: list[Row], changed: list[Row], gone: list[int], months: set[str]) -> None:
    insert_rows(session, _lines, new)
    update_rows(session, _lines, changed)
    if gone:
        session.execute(delete(_lines).where(_lines.c.id.in_(gone), among(session, _lines.c.period, months)))


def _month(day: date) -> str:
    return day.isoformat()[:7]  # "2026-03"
