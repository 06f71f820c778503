"""The manager's main page: their region's month by village, each village's sites and their workers counted by the
state of the month, with a village's (or the whole region's) closed months approved at once, as
`POST /api/v1/periods/<month>/approve` approves them (maker-checker included). Each village's sites are listed on
its own page (app.web.desk.village)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.access import Principal, require_region
from app.api.context import reading, runtime, unit_of_work
from app.api.schemas.base import MONTH
from app.db.models import Region
from app.pay.month_overview import VillageCounts, village_counts
from app.pay.periods import CLOSED_BY_YOU, FLAGGED, SiteScope, move_periods
from app.web.desk.area import STATUSES, actor, blp, checked_month, default_month, translated
from app.web.pages import authorize_page


@blp.get("/months")
def months() -> str | Response:
    month = request.args.get("month") or default_month()
    if not MONTH.match(month):
        abort(400)
    village = request.args.get("village") or None
    with reading() as session:
        principal = authorize_page(session)
        if village is not None:  # a link of the page as it was, when it listed a village's sites itself
            require_region(principal, session, village)
            return redirect(url_for("desk.village_months", region_code=village, month=month), 302)
        villages = village_counts(session, principal.region_path or "/", month)
        return render_template("desk/months.html", month=month, villages=villages, total=add_up(villages),
                               own=_own_region(principal, session), statuses=translated(STATUSES))


def add_up(villages: list[VillageCounts]) -> dict[str, dict[str, int]]:
    """The region's sites and workers by status: its villages' counts added up."""
    total: dict[str, dict[str, int]] = {"sites": {}, "workers": {}}
    for village in villages:
        for kind, counts in (("sites", village.sites), ("workers", village.workers)):
            for status, count in counts.items():
                total[kind][status] = total[kind].get(status, 0) + count
    return {kind: dict(sorted(counts.items())) for kind, counts in total.items()}


def _own_region(principal: Principal, session: Session) -> Region | None:
    """The principal's own region, which a bulk approval may name whole (none for a nationwide admin)."""
    if not principal.region_path:
        return None
    return session.scalar(select(Region).where(Region.path == principal.region_path))


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
    if request.form.get("back") == "village":  # approved from the village's own page: back to it
        return redirect(url_for("desk.village_months", region_code=region_code, month=month), 303)
    return redirect(url_for("desk.months", month=month), 303)


def _not_moved(status: str, count: int) -> str:
    if status == CLOSED_BY_YOU:
        return _("Closed by you, not approved: %(n)d. Someone else must approve them.", n=count)
    if status == FLAGGED:
        return _("With open review flags, not approved: %(n)d. Approve each on its own page.", n=count)
    return _("Not approved, %(status)s: %(n)d.", status=STATUSES[status], n=count)
