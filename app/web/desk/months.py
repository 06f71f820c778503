"""The manager's main page: their region's site months of a chosen month, by village and site, with status,
totals and who closed each; filtered by village and status; the adjustments the month pays for months
already approved. A village's or the county's closed months are approved at once from here, as
`POST /api/v1/periods/<month>/approve` approves them (maker-checker included)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.access import Principal, require_region
from app.api.context import reading, runtime, unit_of_work
from app.api.schemas.base import MONTH
from app.db.models import Assignment, Region, Site
from app.pay.month_overview import SiteMonth, region_adjustments, region_months, village_months
from app.pay.periods import CLOSED_BY_YOU, SiteScope, move_periods
from app.web.desk.area import SCHEMES, STATUSES, actor, blp, checked_month, default_month, people
from app.web.pages import authorize_page


@blp.get("/months")
def months() -> str:
    month = request.args.get("month") or default_month()
    if not MONTH.match(month):
        abort(400)
    village, status = request.args.get("village") or None, request.args.get("status") or None
    if status is not None and status not in STATUSES:
        abort(400)
    with reading() as session:
        principal = authorize_page(session)
        region_path = _region_path(principal, session, village)
        rows = region_months(session, region_path, month)
        shown = [row for row in rows if status is None or row.status == status]
        villages = _villages(principal, session)
        return render_template(
            "desk/months.html", month=month, rows=shown, sums=village_months(rows), villages=villages,
            village=village, status=status, names=people(session, {row.closed_by for row in shown}),
            statuses=STATUSES, schemes=SCHEMES, kinds=_scheme_kinds(session, shown),
            adjustments=region_adjustments(session, region_path, month),
            scopes=_approval_scopes(principal, session, villages), me=principal.token_id)


def _region_path(principal: Principal, session: Session, village: str | None) -> str:
    """The region the page lists: the chosen village (inside the principal's region), else the whole region."""
    if village is not None:
        return require_region(principal, session, village).path
    return principal.region_path or "/"


def _villages(principal: Principal, session: Session) -> list[tuple[str, str]]:
    """The places with sites in the principal's region (villages, mostly): code and name, for the filter."""
    inside = Region.path.startswith(principal.region_path or "/")
    return list(session.execute(select(Region.code, Region.name).where(
        inside, Region.code.in_(select(Site.region_code))).order_by(Region.code)).all())


def _scheme_kinds(session: Session, rows: list[SiteMonth]) -> dict[str, list[str]]:
    """Per site, the kinds of pay scheme of its assignments."""
    kinds: dict[str, set[str]] = {}
    for site_id, kind in session.execute(select(Assignment.site_id, Assignment.scheme["kind"].as_string()).where(
            Assignment.site_id.in_([row.site_id for row in rows])).distinct()):
        kinds.setdefault(site_id, set()).add(kind)
    return {site_id: sorted(found) for site_id, found in kinds.items()}


def _approval_scopes(principal: Principal, session: Session, villages: list[tuple[str, str]]
                     ) -> list[tuple[str, str]]:
    """What a bulk approval may name: the principal's own region, then each place with sites in it."""
    own = session.scalar(select(Region).where(Region.path == principal.region_path)) if principal.region_path else None
    return ([(own.code, own.name)] if own else []) + villages


@blp.post("/months/<month>/approve")
def approve_months(month: str) -> Response:
    region_code = request.form.get("region_code", "")
    with unit_of_work() as session:
        principal = authorize_page(session)
        region = require_region(principal, session, region_code)
        moved = move_periods(session, checked_month(month), "approve", actor(principal), SiteScope(region.path),
                             maker_checker=runtime().settings.maker_checker)
    flash(_("%(region)s: %(n)d site months approved.", region=region.name, n=len(moved.moved)), "notice")
    for status, count in moved.not_moved.items():
        flash(_not_moved(status, count), "note")
    return redirect(url_for("desk.months", month=month), 303)


def _not_moved(status: str, count: int) -> str:
    if status == CLOSED_BY_YOU:
        return _("Closed by you, not approved: %(n)d. Someone else must approve them.", n=count)
    return _("Not approved, %(status)s: %(n)d.", status=STATUSES[status], n=count)
