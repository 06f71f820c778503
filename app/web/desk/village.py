"""A village's month at the desk: its sites (a page of them at a time, filtered by status) with status, totals
and who closed each, the village's totals, its closed months approved at once, and the adjustments the month
pays for months already approved, each with the month it corrects."""
from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.access import require_region
from app.api.context import reading
from app.db.models import Assignment
from app.pay.month_overview import SiteMonth, region_adjustments, region_months, region_totals, village_counts
from app.pay.period_report import AMOUNTS
from app.web.desk.area import SCHEMES, STATUSES, blp, checked_month, people, translated
from app.web.pages import authorize_page

PAGE_SIZE = 50  # sites a page: a village has a few dozen at most, a township or county's list is paged


@blp.get("/villages/<region_code>/months/<month>")
def village_months(region_code: str, month: str) -> str:
    status = request.args.get("status") or None
    if status is not None and status not in STATUSES:
        abort(400)
    page = request.args.get("page", 1, type=int)
    with reading() as session:
        principal = authorize_page(session)
        village = require_region(principal, session, region_code)
        counts = village_counts(session, village.path, checked_month(month))
        sites = {key: sum(c.sites.get(key, 0) for c in counts) for key in STATUSES}
        listed = sites[status] if status else sum(sites.values())
        pages = max(1, -(-listed // PAGE_SIZE))
        if not 1 <= page <= pages:
            abort(404)
        rows = region_months(session, village.path, month, status, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        return render_template(
            "desk/village.html", village=village, month=month, rows=rows, status=status, page=page, pages=pages,
            sites={key: count for key, count in sites.items() if count},
            workers={key: n for key in STATUSES if (n := sum(c.workers.get(key, 0) for c in counts))},
            totals=_totals(session, village.path, month, rows, whole=status is None and pages == 1),
            names=people(session, {r.closed_by for r in rows}),
            kinds=_scheme_kinds(session, rows), adjustments=region_adjustments(session, village.path, month),
            statuses=translated(STATUSES), schemes=translated(SCHEMES), me=principal.token_id)


def _totals(session: Session, village_path: str, month: str, rows: list[SiteMonth], whole: bool) -> dict[str, int]:
    """The village's totals: its rows' own when they are every site of it, else summed again over every site."""
    if not whole:
        return region_totals(session, village_path, month)
    return {kind: sum(row.totals[kind] for row in rows) for kind in AMOUNTS}


def _scheme_kinds(session: Session, rows: list[SiteMonth]) -> dict[str, list[str]]:
    """Per site, the kinds of pay scheme of its assignments."""
    kinds: dict[str, set[str]] = {}
    for site_id, kind in session.execute(select(Assignment.site_id, Assignment.scheme["kind"].as_string()).where(
            Assignment.site_id.in_([row.site_id for row in rows])).distinct()):
        kinds.setdefault(site_id, set()).add(kind)
    return {site_id: sorted(found) for site_id, found in kinds.items()}
