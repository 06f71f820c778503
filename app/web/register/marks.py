"""The register's marks as work events: made from the page's form (or sent ready-made by its script) and
taken in by the same intake as POST /api/v1/events, for the sites the person logs work for, on days
whose month is still open."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from app.api.access import Principal, forbidden_sites
from app.db.models import OutputRecord, Site
from app.ledger.checks import work_today
from app.ledger.intake import EventsRejected, Receipt, accept_events, parse_all
from app.runtime import Runtime
from app.web.i18n import month as month_text
from app.web.register.day import Month, month_of, register_today
from events import ATTENDANCE_RECORDED, OUTPUT_RECORDED, OUTPUT_VOIDED

SOURCE = "stablework/register"
OUTPUT_ROWS = 3  # blank output rows a worker's form offers without script (the script adds more)


class MarksRefused(Exception):
    """None of the marks were taken: `status` is the HTTP answer, `message` says why to a person."""

    def __init__(self, status: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def take_marks(session: Session, runtime: Runtime, principal: Principal, raw: list[Any],
               site_ids: set[str]) -> list[Receipt]:
    """Take the events `raw` (all or none) as the API would, for `site_ids` and the events' own sites."""
    settings = runtime.settings
    if len(raw) > settings.max_events_per_request:
        raise MarksRefused(413, _("Too many marks at once: send at most %(count)d.",
                                  count=settings.max_events_per_request))
    events, errors = parse_all(raw)
    denied = forbidden_sites(principal, session, site_ids | {event.site_id for event in events.values()})
    if denied:
        raise MarksRefused(403, _("You may not keep the register of %(sites)s.", sites=", ".join(denied)))
    _refuse_later_days(events.values(), register_today(settings))
    _refuse_frozen_days(session, events.values())
    try:
        return accept_events(session, runtime.bus, settings.topic_work_events, events, errors,
                             work_today(settings))
    except EventsRejected as rejected:
        raise MarksRefused(422, _("Some marks are wrong; none were sent. Correct them and send again."),
                           rejected.errors) from None


def _refuse_later_days(events, today: date) -> None:
    if any(event.type != OUTPUT_VOIDED and event.data["date"] > today for event in events):
        raise MarksRefused(422, _("A day after today cannot be recorded yet."))


def _refuse_frozen_days(session: Session, events) -> None:
    days = {(event.site_id, event.data["date"]) for event in events if event.type != OUTPUT_VOIDED}
    voided = [event.data["output_id"] for event in events if event.type == OUTPUT_VOIDED]
    if voided:
        days |= set(session.execute(select(OutputRecord.site_id, OutputRecord.work_date).where(
            OutputRecord.event_id.in_(voided))).all())
    checked: set[tuple[str, str]] = set()
    for site_id, day in sorted(days):
        if (site_id, f"{day:%Y-%m}") in checked:
            continue
        checked.add((site_id, f"{day:%Y-%m}"))
        month = month_of(session, site_id, day)
        if not month.open:
            site = session.get(Site, site_id)
            raise MarksRefused(409, frozen_message(month, site.name if site else site_id))


def frozen_message(month: Month, site_name: str) -> str:
    """Why a day of `month` cannot change here, and what a late change would do."""
    when = month_text(month.month)
    if month.status == "closed":
        return _("%(month)s is closed at %(site)s: its marks can no longer change. A post manager can return "
                 "the month to open it again.", month=when, site=site_name)
    return _("%(month)s is approved at %(site)s: its wages are frozen and the register no longer changes them. "
             "A late correction would be paid as an adjustment in %(later)s; ask the post manager.",
             month=when, site=site_name, later=month_text(month.adjusted_in))


def events_from_form(form: MultiDict, site_id: str, day: date, now: datetime | None = None) -> list[dict]:
    """The marks of the register's form as CloudEvents, with the ids the page was given (a resent form is
    a duplicate). A worker without a status chosen, or an output row without a quantity, sends nothing."""
    time = (now or datetime.now(UTC)).isoformat()
    events = []
    for worker_id in [key.partition(".")[2] for key in form if key.startswith("attendance_id.")]:
        field = _fields(form, worker_id)
        if field("status"):
            data = {"worker_id": worker_id, "site_id": site_id, "date": day.isoformat(), "status": field("status")}
            if field("check_in") or field("check_out"):
                data |= {"check_in": field("check_in") or None, "check_out": field("check_out") or None}
            events.append(_event(field("attendance_id"), ATTENDANCE_RECORDED, time, data))
        for row in range(OUTPUT_ROWS):
            quantity = field(f"quantity.{row}")
            if quantity:
                data = {"worker_id": worker_id, "site_id": site_id, "date": day.isoformat(),
                        "product": field(f"product.{row}"), "grade": field(f"grade.{row}") or "A",
                        "quantity": int(quantity) if quantity.isdigit() else quantity}
                events.append(_event(field(f"output_id.{row}"), OUTPUT_RECORDED, time, data))
    return events


def void_event(event_id: str, output: OutputRecord, now: datetime | None = None) -> dict:
    data = {"worker_id": output.worker_id, "site_id": output.site_id, "output_id": output.event_id,
            "reason": "voided in the register"}
    return _event(event_id, OUTPUT_VOIDED, (now or datetime.now(UTC)).isoformat(), data)


def _fields(form: Mapping[str, str], worker_id: str):
    return lambda name: (form.get(f"{name}.{worker_id}") or "").strip()


def _event(event_id: str, type_: str, time: str, data: dict) -> dict:
    return {"specversion": "1.0", "id": event_id, "type": type_, "source": SOURCE, "time": time,
            "datacontenttype": "application/json", "data": data}


def refused_workers(raw: list[dict], errors: Mapping[str, Any], names: Mapping[str, str]) -> list[str]:
    """The people whose marks the intake refused, for a message a person can act on."""
    wrong = {raw[int(index)].get("data", {}).get("worker_id") for index in errors if int(index) < len(raw)}
    return sorted(names.get(worker, worker) for worker in wrong if worker)

