"""The workshop supervisor's register (今日考勤): a site's day on a phone, sent as work events.

The page is a plain form first (its ids made when it is shown, so a form sent twice is a duplicate); its
script (static/register/register.js) keeps each submit as ready events with ids made on the phone in an
outbox until the server acknowledged them, and a service worker (static/register/sw.js) keeps the page
and its files for when there is no connection. Marks go through the API's intake (app.ledger.intake).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.api.access import forbidden_sites, require_site, require_worker
from app.api.context import reading, runtime, unit_of_work
from app.api.problems import problem
from app.db.models import OutputRecord, Site, Worker
from app.web.pages import authorize_page, page_blueprint
from app.web.register import disputes
from app.web.register.day import month_of, register_today, roster, sites_of
from app.web.register.marks import (
    OUTPUT_ROWS,
    MarksRefused,
    events_from_form,
    frozen_message,
    refused_workers,
    take_marks,
    void_event,
)
from app.web.register.month import worker_month
from events.envelope import new_event_id

blp = page_blueprint("register", __name__, url_prefix="/register")
MENU = (("register.today", lazy_gettext("Today's register")),)
disputes.add_routes(blp)  # workers' disputes of their days (app.web.register.disputes)

STATIC = Path(__file__).resolve().parents[1] / "static" / "register"


def statuses() -> dict[str, str]:
    """The four marks of a day, in the order the register offers them (出勤/半天/缺勤/请假)."""
    return {"present": _("Present"), "half_day": _("Half day"), "absent": _("Absent"), "leave": _("Leave")}


def kinds() -> dict[str, str]:
    return {"hourly": _("Hourly"), "daily": _("Daily"), "piece": _("Piece rate"), "monthly": _("Monthly stipend")}


@blp.get("/")
def today() -> str:
    now = register_today(runtime().settings)
    with reading() as reader:
        principal = authorize_page(reader)
        sites = sites_of(reader, principal)
        site = _chosen_site(reader, principal, sites)
        if site is None:
            return render_template("register/pick.html", sites=sites)
        day = _day(request.args.get("date"), now) or abort(404)
        rows, month = roster(reader, site.id, day), month_of(reader, site.id, day)
        frozen = None if month.open else frozen_message(month, site.name)
    return render_template("register/day.html", site=site, sites=sites, day=day, today=now, rows=rows,
                           frozen=frozen, statuses=statuses(), kinds=kinds(), output_rows=OUTPUT_ROWS,
                           new_id=new_event_id)


@blp.post("/events")
def send() -> Response:
    """The day's marks: a JSON batch of ready events from the page's script, or the page's form."""
    if request.is_json:
        body = request.get_json(silent=True)
        raw = body.get("events") if isinstance(body, dict) else None
        if not isinstance(raw, list):
            return problem(400, _("The marks could not be read."))
        try:
            receipts = _take(raw, set())
        except MarksRefused as refused:
            return problem(refused.status, refused.message, errors=refused.errors)
        accepted = sum(receipt.status == "accepted" for receipt in receipts)
        return {"accepted": accepted, "duplicates": len(receipts) - accepted,
                "results": [{"id": r.id, "status": r.status} for r in receipts]}, 202
    site_id, day = request.form.get("site", ""), _day(request.form.get("date"), None) or abort(400)
    raw = events_from_form(request.form, site_id, day)
    try:
        receipts = _take(raw, {site_id})
    except MarksRefused as refused:
        if refused.status == 403:
            abort(403)
        _flash_refusal(refused, raw)
    else:
        accepted = sum(receipt.status == "accepted" for receipt in receipts)
        flash(_("Marks sent: %(count)s. They show here once processed.", count=accepted) if raw
              else _("Nothing to send: choose a status or enter a quantity first."), "notice")
    return redirect(url_for("register.today", site=site_id, date=day.isoformat()), 303)


@blp.post("/void")
def void() -> Response | str:
    """Void one recorded output of the day (output.voided): htmx gets the output's new line."""
    output_id, site_id = request.form.get("output_id", ""), request.form.get("site", "")
    try:
        with unit_of_work() as session:
            principal = authorize_page(session)
            if forbidden_sites(principal, session, {site_id}):
                abort(403)
            output = session.get(OutputRecord, output_id)
            if output is None or output.site_id != site_id:
                abort(404)
            void_id = request.form.get("void_id") or request.form.get(f"void_id.{output_id}")
            event = void_event(void_id or new_event_id(), output)
            take_marks(session, runtime(), principal, [event], {site_id})
            day = output.work_date
            shown = {"id": output.event_id, "product": output.product, "grade": output.grade,
                     "quantity": output.quantity, "voided": True}
    except MarksRefused as refused:
        if request.headers.get("HX-Request"):
            return render_template("register/refused.html", message=refused.message)
        flash(refused.message, "error")
        return redirect(url_for("register.today", site=site_id), 303)
    if request.headers.get("HX-Request"):
        return render_template("register/output.html", output=shown, sent=True)
    flash(_("The output is voided; it shows here once processed."), "notice")
    return redirect(url_for("register.today", site=site_id, date=day.isoformat()), 303)


@blp.get("/workers/<worker_id>")
def worker(worker_id: str) -> str:
    """A worker's month at a glance: days, hours, pieces, and what they earned so far."""
    now = register_today(runtime().settings)
    month = request.args.get("month") or f"{now:%Y-%m}"
    if _day(f"{month}-01", None) is None:
        abort(404)
    with reading() as reader:
        principal = authorize_page(reader)
        person = reader.get(Worker, worker_id) or abort(404)
        require_worker(principal, reader, person)
        summary = worker_month(reader, principal, worker_id, month)
        name = person.name
    return render_template("register/worker.html", name=name, worker_id=worker_id, summary=summary,
                           statuses=statuses(), site=request.args.get("site"))


@blp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served beside the pages it keeps so that its scope covers them."""
    response = send_from_directory(STATIC, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = url_for("register.today")
    response.headers["Cache-Control"] = "no-cache"  # a new version is picked up at the next visit
    return response


def _take(raw: list, site_ids: set[str]):
    for attempt in (1, 2):
        try:
            with unit_of_work() as session:
                principal = authorize_page(session)
                return take_marks(session, runtime(), principal, raw, site_ids)
        except IntegrityError:
            if attempt == 2:  # another request took one of these ids meanwhile; the second pass sees it
                raise


def _flash_refusal(refused: MarksRefused, raw: list[dict]) -> None:
    flash(refused.message, "error")
    if refused.errors:
        with reading() as reader:
            names = dict(reader.execute(select(Worker.id, Worker.name).where(
                Worker.id.in_({event["data"]["worker_id"] for event in raw}))).all())
        flash(_("Check the marks of: %(names)s.", names=", ".join(refused_workers(raw, refused.errors, names))),
              "error")


def _chosen_site(reader, principal, sites: list[Site]) -> Site | None:
    chosen = request.args.get("site")
    if chosen:
        site = reader.get(Site, chosen) or abort(404)
        require_site(principal, reader, site)
        return site
    return sites[0] if len(sites) == 1 else None


def _day(text: str | None, default: date | None) -> date | None:
    """A day the register may show: `default` when none is named; None when it is not a date or later
    than today."""
    if not text:
        return default
    try:
        chosen = date.fromisoformat(text)
    except ValueError:
        return None
    return chosen if chosen <= register_today(runtime().settings) else None

