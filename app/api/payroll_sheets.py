from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint, abort

from app.api.access import authorize, require_site
from app.api.context import unit_of_work
from app.api.schemas.base import MONTH
from app.db.models import Site
from app.pay.payroll_sheet import CSV_CONTENT_TYPE, build_sheet, render_csv, render_xlsx
from app.sheets import XLSX_CONTENT_TYPE

blp = Blueprint("payroll_sheets", __name__, url_prefix="/api/v1/sites", description="Payroll sheets")

_COLUMNS = ("One row per worker with wages in the month or an adjustment paid in it, then a totals row: "
            "worker_id, worker_name, scheme, days (present 1, half_day 0.5; monthly schemes: day credits), "
            "hours (hourly schemes), units (piece schemes), amount_fen, adjustments_fen, adjusts (the months "
            "adjusted), total_fen, total_yuan. Text cells that a spreadsheet would run as a formula start with '.")
_FILE = {"type": "string", "format": "binary"}
_ATTACHMENT = {"Content-Disposition": {"schema": {"type": "string"},
                                       "description": "attachment; filename=payroll-<site>-<month>.<csv|xlsx>"}}


@blp.route("/<site_id>/periods/<month>/payroll.csv")
@blp.response(200, _FILE, content_type=CSV_CONTENT_TYPE, description=_COLUMNS, headers=_ATTACHMENT)
@blp.alt_response(404, description="unknown site")
@blp.alt_response(422, description="not a month YYYY-MM")
def payroll_csv(site_id, month):
    """The site's payroll sheet for a month as CSV (UTF-8 with a byte-order mark)"""
    return _attachment(render_csv(_sheet(site_id, month)), CSV_CONTENT_TYPE, f"payroll-{site_id}-{month}.csv")


@blp.route("/<site_id>/periods/<month>/payroll.xlsx")
@blp.response(200, _FILE, content_type=XLSX_CONTENT_TYPE, description=_COLUMNS, headers=_ATTACHMENT)
@blp.alt_response(404, description="unknown site")
@blp.alt_response(422, description="not a month YYYY-MM")
def payroll_xlsx(site_id, month):
    """The site's payroll sheet for a month as an Excel workbook"""
    return _attachment(render_xlsx(_sheet(site_id, month)), XLSX_CONTENT_TYPE, f"payroll-{site_id}-{month}.xlsx")


def _sheet(site_id, month):
    with unit_of_work() as session:
        principal = authorize(session)
        if not MONTH.match(month):
            abort(422, message="not a month", errors={"month": ["a month YYYY-MM"]})
        site = session.get(Site, site_id) or abort(404, message="no such site")
        require_site(principal, session, site)
        return build_sheet(session, site_id, month)


def _attachment(content: bytes, content_type: str, filename: str) -> Response:
    response = Response(content, content_type=content_type)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"  # names and pay: not for shared caches
    return response
