from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.api.access import Principal, authorize, require_region_field, require_site
from app.api.context import reading, runtime, unit_of_work
from app.api.schemas.base import MONTH
from app.api.schemas.pay import PaymentBatchOut, PeriodOut, PeriodSummaryOut
from app.db.models import Region, Site
from app.pay.payments import pay_period
from app.pay.period_report import period_report, site_months
from app.pay.periods import Actor, PeriodConflict, SiteScope, move_period, move_periods

blp = Blueprint("periods", __name__, url_prefix="/api/v1", description="Pay periods: close, approve, return, pay")

MAX_NAMED_SITES = 1000  # sites named in one bulk request; without names, it acts on every site in scope


class NoteIn(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))


class ApproveIn(NoteIn):
    override = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 1000), metadata={
        "description": "why the month is approved although it has open review flags (without it: 409)"})


class ReturnIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 1000))


class MonthIn(NoteIn):
    region_code = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,32}$"), metadata={
        "description": "only the sites in this region (which must lie inside the caller's)"})
    site_ids = fields.List(fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,64}$")), load_default=None,
                           validate=validate.Length(1, MAX_NAMED_SITES), metadata={
                               "description": "only these sites (each in the caller's scope; with `region_code`, "
                                              "those of them inside that region)"})


class MonthMoveOut(Schema):
    month = fields.String()
    action = fields.String(metadata={"description": "close or approve"})
    moved = fields.Integer(metadata={"description": "sites whose month moved (closed, or approved and frozen)"})
    not_moved = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "the other sites in scope, left as they were, counted by the status of their month; "
                       "`closed_by_you`: closed months an approval left because the caller closed them; "
                       "`flagged`: closed months it left because they have open review flags"})


def _site(session, site_id: str, month: str | None) -> tuple[Principal, Site]:
    """Who may read or move a site's periods: app.api.access.POLICY (a supervisor closes their sites' months)."""
    principal = authorize(session)
    site = session.get(Site, site_id) or abort(404, message="no such site")
    require_site(principal, session, site)
    if month is not None and not MONTH.match(month):
        abort(422, errors={"month": ["a month YYYY-MM"]})
    return principal, site


def _move(site_id: str, month: str, action: str, reason: str | None, override: str | None = None) -> dict:
    with unit_of_work() as session:
        principal, _ = _site(session, site_id, month)
        try:
            move_period(session, site_id, month, action, Actor(principal.token_id, principal.role), reason,
                        maker_checker=runtime().settings.maker_checker, override=override)
        except PeriodConflict as conflict:
            abort(409, message=str(conflict))
        return period_report(session, site_id, month)


def _scope(principal: Principal, session, body: dict) -> SiteScope:
    """The sites a month move acts on: the caller's (a supervisor's own, the others' region), narrowed to
    the body's region and sites. A named site is checked as the per-site routes check it."""
    region_path = principal.region_path
    if body["region_code"] is not None:
        region_path = require_region_field(principal, session, body["region_code"], "region_code").path
    named = body["site_ids"]
    if named is None:
        return SiteScope(region_path, principal.site_ids if principal.role == "supervisor" else None)
    named = sorted(set(named))
    sites = {site.id: site for site in session.scalars(select(Site).where(Site.id.in_(named)))}  # then cached
    unknown = [site_id for site_id in named if site_id not in sites]
    if unknown:
        abort(422, errors={"site_ids": [f"unknown site {site_id}" for site_id in unknown[:20]]})
    # Loaded here in two queries, the regions are then found in the session by `require_site` (held until then).
    regions = list(session.scalars(select(Region).where(Region.code.in_({s.region_code for s in sites.values()}))))
    for site in sites.values():
        require_site(principal, session, site)
    del regions
    return SiteScope(region_path, frozenset(named))


def _move_month(month: str, action: str, body: dict) -> dict:
    with unit_of_work() as session:
        principal = authorize(session)
        if not MONTH.match(month):
            abort(422, errors={"month": ["a month YYYY-MM"]})
        scope = _scope(principal, session, body)
        moved = move_periods(session, month, action, Actor(principal.token_id, principal.role), scope, body["reason"],
                             maker_checker=runtime().settings.maker_checker)
        return {"month": month, "action": action, "moved": len(moved.moved), "not_moved": moved.not_moved}


@blp.route("/periods/<month>/close")
class CloseMonth(MethodView):
    @blp.arguments(MonthIn)
    @blp.response(200, MonthMoveOut)
    def post(self, body, month):
        """Close the month of every site in scope whose month is open (the caller's sites, or those named)

        Sites whose month is not open are left as they are and counted by status; calling again changes nothing.
        """
        return _move_month(month, "close", body)


@blp.route("/periods/<month>/approve")
class ApproveMonth(MethodView):
    @blp.arguments(MonthIn)
    @blp.response(200, MonthMoveOut)
    def post(self, body, month):
        """Approve the month of every site in scope whose month is closed: their pay is frozen from now on

        Sites whose month is not closed are left as they are and counted by status, those the caller closed as
        `closed_by_you` (the person who closed a month may not approve it), those with open review flags as
        `flagged` (approved one by one, with an override); calling again changes nothing.
        """
        return _move_month(month, "approve", body)


@blp.route("/sites/<site_id>/periods")
class Periods(MethodView):
    @blp.response(200, PeriodSummaryOut(many=True))
    def get(self, site_id):
        """The site's months with wages or a period record, oldest first, with status and totals"""
        with reading() as session:
            _site(session, site_id, None)
            reports = [period_report(session, site_id, month) for month in site_months(session, site_id)]
            return [{"month": r["month"], "status": r["status"], "totals": r["totals"]} for r in reports]


@blp.route("/sites/<site_id>/periods/<month>")
class Period(MethodView):
    @blp.response(200, PeriodOut)
    def get(self, site_id, month):
        """One period: status, per-worker lines and totals, adjustments paid in it, and its history"""
        with reading() as session:
            _site(session, site_id, month)
            return period_report(session, site_id, month)


@blp.route("/sites/<site_id>/periods/<month>/close")
class Close(MethodView):
    @blp.arguments(NoteIn)
    @blp.response(200, PeriodOut)
    @blp.alt_response(409, description="the period is not open")
    def post(self, body, site_id, month):
        """Close an open month (its supervisor, a post manager or an admin), raising its review flags"""
        return _move(site_id, month, "close", body["reason"])


@blp.route("/sites/<site_id>/periods/<month>/approve")
class Approve(MethodView):
    @blp.arguments(ApproveIn)
    @blp.response(200, PeriodOut)
    @blp.alt_response(409, description="the period is not closed (perhaps someone else just acted), the "
                                       "caller closed it (the person who closed a month may not approve it), or "
                                       "it has open review flags and no override")
    def post(self, body, site_id, month):
        """Approve a closed month: its pay is frozen from now on (by someone other than who closed it)"""
        return _move(site_id, month, "approve", body["reason"], body["override"])


@blp.route("/sites/<site_id>/periods/<month>/return")
class Return(MethodView):
    @blp.arguments(ReturnIn)
    @blp.response(200, PeriodOut)
    @blp.alt_response(409, description="the period is not closed")
    def post(self, body, site_id, month):
        """Send a closed month back to open, saying why"""
        return _move(site_id, month, "return", body["reason"])


@blp.route("/sites/<site_id>/periods/<month>/pay")
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
