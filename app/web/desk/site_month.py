"""One site's month at the desk: its status and history, its payroll sheet (also as CSV and XLSX), its
payments; and the moves a manager makes on it: close, approve, return with a reason."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api.access import Principal
from app.api.context import reading, runtime, unit_of_work
from app.db.models import PaymentBatch, Region, Site
from app.pay.payments import after_bank_results
from app.pay.payroll_sheet import (
    CSV_CONTENT_TYPE,
    Sheet,
    build_sheet,
    render_csv,
    render_xlsx,
)
from app.pay.period_report import period_report
from app.pay.periods import (
    TRANSITIONS,
    CloserMayNotApprove,
    FlaggedMonth,
    PeriodConflict,
    move_period,
    period_status,
)
from app.review.disputes import open_disputes
from app.review.queue import open_flags
from app.sheets import XLSX_CONTENT_TYPE
from app.web.desk.area import (
    LINE_STATUSES,
    SCHEMES,
    STATUSES,
    actor,
    blp,
    checked_month,
    people,
    site_in_scope,
    translated,
)
from app.web.desk.flags import KINDS, MAX_NOTE, flag_reason
from app.web.pages import authorize_page

MAX_REASON = 1000  # as the API's ReturnIn


@blp.get("/sites/<site_id>/months/<month>")
def site_month(site_id: str, month: str) -> tuple[str, int]:
    with reading() as session:
        principal = authorize_page(session)
        site = site_in_scope(principal, session, site_id)
        return render_site_month(session, principal, site, checked_month(month))


def render_site_month(session: Session, principal: Principal, site: Site, month: str,
                      errors: Sequence[str] = (), status: int = 200) -> tuple[str, int]:
    """The page of a site's month; `errors` (a refused form) shown above it, answered with `status`."""
    report = period_report(session, site.id, month)
    sheet = build_sheet(session, site.id, month)
    batches = list(session.scalars(select(PaymentBatch).where(
        PaymentBatch.site_id == site.id, PaymentBatch.month == month).order_by(PaymentBatch.id)))
    closes = [move for move in report["history"] if move.to_status == "closed"]
    closed = closes[-1] if closes and report["status"] != "open" else None
    closed_by = closed and closed.actor_token_id
    names = people(session, {move.actor_token_id for move in report["history"]} | {b.created_by for b in batches})
    workers = {row.worker_id: row.worker_name for row in sheet.rows}
    # Maker-checker: the approve button is not offered to the person who closed the month.
    closed_by_you = runtime().settings.maker_checker and closed_by == principal.token_id
    page = render_template(
        "desk/site_month.html", site=site, village=session.get(Region, site.region_code), month=month,
        report=report, status=report["status"], sheet=sheet, batches=batches,
        bank=after_bank_results(session, site.id, month), workers=workers, names=names, closed_by=closed_by,
        closed_at=closed and closed.at, closed_by_you=closed_by_you, errors=errors,
        flags=open_flags(session, site.id, month), flag_kinds=KINDS, flag_reason=flag_reason, max_note=MAX_NOTE,
        statuses=STATUSES, worker_schemes=_worker_schemes(sheet), line_statuses=LINE_STATUSES, max_reason=MAX_REASON,
        disputes=open_disputes(session, site.id, month))
    return page, status


def _worker_schemes(sheet: Sheet) -> dict[str, str]:
    """Each worker's pay schemes on the sheet, as their cell says them."""
    names = translated(SCHEMES)
    return {row.worker_id: "、".join(names.get(kind, kind) for kind in sorted(row.schemes)) for row in sheet.rows}


@blp.get("/sites/<site_id>/months/<month>/payroll.csv")
def payroll_csv(site_id: str, month: str) -> Response:
    return _sheet_file(site_id, month, "csv")


@blp.get("/sites/<site_id>/months/<month>/payroll.xlsx")
def payroll_xlsx(site_id: str, month: str) -> Response:
    return _sheet_file(site_id, month, "xlsx")


def _sheet_file(site_id: str, month: str, kind: str) -> Response:
    """The API's payroll sheet (app.pay.payroll_sheet), the same bytes, for a person signed in."""
    with reading() as session:
        principal = authorize_page(session)
        site_in_scope(principal, session, site_id)
        sheet = build_sheet(session, site_id, checked_month(month))
    content, content_type = (render_csv(sheet), CSV_CONTENT_TYPE) if kind == "csv" else (
        render_xlsx(sheet), XLSX_CONTENT_TYPE)
    response = Response(content, content_type=content_type)
    response.headers.set("Content-Disposition", "attachment", filename=f"payroll-{site_id}-{month}.{kind}")
    return response


@blp.post("/sites/<site_id>/months/<month>/close")
def close(site_id: str, month: str) -> Response | tuple[str, int]:
    return _move(site_id, month, "close", None, _("The month is closed. Someone else approves it."))


@blp.post("/sites/<site_id>/months/<month>/approve")
def approve(site_id: str, month: str) -> Response | tuple[str, int]:
    override = request.form.get("override", "").strip()[:MAX_REASON] or None
    return _move(site_id, month, "approve", None, _("The month is approved: its pay is frozen."), override)


@blp.post("/sites/<site_id>/months/<month>/return")
def return_month(site_id: str, month: str) -> Response | tuple[str, int]:
    reason = request.form.get("reason", "").strip()
    if not reason:
        return refused(site_id, month, _("Say why the month goes back: a reason is required."), 422)
    if len(reason) > MAX_REASON:
        return refused(site_id, month, _("The reason is too long: at most %(n)d characters.", n=MAX_REASON), 422)
    return _move(site_id, month, "return", reason, _("The month is returned to its site, with your reason."))


def _move(site_id: str, month: str, action: str, reason: str | None, done: str,
          override: str | None = None) -> Response | tuple[str, int]:
    try:
        with unit_of_work() as session:
            principal = authorize_page(session)
            site_in_scope(principal, session, site_id)
            move_period(session, site_id, checked_month(month), action, actor(principal), reason,
                        maker_checker=runtime().settings.maker_checker, override=override)
    except CloserMayNotApprove:
        return refused(site_id, month, _("You closed this month: someone else must approve it."), 409)
    except FlaggedMonth:
        return refused(site_id, month, _("This month has open review flags: deal with them, or say why you "
                                         "approve it anyway."), 409)
    except PeriodConflict:  # rolled back: nothing of the refused move is kept
        return refused(site_id, month, lambda session: conflict_message(session, site_id, month, action), 409)
    flash(done, "notice")
    return redirect(url_for("desk.site_month", site_id=site_id, month=month), 303)


ACTIONS = {"close": lazy_gettext("Closing"), "approve": lazy_gettext("Approving"),
           "return": lazy_gettext("Returning"), "pay": lazy_gettext("Paying")}


def conflict_message(session: Session, site_id: str, month: str, action: str) -> str:
    """Why a move was refused, for a person: the month is no longer where the action needs it."""
    return _("This month is %(status)s now; %(action)s needs it %(needed)s. Someone may have just acted on it.",
             status=STATUSES[period_status(session, site_id, month)], action=ACTIONS[action],
             needed=STATUSES[TRANSITIONS[action][0]])


def refused(site_id: str, month: str, message: str | list[str] | Callable[[Session], str],
            status: int) -> tuple[str, int]:
    """The site's month again, with why the form was refused (read after the refused write rolled back)."""
    with reading() as session:
        principal = authorize_page(session)
        site = site_in_scope(principal, session, site_id)
        said = message(session) if callable(message) else message
        errors = said if isinstance(said, list) else [said]
        return render_site_month(session, principal, site, checked_month(month), errors, status)
