from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from app.api.access import Principal, authorize, require_site
from app.api.context import unit_of_work
from app.api.schemas import MONTH, PaymentBatchOut, PeriodOut, PeriodSummaryOut
from app.db.models import Site
from app.payments import pay_period
from app.period_report import period_report, site_months
from app.periods import Actor, PeriodConflict, move_period

blp = Blueprint("periods", __name__, url_prefix="/api/v1/sites", description="Pay periods: close, approve, return, pay")



class NoteIn(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ReturnIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


def _site(session, site_id: str, month: str | None) -> tuple[Principal, Site]:
    """Who may read or move a site's periods: app.api.access.POLICY (a supervisor closes their sites' months)."""
    principal = authorize(session)
    site = session.get(Site, site_id) or abort(404, message="no such site")
    require_site(principal, session, site)
    if month is not None and not MONTH.match(month):
        abort(422, errors={"month": ["a month YYYY-MM"]})
    return principal, site


def _move(site_id: str, month: str, action: str, reason: str | None) -> dict:
    with unit_of_work() as session:
        principal, _ = _site(session, site_id, month)
        try:
            move_period(session, site_id, month, action, Actor(principal.token_id, principal.role), reason)
        except PeriodConflict as conflict:
            abort(409, message=str(conflict))
        return period_report(session, site_id, month)


@blp.route("/<site_id>/periods")
class Periods(MethodView):
    @blp.response(200, PeriodSummaryOut(many=True))
    def get(self, site_id):
        """The site's months with wages or a period record, oldest first, with status and totals"""
        with unit_of_work() as session:
            _site(session, site_id, None)
            reports = [period_report(session, site_id, month) for month in site_months(session, site_id)]
            return [{"month": r["month"], "status": r["status"], "totals": r["totals"]} for r in reports]


@blp.route("/<site_id>/periods/<month>")
class Period(MethodView):
    @blp.response(200, PeriodOut)
    def get(self, site_id, month):
        """One period: status, per-worker lines and totals, adjustments paid in it, and its history"""
        with unit_of_work() as session:
            _site(session, site_id, month)
            return period_report(session, site_id, month)


@blp.route("/<site_id>/periods/<month>/close")
class Close(MethodView):
    @blp.arguments(NoteIn)
    @blp.response(200, PeriodOut)
    @blp.alt_response(409, description="the period is not open")
    def post(self, body, site_id, month):
        """Close an open month (its supervisor, a post manager or an admin)"""
        return _move(site_id, month, "close", body["reason"])


@blp.route("/<site_id>/periods/<month>/approve")
class Approve(MethodView):
    @blp.arguments(NoteIn)
    @blp.response(200, PeriodOut)
    @blp.alt_response(409, description="the period is not closed (perhaps someone else just acted)")
    def post(self, body, site_id, month):
        """Approve a closed month: its pay is frozen from now on"""
        return _move(site_id, month, "approve", body["reason"])


@blp.route("/<site_id>/periods/<month>/return")
class Return(MethodView):
    @blp.arguments(ReturnIn)
    @blp.response(200, PeriodOut)
    @blp.alt_response(409, description="the period is not closed")
    def post(self, body, site_id, month):
        """Send a closed month back to open, saying why"""
        return _move(site_id, month, "return", body["reason"])


@blp.route("/<site_id>/periods/<month>/pay")
class Pay(MethodView):
    @blp.response(201, PaymentBatchOut)
    @blp.alt_response(409, description="not approved, or nothing left to pay")
    def post(self, site_id, month):
        """Pay an approved month: a batch with one line per worker owed (again later for failed lines)"""
        with unit_of_work() as session:
            principal, _ = _site(session, site_id, month)
            try:
                return pay_period(session, site_id, month, Actor(principal.token_id, principal.role))
            except PeriodConflict as conflict:
                abort(409, message=str(conflict))
