"""How the jobs views make their events: a CloudEvent built from the request, checked against the events' own
schema and against things as they stand (409 with the reason when it cannot be applied), then staged on the
work-events topic in the request's transaction, for the consumers to apply."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask_smorest import abort
from sqlalchemy.orm import Session

from app.api.access import Principal
from app.api.context import runtime
from app.ledger.intake import stage_job_event
from events import InvalidEvent, WorkEvent, parse_event
from events.envelope import new_event_id


def stage(session: Session, principal: Principal, event_type: str, data: dict[str, Any]) -> WorkEvent:
    """Stage the event of `event_type` with `data` made by `principal`; 409 when it cannot be applied now."""
    raw = {"specversion": "1.0", "id": new_event_id(), "type": event_type, "source": f"api/tokens/{principal.token_id}",
           "time": datetime.now(UTC).isoformat(), "data": {key: _plain(value) for key, value in data.items()}}
    try:
        event = parse_event(raw)
    except InvalidEvent as error:
        abort(422, errors=error.errors.get("data", error.errors))
    settings = runtime().settings
    problem = stage_job_event(session, runtime().bus, settings.topic_work_events, event)
    if problem is not None:
        abort(409, message=problem.message)
    return event


def staged(event: WorkEvent, **ids: str) -> dict[str, str]:
    return {"event_id": event.id, "status": "accepted", **ids}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
