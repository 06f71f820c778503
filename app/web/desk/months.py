"""The manager's main page: their region's site months of a chosen month, by village and site, with status,
totals and who closed each; filtered by village and status. A village's or the county's closed months are
approved at once from here, as `POST /api/v1/periods/<month>/approve` approves them."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.access import Principal, require_region
from app.api.context import reading, unit_of_work
from app.api.schemas.base import MONTH
from app.db.models import Assignment, Region, Site
from app.pay.period_report import period_report
from app.pay.periods import SiteScope, move_periods
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
        rows = site_months(session, region_path, month)
        villages = sorted({(row["village_code"], row["village_name"]) for row in rows})
        shown = [row for row in rows if status is None or row["status"] == status]
        names = people(session, {row["closed_by"] for row in shown})
        return render_template(
            "desk/months.html", month=month, rows=shown, villages=villages, village=village, status=status,
            names=names, statuses=STATUSES, schemes=SCHEMES, kinds=_scheme_kinds(session, rows),
            scopes=_approval_scopes(principal, session, villages), me=principal.token_id)


def _region_path(principal: Principal, session: Session, village: str | None) -> str:
    """The region the page lists: the chosen village (inside the principal's region), else the whole region."""
    if village is not None:
        return require_region(principal, session, village).path
    return principal.region_path or "/"


def site_months(session: Session, region_path: str, month: str) -> list[dict]:
    """Every site under `region_path` with its month: status, totals, who closed it and when."""
    sites = session.execute(select(Site, Region).join(Region, Region.code == Site.region_code)
                            .where(Region.path.startswith(region_path)).order_by(Region.code, Site.id)).all()
    rows = []
    for site, village in sites:
        report = period_report(session, site.id, month)
        closes = [move for move in report["history"] if move.to_status == "closed"]
        closed = closes[-1] if closes and report["status"] != "open" else None
        rows.append({"site_id": site.id, "site_name": site.name, "village_code": village.code,
                     "village_name": village.name, "status": report["status"], "totals": report["totals"],
                     "closed_by": closed and closed.actor_token_id, "closed_at": closed and closed.at})
    return rows


def _scheme_kinds(session: Session, rows: list[dict]) -> dict[str, list[str]]:
    """Per site, the kinds of pay scheme of its assignments."""
    kinds: dict[str, set[str]] = {}
    for site_id, scheme in session.execute(select(Assignment.site_id, Assignment.scheme).where(
            Assignment.site_id.in_([row["site_id"] for row in rows]))):
        kinds.setdefault(site_id, set()).add(scheme["kind"])
    return {site_id: sorted(found) for site_id, found in kinds.items()}


def _approval_scopes(principal: Principal, session: Session, villages: list[tuple[str, str]]
                     ) -> list[tuple[str, str]]:
    """What a bulk approval may name: the principal's own region, then each village listed."""
    own = session.scalar(select(Region).where(Region.path == principal.region_path)) if principal.region_path else None
    return ([(own.code, own.name)] if own else []) + villages


@blp.post("/months/<month>/approve")
def approve_months(month: str) -> Response:
    region_code = request.form.get("region_code", "")
    with unit_of_work() as session:
        principal = authorize_page(session)
        region = require_region(principal, session, region_code)
        moved = move_periods(session, checked_month(month), "approve", actor(principal), SiteScope(region.path))
    flash(_("%(region)s: %(n)d site months approved.", region=region.name, n=len(moved.moved)), "notice")
    for status, count in moved.not_moved.items():
        flash(_not_moved(status, count), "note")
    return redirect(url_for("desk.months", month=month), 303)


def _not_moved(status: str, count: int) -> str:
    if status in STATUSES:
        return _("Not approved, %(status)s: %(n)d.", status=STATUSES[status], n=count)
    return _("Closed by you, not approved: %(n)d. Someone else must approve them.", n=count)
