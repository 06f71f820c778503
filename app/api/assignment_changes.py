"""How the assignment views make their changes: the event built from the request and the assignment as it stands,
refused as the consumers would refuse it (422 for what cannot be, 409 for a clash with the registry), staged on the
work-events topic, and recorded in the audit log with the terms before and after, as the caller's, in the
request's transaction."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

import payroll
from app.api.access import Principal, authorize, require_site, require_worker
from app.api.context import runtime, unit_of_work
from app.api.job_events import staged
from app.api.registry import get_in_scope
from app.db.audit import record_summary
from app.db.models import Assignment, Region, Site, Worker
from app.db.models.types import new_id
from app.ledger.assignments import Clash, stage_assignment_change
from events import ASSIGNMENT_END_CHANGED, ASSIGNMENT_TRANSFERRED, InvalidEvent, parse_event
from events.envelope import new_event_id

# the event's fields named as the request names them
_REQUEST_FIELD = {"to_site_id": "site_id"}


def change_assignment(assignment_id: str, event_type: str, data: dict[str, Any]) -> dict[str, str]:
    """Stage the change of `event_type` to the assignment, asked for with `data`; the answer names the assignment
    that pays the days changed."""
    with unit_of_work() as session:
        principal = authorize(session)
        assignment = get_in_scope(session, principal, Assignment, assignment_id, _at_site)
        require_worker(principal, session, session.get(Worker, assignment.worker_id))
        change = _event_data(session, principal, assignment, event_type, data)
        event = _staged_event(session, principal, event_type, change)
        _audit(session, assignment, event_type, change, event.id)
        return staged(event, assignment_id=change.get("new_assignment_id") or assignment.id)


def _at_site(principal: Principal, session: Session, assignment: Assignment) -> None:
    require_site(principal, session, session.get(Site, assignment.site_id))


def _event_data(session: Session, principal: Principal, assignment: Assignment, event_type: str,
                data: dict[str, Any]) -> dict[str, Any]:
    change: dict[str, Any] = {"worker_id": assignment.worker_id, "assignment_id": assignment.id}
    if event_type == ASSIGNMENT_END_CHANGED:
        return {**change, "end_date": data["end_date"]}
    change["from_date"] = data["from_date"]
    if event_type == ASSIGNMENT_TRANSFERRED:
        site = session.get(Site, data["site_id"])
        if site is None:
            abort(422, errors={"site_id": [f"unknown site {data['site_id']}"]})
        require_site(principal, session, site)  # the site moved to is the caller's to staff too
        change["to_site_id"] = site.id
        change["end_date"] = data["end_date"] if "end_date" in data else assignment.end_date
    change["scheme"] = _plain_scheme(data.get("scheme") or assignment.scheme)
    first_day = event_type != ASSIGNMENT_TRANSFERRED and data["from_date"] == assignment.start_date
    change["new_assignment_id"] = None if first_day else data.get("new_assignment_id") or new_id()
    return change


def _plain_scheme(raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return payroll.scheme_to_dict(payroll.scheme_from_dict(raw))
    except (payroll.InvalidScheme, TypeError) as error:
        abort(422, errors={"scheme": [str(error)]})


def _staged_event(session: Session, principal: Principal, event_type: str, change: dict[str, Any]):
    raw = {"specversion": "1.0", "id": new_event_id(), "type": event_type, "source": f"api/tokens/{principal.token_id}",
           "time": datetime.now(UTC).isoformat(), "data": {key: _plain(value) for key, value in change.items()}}
    try:
        event = parse_event(raw)
    except InvalidEvent as error:
        abort(422, errors=_request_fields(error.errors.get("data", error.errors)))
    settings = runtime().settings
    problem = stage_assignment_change(session, runtime().bus, settings.topic_work_events, event)
    if isinstance(problem, Clash):
        abort(409, message=problem.message)
    if problem is not None:
        field = problem.field.removeprefix("data.")
        abort(422, errors={_REQUEST_FIELD.get(field, field): [problem.message]})
    return event


def _request_fields(errors: dict[str, Any]) -> dict[str, Any]:
    return {_REQUEST_FIELD.get(field, field): messages for field, messages in errors.items()}


def _audit(session: Session, assignment: Assignment, event_type: str, change: dict[str, Any], event_id: str) -> None:
    """The terms the change replaces and those it asks for, as the caller's decision; the consumers' write of the
    assignment is recorded as the system's when they apply it."""
    asked = {key: _plain(value) for key, value in change.items() if key not in ("worker_id", "assignment_id")}
    before = {key: _plain(getattr(assignment, key)) for key in ("site_id", "end_date", "scheme")
              if key in asked or (key == "site_id" and "to_site_id" in asked)}
    path = session.scalar(select(Region.path).join(Site, Site.region_code == Region.code)
                          .where(Site.id == assignment.site_id))
    record_summary(session, "update", Assignment.__tablename__, assignment.id, path, before,
                   {**asked, "change": event_type, "event_id": event_id})


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
