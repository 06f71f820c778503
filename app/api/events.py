from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy.exc import IntegrityError

from app.api.access import authorize, forbidden_sites
from app.api.content_modes import DESCRIPTION, REQUEST_BODIES
from app.api.context import runtime, unit_of_work
from app.api.schemas.ledger import EventsIn, EventsOut
from app.ledger.checks import work_today
from app.ledger.intake import EventsRejected, accept_events, parse_all

blp = Blueprint("events", __name__, url_prefix="/api/v1/events", description="Attendance and output events")


@blp.route("")
class Events(MethodView):
    @blp.arguments(EventsIn)
    @blp.doc(description=DESCRIPTION, requestBody={"content": REQUEST_BODIES})
    @blp.response(202, EventsOut)
    @blp.alt_response(413, description="more events than MAX_EVENTS_PER_REQUEST (1,000), or a body over "
                                       "MAX_REQUEST_BYTES")
    @blp.alt_response(422, description="every bad item, by index")
    def post(self, body):
        """Record one CloudEvent or a batch: all valid or none taken; each id accepted once"""
        raw = body["events"]
        limit = runtime().settings.max_events_per_request
        if len(raw) > limit:
            abort(413, message=f"at most {limit} events per request")
        events, errors = parse_all(raw)
        for attempt in (1, 2):
            try:
                return _accept(events, errors)
            except IntegrityError:
                # Another request took one of these ids meanwhile; the second pass sees it.
                if attempt == 2:
                    raise


def _accept(events, errors):
    with unit_of_work() as session:
        principal = authorize(session)
        denied = forbidden_sites(principal, session, {event.site_id for event in events.values()})
        if denied:
            abort(403, message=f"you may not log work for site(s) {', '.join(denied)}")
        try:
            settings = runtime().settings
            receipts = accept_events(session, runtime().bus, settings.topic_work_events, events, errors,
                                     work_today(settings))
        except EventsRejected as rejected:
            abort(422, message="invalid events; none were taken", errors=rejected.errors)
    accepted = sum(r.status == "accepted" for r in receipts)
    return {"accepted": accepted, "duplicates": len(receipts) - accepted,
            "results": [{"id": r.id, "status": r.status} for r in receipts]}
