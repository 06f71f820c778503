"""Workers' disputes of their days, for the site's supervisor (who accepts or rejects them) and the post manager of
the site's region (who reads them). A worker raises theirs on their own pages (app.web.me), or by the JSON of
`/me/api/disputes`. Each answer is an event the consumers apply (app.review.disputes)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.access import Principal, authorize, require_site
from app.api.context import reading, runtime, unit_of_work
from app.api.pagination import page_by_id, text_id
from app.api.schemas.review import AcceptIn, AnsweredOut, DisputeArgs, DisputeOut, DisputePageOut, RejectIn
from app.db.models import Dispute, Site
from app.review.disputes import DisputeRefused, accept_dispute, reject_dispute

blp = Blueprint("disputes", __name__, url_prefix="/api/v1/disputes",
                description="Workers' disputes of their days: accepted with a correction or rejected with a reason")


def _dispute(session, principal: Principal, dispute_id: str, lock: bool = False) -> Dispute:
    dispute = session.get(Dispute, dispute_id, with_for_update=lock) or abort(404, message="no such dispute")
    require_site(principal, session, session.get(Site, dispute.site_id))
    return dispute


def refused(error: DisputeRefused):
    """The refusal as the API says it: a 4xx problem with its fields."""
    if error.errors:
        abort(error.status, message=error.message, errors=error.errors)
    abort(error.status, message=error.message)


@blp.route("")
class Disputes(MethodView):
    @blp.arguments(DisputeArgs, location="query")
    @blp.response(200, DisputePageOut)
    def get(self, args):
        """The disputes of the caller's sites (a supervisor's own, others' inside their region), in id order"""
        with reading() as session:
            principal = authorize(session)
            query = select(Dispute)
            if args["site_id"] is not None:
                site = session.get(Site, args["site_id"]) or abort(422, errors={"site_id": ["no such site"]})
                require_site(principal, session, site)
                query = query.where(Dispute.site_id == site.id)
            elif principal.role == "supervisor":
                query = query.where(Dispute.site_id.in_(sorted(principal.site_ids)))
            elif principal.region_path is not None:
                query = query.where(Dispute.region_path.startswith(principal.region_path))
            for name in ("month", "status"):
                if args[name] is not None:
                    query = query.where(getattr(Dispute, name) == args[name])
            return page_by_id(session, query, Dispute.id, args, text_id)


@blp.route("/<dispute_id>")
class DisputeById(MethodView):
    @blp.response(200, DisputeOut)
    def get(self, dispute_id):
        """A dispute and its answer"""
        with reading() as session:
            return _dispute(session, authorize(session), dispute_id)


@blp.route("/<dispute_id>/accept")
class Accept(MethodView):
    @blp.arguments(AcceptIn)
    @blp.response(202, AnsweredOut)
    @blp.alt_response(409, description="the dispute is answered already, or its correction cannot be recorded")
    def post(self, _body, dispute_id):
        """Accept: the work events that make the day what the worker says go through the intake (dispute.accepted)"""
        with unit_of_work() as session:
            principal = authorize(session)
            dispute = _dispute(session, principal, dispute_id, lock=True)
            settings = runtime().settings
            try:
                ids = accept_dispute(session, runtime().bus, settings.topic_work_events, dispute, principal.token_id,
                                     settings.today())
            except DisputeRefused as error:
                refused(error)
            return {"dispute_id": dispute.id, "status": "accepted", "corrections": ids}


@blp.route("/<dispute_id>/reject")
class Reject(MethodView):
    @blp.arguments(RejectIn)
    @blp.response(202, AnsweredOut)
    @blp.alt_response(409, description="the dispute is answered already")
    def post(self, body, dispute_id):
        """Reject, saying why: the worker reads the reason (dispute.rejected)"""
        with unit_of_work() as session:
            principal = authorize(session)
            dispute = _dispute(session, principal, dispute_id, lock=True)
            try:
                reject_dispute(session, runtime().bus, runtime().settings.topic_work_events, dispute,
                               principal.token_id, body["reason"])
            except DisputeRefused as error:
                refused(error)
            return {"dispute_id": dispute.id, "status": "rejected", "corrections": []}
