from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.access import Principal, authorize, region_filter, require_site
from app.api.context import reading, unit_of_work
from app.api.pagination import decode_cursor, encode_cursor, text_id
from app.api.schemas.base import MONTH
from app.api.schemas.review import ConfirmIn, DismissIn, FlagArgs, FlagOut, FlagPageOut, ReviewOut
from app.db.models import ReviewFlag, Site
from app.review.queue import FlagConflict, FlagFilter, flag_page, open_flags, resolve_flag
from app.review.raising import raise_flags

blp = Blueprint("review", __name__, url_prefix="/api/v1", description="Review flags: signs of fraud before approval")


def _month(value) -> str:
    if not isinstance(value, str) or not MONTH.match(value):
        raise ValueError(f"not a month: {value!r}")
    return value


def _site(session, principal: Principal, site_id: str) -> Site:
    site = session.get(Site, site_id) or abort(404, message="no such site")
    require_site(principal, session, site)
    return site


@blp.route("/sites/<site_id>/periods/<month>/review")
class Review(MethodView):
    @blp.response(200, ReviewOut)
    def post(self, site_id, month):
        """Raise the review flags of a site's month now (closing it does too); each flag is raised once"""
        with unit_of_work() as session:
            principal = authorize(session)
            _site(session, principal, site_id)
            if not MONTH.match(month):
                abort(422, errors={"month": ["a month YYYY-MM"]})
            raised = raise_flags(session, month, [site_id])
            return {"site_id": site_id, "month": month, "raised": len(raised),
                    "open": open_flags(session, site_id, month)}


@blp.route("/review-flags")
class Flags(MethodView):
    @blp.arguments(FlagArgs, location="query")
    @blp.response(200, FlagPageOut)
    def get(self, args):
        """Review flags of the caller's sites, newest month first; filter by region, site, month, kind, status"""
        with reading() as session:
            principal = authorize(session)
            region = region_filter(principal, session, args["region"])
            sites = None
            if args["site_id"] is not None:
                site = session.get(Site, args["site_id"]) or abort(422, errors={"site_id": ["no such site"]})
                require_site(principal, session, site)
                sites = frozenset([site.id])
            chosen = FlagFilter(principal.region_path, region and region.path, sites, args["month"], args["kind"],
                                args["status"])
            after = decode_cursor(args["cursor"], _month, text_id)
            flags, last = flag_page(session, chosen, args["limit"], after and tuple(after))
            return {"items": flags, "next_cursor": encode_cursor(*last) if last else None}


def _resolve(flag_id: str, move: str, note: str | None) -> ReviewFlag:
    with unit_of_work() as session:
        principal = authorize(session)
        flag = session.get(ReviewFlag, flag_id) or abort(404, message="no such review flag")
        _site(session, principal, flag.site_id)
        try:
            return resolve_flag(flag, move, principal.token_id, note)
        except FlagConflict as conflict:
            abort(409, message=str(conflict))


@blp.route("/review-flags/<hex_id:flag_id>/dismiss")
class Dismiss(MethodView):
    @blp.arguments(DismissIn)
    @blp.response(200, FlagOut)
    @blp.alt_response(409, description="the flag is not open")
    def post(self, body, flag_id):
        """Dismiss an open flag, saying why it is no fraud"""
        return _resolve(flag_id, "dismiss", body["reason"])


@blp.route("/review-flags/<hex_id:flag_id>/confirm")
class Confirm(MethodView):
    @blp.arguments(ConfirmIn)
    @blp.response(200, FlagOut)
    @blp.alt_response(409, description="the flag is not open")
    def post(self, body, flag_id):
        """Confirm an open flag: it was fraud, and the office follows it up"""
        return _resolve(flag_id, "confirm", body["note"])
